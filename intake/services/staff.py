"""Creating staff accounts (management command, seed data and the staff page use this)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from intake.models import Role, StaffProfile


@transaction.atomic
def staff_create(
    *,
    username: str,
    role: Role | str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    license_type: str = "",
    license_number: str = "",
    may_diagnose: bool = False,
    may_prescribe: bool | None = None,
    validate: bool = True,
):
    User = get_user_model()
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(
            {"role": [f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."]}
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"The username {username!r} is taken."]})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role.label))
    if may_prescribe is None:
        may_prescribe = role == Role.PHYSICIAN
    StaffProfile.objects.create(
        user=user,
        license_type=license_type,
        license_number=license_number,
        may_diagnose=may_diagnose or role == Role.PHYSICIAN,
        may_prescribe=may_prescribe,
    )
    return user


# Account hygiene (clinic administrators): accounts are deactivated, never deleted, so audit
# rows and signatures keep pointing at them.


def staff_account_audit(*, actor, user, change: str, action: str = "update") -> None:
    from intake.services.audit import audit_record

    audit_record(
        actor=actor,
        action=action,
        object_type="staff-account",
        object_id=str(user.pk),
        detail={"change": change},
    )


def _end_api_tokens(user) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


@transaction.atomic
def staff_deactivate(*, actor, user) -> None:
    """Signs the account out everywhere: sessions of an inactive user no longer authenticate
    and its API tokens are deleted."""
    if user.pk == actor.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        _end_api_tokens(user)
        staff_account_audit(actor=actor, user=user, change="deactivated")


@transaction.atomic
def staff_reactivate(*, actor, user) -> None:
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        staff_account_audit(actor=actor, user=user, change="reactivated")


@transaction.atomic
def staff_set_password(*, actor, user, password: str) -> None:
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _end_api_tokens(user)
    staff_account_audit(actor=actor, user=user, change="password-reset")


@transaction.atomic
def staff_mfa_reset(*, actor, user) -> None:
    from intake.services.mfa import mfa_reset

    mfa_reset(user=user)
    _end_api_tokens(user)
    staff_account_audit(actor=actor, user=user, change="mfa-reset")


def staff_mfa_reset_notice(*, user) -> str:
    """What to tell `user` at sign-in when a clinic administrator reset their second factor
    since they last signed in (the newest `mfa-reset` staff-account audit row after their
    previous last_login); "" if none. Call before the sign-in updates last_login."""
    from django.utils import timezone
    from django.utils.formats import date_format

    from intake.models import AuditEvent, AuditOutcome

    events = AuditEvent.objects.filter(
        object_type="staff-account",
        object_id=str(user.pk),
        outcome=AuditOutcome.ALLOWED,
        detail__change="mfa-reset",
    )
    if user.last_login is not None:
        events = events.filter(at__gt=user.last_login)
    reset_at = events.order_by("-at").values_list("at", flat=True).first()
    if reset_at is None:
        return ""
    on = date_format(timezone.localtime(reset_at), "j F Y")
    return (
        f"Your second factor was reset by a clinic administrator on {on}; set up your "
        "authenticator again. If you did not ask for this, tell your privacy officer."
    )
