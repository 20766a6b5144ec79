"""Making a disclosure with the patient's consent (42 CFR 2.31-2.33): refused unless an active
consent covers the recipient, the purpose and the kind of record; recorded with what was sent
and the redisclosure notice (§2.32); audited as an export."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.exceptions import RuleViolation
from intake.models import (
    REDISCLOSURE_NOTICE,
    AuditAction,
    AuditOutcome,
    Consent,
    ConsentStatus,
    Disclosure,
    DisclosureContent,
    Patient,
)
from intake.selectors.disclosure import disclosure_document
from intake.selectors.disclosure_counseling import private_notes_to_disclose
from intake.services.audit import audit_record
from intake.signing import disclosure_sha256

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DisclosureRefused(RuleViolation):
    """No active consent covers this disclosure (HTTP 403 with the reason)."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.code = code


def _refusal(
    consent: Consent, *, recipient: str, purpose: str, content: str
) -> tuple[str, str] | None:
    """(why, code) when `consent` does not cover this disclosure today; None when it does."""
    today = timezone.localdate()
    status = consent.status_on(today)
    if status == ConsentStatus.REVOKED:
        return f"The consent was revoked on {consent.revoked_on}.", "consent-revoked"
    if status == ConsentStatus.EXPIRED:
        return f"The consent expired on {consent.expires_on}.", "consent-expired"
    if not consent.covers_recipient(recipient):
        return "The consent does not name this recipient.", "recipient-not-covered"
    if not consent.covers_purpose(purpose):
        return "The consent does not cover this purpose.", "purpose-not-covered"
    if content not in consent.content_kinds:
        label = DisclosureContent(content).label.lower()
        return f"The consent does not cover this information ({label}).", "content-not-covered"
    return None


# Counseling notes are disclosed by their author alone (docs/clinical-rules.md#counseling-notes):
# the same refusal whether or not a colleague wrote some, so it tells nothing of theirs.
NO_OWN_COUNSELING_NOTES = (
    "You have no signed SUD counseling notes of your own for this patient. Counseling notes are "
    "seen and disclosed only by the clinician who wrote them, from signed session notes "
    "(42 CFR 2.11, 2.31(b))."
)


def _counseling_refusal(*, actor: User, patient: Patient, content: str) -> tuple[str, str] | None:
    if content != DisclosureContent.SUD_COUNSELING_NOTES:
        return None
    if private_notes_to_disclose(patient=patient, requester=actor):
        return None
    return NO_OWN_COUNSELING_NOTES, "no-own-counseling-notes"


def _check_request(*, recipient: str, purpose: str, content: str) -> None:
    errors = {}
    if not recipient:
        errors["recipient"] = ["Name the recipient."]
    if not purpose:
        errors["purpose"] = ["Give the purpose of the disclosure."]
    if content not in DisclosureContent.values:
        errors["content"] = [f"Choose one of {', '.join(DisclosureContent.values)}."]
    if errors:
        raise ValidationError(errors)


def _store(
    *, actor: User, patient: Patient, consent: Consent, recipient: str, purpose: str, content: str
) -> Disclosure:
    document = disclosure_document(patient=patient, content=content, requester=actor)
    disclosure = Disclosure.objects.create(
        patient=patient,
        consent=consent,
        recipient=recipient,
        purpose=purpose,
        content=content,
        notice=REDISCLOSURE_NOTICE,
        document=document,
        document_sha256=disclosure_sha256(document),
        disclosed_at=timezone.now(),
        disclosed_by=actor,
        created_by=actor,
        updated_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        patient=patient,
        obj=disclosure,
        detail={"content": content, "consent": str(consent.pk)},
    )
    return disclosure


def disclosure_make(
    *,
    actor: User,
    patient: Patient,
    consent_id: uuid.UUID | str,
    recipient: str,
    purpose: str,
    content: str,
) -> Disclosure:
    recipient, purpose = (recipient or "").strip(), (purpose or "").strip()
    _check_request(recipient=recipient, purpose=purpose, content=content)
    refusal = None
    with transaction.atomic():
        # Locked: a revocation recorded at the same moment waits for this disclosure (or wins).
        consent = (
            Consent.objects.select_for_update(no_key=True)
            .filter(pk=consent_id, patient=patient)
            .first()
        )
        if consent is None:
            raise ValidationError({"consent": ["No consent with this id for this patient."]})
        refusal = _refusal(
            consent, recipient=recipient, purpose=purpose, content=content
        ) or _counseling_refusal(actor=actor, patient=patient, content=content)
        if refusal is None:
            return _store(
                actor=actor,
                patient=patient,
                consent=consent,
                recipient=recipient,
                purpose=purpose,
                content=content,
            )
    reason, code = refusal
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        outcome=AuditOutcome.DENIED,
        patient=patient,
        object_type="disclosure",
        detail={"reason": code, "consent": str(consent_id), "content": content},
    )
    raise DisclosureRefused(reason, code)
