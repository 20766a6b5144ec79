"""A signed-in person's own second factor: enrol an authenticator, replace it, get new recovery
codes. Replacing and new codes need the current second factor (a code from the app, or a
recovery code); a wrong one is audited and counts toward the sign-in lockout."""

import time
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.access import Perm
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
from intake.services.reauth import reauth_count_failure, reauth_refuse_if_locked
from intake.views.auth import NEW_CODES_KEY, CodeForm
from intake.views.decorators import policy
from intake.views.service_errors import service_errors

# The new, unconfirmed authenticator of a replacement under way (after step 1).
REPLACE_KEY = "_intake_mfa_replacement"
REPLACE_SECONDS = 600
WRONG_CURRENT_CODE = (
    "That code is not right, or was already used: nothing was changed. Enter the code your "
    "authenticator app shows now, or one of your recovery codes."
)


def _proves_current_factor(
    request: HttpRequest, user: User, code: str, change: str
) -> tuple[Device | None, str]:
    """The device that accepted `code`, or an error message. A wrong code is audited (denied,
    no code in it) and counts toward the lockout; a locked account is refused outright."""
    with service_errors() as locked:
        reauth_refuse_if_locked(user)
    if locked:
        return None, locked.message
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


@dataclass
class _Step:
    """What a code sent from the page did: new recovery codes to show once, why it was
    refused, the replacement under way."""

    codes: list[str] | None
    error: str
    replacing: TOTPDevice | None


def _take_code(
    request: HttpRequest, user: User, action: str | None, code: str, step: _Step, enrolled: bool
) -> _Step | None:
    """Carry out `action` with the code the person entered; None when the action does not
    apply to their authenticator as it is now (a stale page): the page is shown again."""
    if action == "enrol" and not enrolled:
        step.codes = mfa_enrol_confirm(user=user, device=mfa_enrolment_device(user), code=code)
        if step.codes is None:
            step.error = "That code does not match; enter the app's current code."
        else:
            _keep_session_verified(request, user)
            messages.success(request, "Your authenticator is set up.")
    elif action == "recovery" and enrolled:
        device, step.error = _proves_current_factor(request, user, code, "recovery-codes-replaced")
        if device is not None:
            step.codes = mfa_recovery_codes_new(user=user)
            _keep_session_verified(request, user)
            messages.success(request, "New recovery codes made; the old ones no longer work.")
    elif action == "replace-start" and enrolled:
        device, step.error = _proves_current_factor(request, user, code, "authenticator-replaced")
        if device is not None:
            step.replacing = mfa_replacement_device(user)
            request.session[REPLACE_KEY] = {"device_id": step.replacing.pk, "at": time.time()}
    elif action == "replace-confirm" and step.replacing is not None:
        new = mfa_replace_confirm(user=user, device_id=step.replacing.pk, code=code)
        if new is None:
            step.error = (
                "That code does not match the new authenticator: check the app shows the "
                "account just added and enter its current code. Your old authenticator "
                "still works."
            )
        else:
            request.session.pop(REPLACE_KEY, None)
            step.replacing = None
            otp_login(request, new)
            messages.success(
                request, "Your new authenticator is set up; the old one no longer works."
            )
    else:
        return None
    return step


@policy(Perm.HOME)
@require_http_methods(["GET", "POST"])
def mfa_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CodeForm(request.POST or None)
    action = request.POST.get("action") if request.method == "POST" else None
    enrolled = mfa_enrolled(user)
    replacing = _pending_replacement(request, user) if enrolled else None
    step = _Step(codes=request.session.pop(NEW_CODES_KEY, None), error="", replacing=replacing)
    if action == "replace-cancel":
        if replacing is not None:
            replacing.delete()
        request.session.pop(REPLACE_KEY, None)
        return redirect("intake:mfa")
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["otp_token"]
        taken = _take_code(request, user, action, code, step, enrolled)
        if taken is None:
            return redirect("intake:mfa")
    elif request.method == "POST":
        step.error = "Enter a code: six digits from your authenticator app, or a recovery code."
    enrolled = mfa_enrolled(user)
    ctx = {
        "enrolled": enrolled,
        "required": mfa_required(user),
        "codes": step.codes,
        "codes_left": mfa_recovery_codes_left(user) if enrolled else 0,
        "code_form": CodeForm() if request.method == "POST" else form,
        # The same field in a second form on the page: its own element ids.
        "replace_form": CodeForm(auto_id="id_replace_%s"),
        "error": step.error,
        "replacing": step.replacing is not None,
        "error_action": action if step.error else "",
    }
    if not enrolled:
        ctx.update(_device_context(mfa_enrolment_device(user)))
    elif step.replacing is not None:
        ctx.update(_device_context(step.replacing))
    return render(request, "intake/mfa.html", ctx)
