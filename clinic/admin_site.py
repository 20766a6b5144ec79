"""The operator site (/admin/): superusers only, and only once they have proved their second
factor at the project's own sign-in (password, then authenticator: intake.views.auth). The
site has no password form of its own: a visitor not signed in goes to that sign-in page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.admin import OTPAdminSite


def operator_may_use_admin(request) -> bool:
    """The admin shows every table: only superusers (operators), never clinic roles, whose
    session was verified by a confirmed device of their own (django-otp's OTPMiddleware)."""
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    return bool(user.is_active and user.is_superuser and is_verified is not None and is_verified())


class ClinicAdminSite(OTPAdminSite):
    site_header = "Clinic Intake administration"

    def __init__(self, name: str = "admin"):
        # Named "admin" (not OTPAdminSite's "otpadmin"): URL names stay admin:...
        super().__init__(name)

    def has_permission(self, request) -> bool:
        return operator_may_use_admin(request)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Signed in but not allowed: a clinic role, or a session without a second factor.
            raise PermissionDenied(
                "The admin is for operators who signed in with their authenticator."
            )
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, login_url=settings.LOGIN_URL)

    login.access_public = True  # intake's AccessPolicyMiddleware: this only redirects
