"""Sign-ins are audited. Django announces them only through these signals."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from intake.models import AuditAction, AuditOutcome
from intake.services.audit import audit_record


@receiver(user_logged_in, dispatch_uid="intake-audit-sign-in")
def audit_sign_in(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.SIGN_IN, object_type="session")


@receiver(user_login_failed, dispatch_uid="intake-audit-sign-in-failed")
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        actor=None,
        action=AuditAction.SIGN_IN,
        outcome=AuditOutcome.DENIED,
        object_type="session",
        username=str(credentials.get("username", ""))[:150],
    )
