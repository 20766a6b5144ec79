from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path

from clinic.admin_site import ClinicAdminSite
from intake.views.auth import sign_in
from intake.views.decorators import public

# admin.site is clinic.admin_site.ClinicAdminSite (clinic.apps): superusers only, and only
# once their session has proved a second factor (operator_may_use_admin).
if not isinstance(admin.site, ClinicAdminSite):
    raise ImproperlyConfigured("INSTALLED_APPS must use clinic.apps.ClinicAdminConfig.")

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
