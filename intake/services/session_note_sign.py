"""Signing a session note and adding a signed addendum (docs/clinical-rules.md#session-notes).

Both re-authenticate the signer (password, then the second factor where enrolled or required:
services/reauth.py); a wrong answer is audited and counted toward the lockout after the signing
transaction has rolled back. The note's hash leaves out its counseling notes; an addendum's
covers its text and the note's hash."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import access
from intake.exceptions import RecordSigned, RuleViolation
from intake.models import AuditAction, SessionNote, SessionNoteAddendum, SessionNoteStatus
from intake.services.audit import audit_record
from intake.services.reauth import (
    ReauthFailed,
    reauth_check_password,
    reauth_check_second_factor,
    reauth_refuse_if_locked,
    record_reauth_failure,
)
from intake.services.session_note import (
    MAX_TEXT,
    locked_draft,
    session_note_addendum_compute_hash,
    session_note_compute_hash,
    session_note_lock,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def session_note_sign(
    *, actor: User, note: SessionNote, password: str | None, otp: str | None = None
) -> SessionNote:
    """The author signs the draft: it becomes final and its content hash is stored."""
    reauth_refuse_if_locked(actor)
    try:
        return _sign(actor=actor, note=note, password=password, otp=otp)
    except ReauthFailed as failure:
        raise record_reauth_failure(
            user=actor, failure=failure, obj=note, patient=note.patient
        ) from None


@transaction.atomic
def _sign(*, actor: User, note: SessionNote, password: str | None, otp: str | None) -> SessionNote:
    locked = locked_draft(actor, note, signed="This session note is already signed.")
    reauth_check_password(actor, password)
    # Last, so that a single-use code is spent only on a signature that goes through.
    reauth_check_second_factor(actor, otp)
    locked.status = SessionNoteStatus.SIGNED
    locked.signed_at = timezone.now()
    locked.signed_role = access.signer_role(actor)
    locked.updated_by = actor
    locked.content_hash = session_note_compute_hash(
        note=locked, progress=list(locked.progress.all())
    )
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.SIGN,
        patient=locked.patient,
        obj=locked,
        detail={"content_hash": locked.content_hash},
    )
    return locked


def session_note_add_addendum(
    *, actor: User, note: SessionNote, text: str, password: str | None, otp: str | None = None
) -> SessionNoteAddendum:
    """A clinician of the care team adds a signed, dated addendum to a signed note; the note
    itself never changes."""
    reauth_refuse_if_locked(actor)
    try:
        return _add_addendum(actor=actor, note=note, text=text, password=password, otp=otp)
    except ReauthFailed as failure:
        raise record_reauth_failure(
            user=actor, failure=failure, obj=note, patient=note.patient
        ) from None


@transaction.atomic
def _add_addendum(
    *, actor: User, note: SessionNote, text: str, password: str | None, otp: str | None
) -> SessionNoteAddendum:
    locked = session_note_lock(note)
    if locked.status != SessionNoteStatus.SIGNED:
        raise RecordSigned(
            "Addenda are for signed session notes; the author edits a draft directly."
        )
    if not access.can_add_session_note_addendum(actor, locked):
        raise RuleViolation("Only clinicians on the patient's care team may add an addendum.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Write the addendum."]})
    if "\x00" in text or len(text) > MAX_TEXT:
        raise ValidationError({"text": [f"At most {MAX_TEXT:,} characters, no NUL characters."]})
    reauth_check_password(actor, password)
    reauth_check_second_factor(actor, otp)
    addendum = SessionNoteAddendum(
        note=locked,
        author=actor,
        text=text,
        signed_at=timezone.now(),
        signed_role=access.signer_role(actor),
        created_by=actor,
        updated_by=actor,
    )
    addendum.content_hash = session_note_addendum_compute_hash(
        addendum=addendum, note_hash=locked.content_hash
    )
    addendum.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=locked.patient,
        obj=addendum,
        detail={"session_note": str(locked.pk), "content_hash": addendum.content_hash},
    )
    return addendum
