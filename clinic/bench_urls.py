"""URLs for the benchmark settings only (clinic.settings.bench), never for production.

The application's URLs, plus two baselines the benchmark compares pages against:
- `bench/bare/`: a fixed page for a signed-in user (the session and user queries, nothing else);
- `bench/admin/`: a Django admin site with patients registered, searching names the way the
  stock changelist does (for superusers only, like the real admin)."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from clinic import urls as app_urls
from intake.models import Patient
from intake.views.decorators import public

BARE_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Bench</title></head>"
    "<body><main><h1>Signed in</h1><p>A fixed page: the baseline of a signed-in request.</p>"
    "</main></body></html>"
)


@public
@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_PAGE)


class BenchAdminSite(admin.AdminSite):
    site_header = "Clinic Intake benchmark admin"

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


bench_admin = BenchAdminSite(name="bench-admin")


@admin.register(Patient, site=bench_admin)
class PatientBenchAdmin(admin.ModelAdmin):
    list_display = ["mrn", "family_name", "given_name", "preferred_name", "birth_date"]
    search_fields = ["family_name", "given_name", "preferred_name"]


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/admin/", bench_admin.urls),
    *app_urls.urlpatterns,
]

handler400 = app_urls.handler400
handler403 = app_urls.handler403
handler404 = app_urls.handler404
handler500 = app_urls.handler500
