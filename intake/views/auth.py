"""Web sign-in with a second factor. Password first (Django's form: axes counts failures);
then, for an account with an authenticator, its current code (a wrong code counts toward
lockout like a wrong password); for a role that must use one but has none, enrolment. Nobody
is signed in (no session for the user exists) until every step has passed."""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from intake.lockout import lockout_response
from intake.models import AuditAction, AuditOutcome
from intake.services.audit import audit_record
from intake.services.mfa import (
    mfa_enrol_confirm,
    mfa_enrolled,
    mfa_enrolment_device,
    mfa_required,
    mfa_verify_device,
    totp_qr_svg,
    totp_secret_base32,
)
from intake.services.staff import staff_mfa_reset_notice
from intake.views.decorators import public

PENDING_KEY = "_intake_mfa_pending"
PENDING_SECONDS = 300
NEW_CODES_KEY = "_intake_new_recovery_codes"


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        help_text="Six digits; or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SignInForm(AuthenticationForm):
    """A username longer than any account's is a wrong sign-in, answered without asking the
    backends (the lockout's failure log holds at most 255 characters: a 10,000-character name
    used to end in a 500)."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > 150:
            raise self.get_invalid_login_error()
        return super().clean()


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user.backend = pending["backend"]
    return user, pending


def _complete(request: HttpRequest, user, redirect_to: str, device=None) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=user.backend)
    if device is not None:
        # The session proved this device: request.user.is_verified() (the admin needs it).
        otp_login(request, device)
    return redirect(redirect_to)


def _render(request, step: str, **ctx) -> HttpResponse:
    return render(request, "registration/login.html", {"step": step, **ctx})


def _enrol_context(user) -> dict:
    device = mfa_enrolment_device(user)
    return {
        "qr_svg": mark_safe(totp_qr_svg(device)),  # noqa: S308 - made here from our own data
        "secret": totp_secret_base32(device),
        "device": device,
    }


@public
@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    redirect_to = _next(request)
    if request.user.is_authenticated:
        return redirect(redirect_to)
    step = request.POST.get("step", "password") if request.method == "POST" else "password"
    user, pending = _pending_user(request) if step in ("otp", "enrol") else (None, None)
    if user is not None and step == "otp":
        return _otp_step(request, user, pending)
    if user is not None and step == "enrol":
        if mfa_enrolled(user):
            # Enrolment at sign-in is only for accounts with no authenticator; an enrolled
            # account proves its own (the bypass this closes: post step=enrol after a correct
            # password to replace the real device and finish signing in).
            return _refuse_enrolment(request, user)
        return _enrol_step(request, user, pending)
    request.session.pop(PENDING_KEY, None)
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        notice = staff_mfa_reset_notice(user=user)  # before last_login moves on
        if notice:
            messages.warning(request, notice)
        if mfa_enrolled(user) or mfa_required(user):
            request.session[PENDING_KEY] = {
                "user_id": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": redirect_to,
            }
            if mfa_enrolled(user):
                return _render(request, "otp", code_form=CodeForm())
            return _render(request, "enrol", code_form=CodeForm(), **_enrol_context(user))
        return _complete(request, user, redirect_to)
    return _render(request, "password", form=form, next=redirect_to)


def _otp_step(request: HttpRequest, user, pending: dict) -> HttpResponse:
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING_KEY, None)
        return lockout_response(request)
    form = CodeForm(request.POST)
    device = mfa_verify_device(user, form.cleaned_data["otp_token"]) if form.is_valid() else None
    if device is not None:
        return _complete(request, user, pending.get("next") or _next(request), device)
    # A wrong code counts toward lockout, as a wrong password does.
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        request.session.pop(PENDING_KEY, None)
        return lockout_response(request)
    return _render(
        request,
        "otp",
        code_form=CodeForm(),
        error="That code is not right, or was already used. Enter the current code.",
    )


def _refuse_enrolment(request: HttpRequest, user) -> HttpResponse:
    audit_record(
        actor=None,
        action=AuditAction.SIGN_IN,
        outcome=AuditOutcome.DENIED,
        username=user.get_username(),
        object_type="second-factor",
        detail={"reason": "enrolment-refused-already-enrolled"},
    )
    return _render(
        request,
        "otp",
        code_form=CodeForm(),
        error="This account already has an authenticator: enter its current code, or one of "
        "your recovery codes. A clinic administrator can reset a lost authenticator.",
    )


def _enrol_step(request: HttpRequest, user, pending: dict) -> HttpResponse:
    device = mfa_enrolment_device(user)
    form = CodeForm(request.POST)
    codes = None
    if form.is_valid():
        codes = mfa_enrol_confirm(user=user, device=device, code=form.cleaned_data["otp_token"])
    if codes is None:
        return _render(
            request,
            "enrol",
            code_form=CodeForm(),
            error="That code does not match. Check the app shows the account just added and "
            "enter its current code.",
            **_enrol_context(user),
        )
    device.refresh_from_db()
    response = _complete(request, user, resolve_url("intake:mfa"), device)
    request.session[NEW_CODES_KEY] = codes
    return response
