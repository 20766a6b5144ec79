"""A signed-in person's own second factor: enrol an authenticator, replace it, get new recovery
codes. Replacing and new codes need the current second factor (a code from the app, or a
recovery code); a wrong one is audited and counts toward the sign-in lockout."""

import time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.access import Perm
from intake.exceptions import RuleViolation
from intake.models import AuditAction, AuditOutcome
from intake.services.audit import audit_record
from intake.services.mfa import (
    DEVICE_AUDIT_TYPE,
    mfa_enrol_confirm,
    mfa_enrolled,
    mfa_enrolment_device,
    mfa_recovery_codes_left,
    mfa_recovery_codes_new,
    mfa_replace_confirm,
    mfa_replacement_device,
    mfa_required,
    mfa_verify_device,
    totp_qr_svg,
    totp_secret_base32,
)
from intake.services.reauth import LOCKED_MESSAGE, reauth_count_failure, reauth_refuse_if_locked
from intake.views.auth import NEW_CODES_KEY, CodeForm
from intake.views.decorators import policy

# The new, unconfirmed authenticator of a replacement under way (after step 1).
REPLACE_KEY = "_intake_mfa_replacement"
REPLACE_SECONDS = 600
WRONG_CURRENT_CODE = (
    "That code is not right, or was already used: nothing was changed. Enter the code your "
    "authenticator app shows now, or one of your recovery codes."
)


def _proves_current_factor(request: HttpRequest, user, code: str, change: str):
    """The device that accepted `code`, or an error message. A wrong code is audited (denied,
    no code in it) and counts toward the lockout; a locked account is refused outright."""
    try:
        reauth_refuse_if_locked(user)
    except RuleViolation:
        return None, LOCKED_MESSAGE
    device = mfa_verify_device(user, code)
    if device is not None:
        return device, ""
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        outcome=AuditOutcome.DENIED,
        object_type=DEVICE_AUDIT_TYPE,
        object_id=str(user.pk),
        detail={"change": change, "reason": "wrong-current-second-factor"},
    )
    reauth_count_failure(user)
    return None, WRONG_CURRENT_CODE


def _keep_session_verified(request: HttpRequest, user) -> None:
    """The person just proved their second factor; the device their session was verified by
    may be gone (replaced, or the recovery codes renewed): verify it by the current one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        otp_login(request, device)


def _pending_replacement(request: HttpRequest, user) -> TOTPDevice | None:
    pending = request.session.get(REPLACE_KEY)
    try:
        started, device_id = float(pending["at"]), int(pending["device_id"])
    except (TypeError, KeyError, ValueError):
        started, device_id = 0.0, None
    if device_id is None or time.time() - started > REPLACE_SECONDS:
        request.session.pop(REPLACE_KEY, None)
        return None
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        request.session.pop(REPLACE_KEY, None)
    return device


def _device_context(device: TOTPDevice) -> dict:
    return {
        "qr_svg": mark_safe(totp_qr_svg(device)),  # noqa: S308 - made here from our data
        "secret": totp_secret_base32(device),
    }


@policy(Perm.HOME)
@require_http_methods(["GET", "POST"])
def mfa_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    codes = request.session.pop(NEW_CODES_KEY, None)
    form = CodeForm(request.POST or None)
    error = ""
    action = request.POST.get("action") if request.method == "POST" else None
    enrolled = mfa_enrolled(user)
    replacing = _pending_replacement(request, user) if enrolled else None
    if action == "replace-cancel":
        if replacing is not None:
            replacing.delete()
        request.session.pop(REPLACE_KEY, None)
        return redirect("intake:mfa")
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["otp_token"]
        if action == "enrol" and not enrolled:
            codes = mfa_enrol_confirm(user=user, device=mfa_enrolment_device(user), code=code)
            if codes is None:
                error = "That code does not match; enter the app's current code."
            else:
                _keep_session_verified(request, user)
                messages.success(request, "Your authenticator is set up.")
        elif action == "recovery" and enrolled:
            device, error = _proves_current_factor(request, user, code, "recovery-codes-replaced")
            if device is not None:
                codes = mfa_recovery_codes_new(user=user)
                _keep_session_verified(request, user)
                messages.success(request, "New recovery codes made; the old ones no longer work.")
        elif action == "replace-start" and enrolled:
            device, error = _proves_current_factor(request, user, code, "authenticator-replaced")
            if device is not None:
                replacing = mfa_replacement_device(user)
                request.session[REPLACE_KEY] = {"device_id": replacing.pk, "at": time.time()}
        elif action == "replace-confirm" and replacing is not None:
            new = mfa_replace_confirm(user=user, device_id=replacing.pk, code=code)
            if new is None:
                error = (
                    "That code does not match the new authenticator: check the app shows the "
                    "account just added and enter its current code. Your old authenticator "
                    "still works."
                )
            else:
                request.session.pop(REPLACE_KEY, None)
                replacing = None
                otp_login(request, new)
                messages.success(
                    request, "Your new authenticator is set up; the old one no longer works."
                )
        else:
            return redirect("intake:mfa")
    elif request.method == "POST":
        error = "Enter a code: six digits from your authenticator app, or a recovery code."
    enrolled = mfa_enrolled(user)
    ctx = {
        "enrolled": enrolled,
        "required": mfa_required(user),
        "codes": codes,
        "codes_left": mfa_recovery_codes_left(user) if enrolled else 0,
        "code_form": CodeForm() if request.method == "POST" else form,
        # The same field in a second form on the page: its own element ids.
        "replace_form": CodeForm(auto_id="id_replace_%s"),
        "error": error,
        "replacing": replacing is not None,
        "error_action": action if error else "",
    }
    if not enrolled:
        ctx.update(_device_context(mfa_enrolment_device(user)))
    elif replacing is not None:
        ctx.update(_device_context(replacing))
    return render(request, "intake/mfa.html", ctx)
