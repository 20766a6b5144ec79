"""Creating staff accounts (management command, seed data and the staff page use this)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.exceptions import RuleViolation
from intake.models import (
    AuditOutcome,
    ResetKind,
    ResetStatus,
    Role,
    StaffProfile,
    StaffResetRequest,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A reset of an administrator's or privacy officer's credentials waits this long for a second
# administrator's approval, then lapses.
STAFF_RESET_REQUEST_HOURS = 24
# The staff-account audit `change` of each kind of reset ("password-reset", and
# "password-reset-requested" for the request).
RESET_CHANGE = {ResetKind.PASSWORD: "password-reset", ResetKind.MFA: "mfa-reset"}


# The account's details staff_create takes by these names (besides the password and e-mail):
# the staff page's form and the create_staff command pass them through as they come.
STAFF_CREATE_FIELDS = (
    "username",
    "role",
    "first_name",
    "last_name",
    "license_type",
    "license_number",
    "may_diagnose",
)


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
) -> User:
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


def staff_account_audit(
    *,
    actor: User,
    user: User,
    change: str,
    action: str = "update",
    outcome: str = AuditOutcome.ALLOWED,
    **detail: object,
) -> None:
    from intake.services.audit import audit_record

    audit_record(
        actor=actor,
        action=action,
        outcome=outcome,
        object_type="staff-account",
        object_id=str(user.pk),
        detail={"change": change, **detail},
    )


def _end_api_tokens(user: User) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


@transaction.atomic
def staff_deactivate(*, actor: User, user: User) -> None:
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
def staff_reactivate(*, actor: User, user: User) -> None:
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        staff_account_audit(actor=actor, user=user, change="reactivated")


@transaction.atomic
def staff_set_password(*, actor: User, user: User, password: str) -> StaffResetRequest | None:
    """Set `user`'s password. For an administrator or a privacy officer this only asks: the
    returned pending request takes effect when a second administrator approves it
    (staff_reset_approve). Otherwise at once (None)."""
    from intake.access import reset_needs_second_administrator

    validate_password(password, user)
    if reset_needs_second_administrator(user):
        return _reset_request(
            actor=actor, user=user, kind=ResetKind.PASSWORD, password=make_password(password)
        )
    user.set_password(password)
    user.save(update_fields=["password"])
    _end_api_tokens(user)
    staff_account_audit(actor=actor, user=user, change="password-reset")
    return None


@transaction.atomic
def staff_mfa_reset(*, actor: User, user: User) -> StaffResetRequest | None:
    """Remove `user`'s second factor (they enrol again at sign-in). For an administrator or a
    privacy officer this only asks, as staff_set_password does."""
    from intake.access import reset_needs_second_administrator

    if reset_needs_second_administrator(user):
        return _reset_request(actor=actor, user=user, kind=ResetKind.MFA)
    _apply_mfa_reset(user)
    staff_account_audit(actor=actor, user=user, change="mfa-reset")
    return None


def _apply_mfa_reset(user: User) -> None:
    from intake.services.mfa import mfa_reset

    mfa_reset(user=user)
    _end_api_tokens(user)


def _reset_request(
    *, actor: User, user: User, kind: ResetKind, password: str = ""
) -> StaffResetRequest:
    """A pending reset; one that was pending for the same account and kind is replaced."""
    StaffResetRequest.objects.select_for_update(no_key=True).filter(
        user=user, kind=kind, status=ResetStatus.PENDING
    ).update(status=ResetStatus.SUPERSEDED, password="")
    reset = StaffResetRequest(
        user=user,
        kind=kind,
        password=password,
        requested_by=actor,
        expires_at=timezone.now() + datetime.timedelta(hours=STAFF_RESET_REQUEST_HOURS),
    )
    reset.full_clean()
    reset.save()
    staff_account_audit(
        actor=actor, user=user, change=f"{RESET_CHANGE[kind]}-requested", request=reset.pk
    )
    return reset


def staff_reset_approve(*, actor: User, reset: StaffResetRequest) -> StaffResetRequest:
    """A second administrator approves a pending reset, which takes effect now. Refused
    (RuleViolation, audited as denied, nothing changed) for the one who asked, the person whose
    account it is, and a request that was replaced, already approved or has expired."""
    approved, refusal = _reset_approve(actor=actor, reset_id=reset.pk)
    if refusal:
        staff_account_audit(
            actor=actor,
            user=reset.user,
            change=RESET_CHANGE[ResetKind(reset.kind)],
            outcome=AuditOutcome.DENIED,
            request=reset.pk,
            reason=refusal[1],
        )
        raise RuleViolation(refusal[0])
    return approved


@transaction.atomic
def _reset_approve(
    *, actor: User, reset_id: int
) -> tuple[StaffResetRequest, tuple[str, str] | None]:
    from intake.access import reset_approve_refusal

    reset = (
        StaffResetRequest.objects.select_for_update(no_key=True)
        .select_related("user")
        .get(pk=reset_id)
    )
    duty = reset_approve_refusal(actor, reset)
    if duty:
        return reset, (duty, "separation-of-duties")
    if reset.status != ResetStatus.PENDING:
        return reset, ("This reset is no longer pending.", "not-pending")
    if reset.expires_at <= timezone.now():
        return reset, (
            f"This reset expired {STAFF_RESET_REQUEST_HOURS} hours after it was asked for; "
            "ask again.",
            "expired",
        )
    user = reset.user
    if reset.kind == ResetKind.PASSWORD:
        user.password = reset.password
        user.save(update_fields=["password"])
        _end_api_tokens(user)
    else:
        _apply_mfa_reset(user)
    reset.status = ResetStatus.APPROVED
    reset.approved_by = actor
    reset.approved_at = timezone.now()
    reset.password = ""
    reset.save(update_fields=["status", "approved_by", "approved_at", "password"])
    staff_account_audit(
        actor=actor,
        user=user,
        change=RESET_CHANGE[ResetKind(reset.kind)],
        request=reset.pk,
        requested_by=reset.requested_by_id,
    )
    return reset, None


def staff_mfa_reset_notice(*, user: User) -> str:
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
