"""Re-authentication before a signature: the signer's own password, then (for an account with
an authenticator) its current code. A wrong answer counts toward the same lockout as a wrong
sign-in (django-axes) and is audited as a denied `sign`; a locked account cannot sign.

Failures are raised as ReauthFailed from inside the signing transaction and recorded by
`record_reauth_failure` after it has rolled back, so the record of the failure survives the
rollback of the signature it refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError

from intake.exceptions import RuleViolation
from intake.models import AuditAction, AuditOutcome
from intake.request_context import current_request
from intake.services.audit import audit_record
from intake.services.mfa import mfa_enrolled, mfa_required, mfa_verify

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Model

    from intake.models import Patient

LOCKED_MESSAGE = (
    "Too many failed sign-ins or signatures: this account is locked for now. Try again later."
)


class ReauthFailed(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _credentials(user: User) -> dict[str, str]:
    return {"username": user.get_username()}


def reauth_refuse_if_locked(user: User) -> None:
    request = current_request.get()
    if request is not None and AxesProxyHandler.is_locked(request, _credentials(user)):
        raise RuleViolation(LOCKED_MESSAGE)


def reauth_check_password(user: User, password: str | None) -> None:
    if not password or not user.check_password(password):
        raise ReauthFailed("password", "Incorrect password: the signature needs your own.")


def reauth_check_second_factor(user: User, otp: str | None) -> None:
    """An account with an authenticator proves it; an account whose role requires one
    (physicians) must have enrolled it before signing. Call last: a code is single-use."""
    if mfa_enrolled(user):
        if not otp or not mfa_verify(user, otp):
            raise ReauthFailed("otp", "Enter the current code from your authenticator.")
    elif mfa_required(user):
        raise RuleViolation("Set up your second factor (authenticator app) before signing.")


def record_reauth_failure(
    *, user: User, failure: ReauthFailed, obj: Model, patient: Patient | None = None
) -> ValidationError:
    """Audit the refused signature and count it toward the lockout; returns the error to raise.
    Call outside the signing transaction. `patient` None: a record of no one patient (a group)."""
    audit_record(
        actor=user,
        action=AuditAction.SIGN,
        outcome=AuditOutcome.DENIED,
        patient=patient,
        obj=obj,
        detail={"reason": f"reauthentication-{failure.field}"},
    )
    reauth_count_failure(user)
    return ValidationError({failure.field: [failure.message]})


def reauth_count_failure(user: User) -> None:
    """A wrong password or code given while signed in (signing, changing the second factor)
    counts toward the sign-in lockout, as a wrong sign-in does."""
    request = current_request.get()
    if request is not None:
        user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
