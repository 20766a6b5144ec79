"""Account hygiene for clinic administrators: who has an account, when they last signed in,
creating, deactivating (never deleting), password and second-factor resets. Operators'
superuser accounts are not managed here (an administrator must not take one over)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.access import Perm, must_use_second_factor, role_of
from intake.forms.staff import StaffCreateForm, StaffPasswordForm
from intake.services.staff import (
    staff_account_audit,
    staff_create,
    staff_deactivate,
    staff_mfa_reset,
    staff_reactivate,
    staff_set_password,
)
from intake.views.decorators import policy


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
    return render(request, "intake/staff_list.html", {"users": users})


@policy(Perm.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_create_view(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = staff_create(
                username=data["username"],
                role=data["role"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                license_type=data["license_type"],
                license_number=data["license_number"],
                may_diagnose=data["may_diagnose"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("password1", exc.messages)
        else:
            staff_account_audit(actor=request.user, user=user, change="created", action="create")
            messages.success(request, f"Account {user.username} created.")
            return redirect("intake:staff-list")
    return render(request, "intake/staff_form.html", {"form": form, "title": "New account"})


@policy(Perm.STAFF_MANAGE)
@require_POST
def staff_deactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _member(user_id)
    try:
        staff_deactivate(actor=request.user, user=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
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
    staff_mfa_reset(actor=request.user, user=user)
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
        try:
            staff_set_password(
                actor=request.user, user=member, password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            form.add_error("password1", exc.messages)
        else:
            messages.success(request, f"New password set for {member.username}.")
            return redirect("intake:staff-list")
    return render(
        request,
        "intake/staff_form.html",
        {"form": form, "title": f"Reset the password of {member.username}", "member": member},
    )
