from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from intake.views.auth import sign_in
from intake.views.decorators import public

admin.site.site_header = "Clinic Intake administration"


def _superuser_only(request) -> bool:
    # The admin shows every table; only superusers (operators), never clinic roles, use it.
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superuser_only

urlpatterns = [
    # Password, then the second factor (intake.views.auth).
    path("accounts/login/", sign_in, name="login"),
    path("accounts/logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("api/v1/", include("intake.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("intake.urls")),
]

handler400 = "intake.views.errors.bad_request"
handler403 = "intake.views.errors.permission_denied"
handler404 = "intake.views.errors.page_not_found"
handler500 = "intake.views.errors.server_error"
