"""A signed-in person's own second factor: enrol an authenticator, get new recovery codes."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from intake.access import Perm
from intake.services.mfa import (
    mfa_enrol_confirm,
    mfa_enrolled,
    mfa_enrolment_device,
    mfa_recovery_codes_left,
    mfa_recovery_codes_new,
    mfa_required,
    mfa_verify,
    totp_qr_svg,
    totp_secret_base32,
)
from intake.views.auth import NEW_CODES_KEY, CodeForm
from intake.views.decorators import policy


@policy(Perm.HOME)
@require_http_methods(["GET", "POST"])
def mfa_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    codes = request.session.pop(NEW_CODES_KEY, None)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["otp_token"]
        if request.POST.get("action") == "enrol" and not mfa_enrolled(user):
            codes = mfa_enrol_confirm(user=user, device=mfa_enrolment_device(user), code=code)
            if codes is None:
                error = "That code does not match; enter the app's current code."
            else:
                messages.success(request, "Your authenticator is set up.")
        elif request.POST.get("action") == "recovery" and mfa_enrolled(user):
            if mfa_verify(user, code):
                codes = mfa_recovery_codes_new(user=user)
                messages.success(request, "New recovery codes made; the old ones no longer work.")
            else:
                error = "That code is not right."
        else:
            return redirect("intake:mfa")
    enrolled = mfa_enrolled(user)
    ctx = {
        "enrolled": enrolled,
        "required": mfa_required(user),
        "codes": codes,
        "codes_left": mfa_recovery_codes_left(user) if enrolled else 0,
        "code_form": CodeForm() if request.method == "POST" else form,
        "error": error,
    }
    if not enrolled:
        device = mfa_enrolment_device(user)
        ctx["qr_svg"] = mark_safe(totp_qr_svg(device))  # noqa: S308 - made here from our data
        ctx["secret"] = totp_secret_base32(device)
    return render(request, "intake/mfa.html", ctx)
