"""Account hygiene for clinic administrators: who has an account, when they last signed in,
creating, deactivating (never deleting), password and second-factor resets. Operators'
superuser accounts are not managed here (an administrator must not take one over)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.access import Perm, must_use_second_factor, reset_approve_refusal, role_of
from intake.forms.staff import StaffCreateForm, StaffPasswordForm
from intake.models import StaffResetRequest
from intake.selectors.staff import staff_reset_pending_list
from intake.services.staff import (
    STAFF_CREATE_FIELDS,
    STAFF_RESET_REQUEST_HOURS,
    staff_account_audit,
    staff_create,
    staff_deactivate,
    staff_mfa_reset,
    staff_reactivate,
    staff_reset_approve,
    staff_set_password,
)
from intake.views.decorators import policy
from intake.views.service_errors import refusal_messages, service_errors

SECOND_ADMINISTRATOR_NOTICE = (
    "{what} of {username} is asked for: it takes effect when a second administrator approves "
    "it on this page, within {hours} hours."
)


def _managed():
    return get_user_model().objects.filter(is_superuser=False)


def _member(user_id):
    user = _managed().filter(pk=user_id).first()
    if user is None:
        raise Http404("No such staff account.")
    return user


@policy(Perm.STAFF_MANAGE)
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    users = list(
        _managed()
        .annotate(mfa=Exists(enrolled))
        .prefetch_related("groups")
        .order_by("-is_active", "last_name", "username")
    )
    for u in users:
        u.role = role_of(u) if u.is_active else None
        names = [g.name for g in u.groups.all()]
        u.role_label = u.role.label if u.role else (", ".join(names) or "No role")
        u.mfa_required = must_use_second_factor(u)
    pending = list(staff_reset_pending_list())
    for reset in pending:
        reset.refusal = reset_approve_refusal(request.user, reset)
    return render(request, "intake/staff_list.html", {"users": users, "pending": pending})


@policy(Perm.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_create_view(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A refusal naming no field is the password validators'.
        with service_errors(form, field="password1") as refused:
            user = staff_create(
                **{k: data[k] for k in STAFF_CREATE_FIELDS},
                password=data["password1"],
                email=data["email"],
            )
        if not refused:
            staff_account_audit(actor=request.user, user=user, change="created", action="create")
            messages.success(request, f"Account {user.username} created.")
            return redirect("intake:staff-list")
    return render(request, "intake/staff_form.html", {"form": form, "title": "New account"})


@policy(Perm.STAFF_MANAGE)
@require_POST
def staff_deactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _member(user_id)
    with refusal_messages(request) as refused:
        staff_deactivate(actor=request.user, user=user)
    if not refused:
        messages.success(request, f"{user.username} is deactivated and signed out.")
    return redirect("intake:staff-list")


@policy(Perm.STAFF_MANAGE)
@require_POST
def staff_reactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _member(user_id)
    staff_reactivate(actor=request.user, user=user)
    messages.success(request, f"{user.username} may sign in again.")
    return redirect("intake:staff-list")


@policy(Perm.STAFF_MANAGE)
@require_POST
def staff_mfa_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _member(user_id)
    if staff_mfa_reset(actor=request.user, user=user) is not None:
        messages.info(
            request,
            SECOND_ADMINISTRATOR_NOTICE.format(
                what="A second-factor reset",
                username=user.username,
                hours=STAFF_RESET_REQUEST_HOURS,
            ),
        )
    else:
        messages.success(
            request, f"{user.username}'s second factor is removed; they enrol again at sign-in."
        )
    return redirect("intake:staff-list")


@policy(Perm.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_password_view(request: HttpRequest, user_id: int) -> HttpResponse:
    member = _member(user_id)
    form = StaffPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form, field="password1") as refused:
            pending = staff_set_password(
                actor=request.user, user=member, password=form.cleaned_data["password1"]
            )
        if not refused:
            if pending is not None:
                messages.info(
                    request,
                    SECOND_ADMINISTRATOR_NOTICE.format(
                        what="A new password",
                        username=member.username,
                        hours=STAFF_RESET_REQUEST_HOURS,
                    ),
                )
            else:
                messages.success(request, f"New password set for {member.username}.")
            return redirect("intake:staff-list")
    return render(
        request,
        "intake/staff_form.html",
        {"form": form, "title": f"Reset the password of {member.username}", "member": member},
    )


@policy(Perm.STAFF_MANAGE)
@require_POST
def staff_reset_approve_view(request: HttpRequest, reset_id: int) -> HttpResponse:
    """A second administrator approves a pending reset of an administrator's or a privacy
    officer's password or second factor."""
    reset = (
        StaffResetRequest.objects.select_related("user")
        .filter(pk=reset_id, user__is_superuser=False)
        .first()
    )
    if reset is None:
        raise Http404("No such reset request.")
    with refusal_messages(request) as refused:
        staff_reset_approve(actor=request.user, reset=reset)
    if not refused:
        messages.success(
            request, f"Approved: the {reset.get_kind_display().lower()} of {reset.user} is reset."
        )
    return redirect("intake:staff-list")
