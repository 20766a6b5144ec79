"""Running a group session and signing its notes (docs/clinical-rules.md#group-sessions).

`group_session_create` stores the group, its roll and one draft session note of kind `group`
for each attendee present (the shared summary as the note's data, the attendee's own note as
its assessment), all in one transaction. The facilitator must be on the care team of every
patient on the roll; an unknown patient and one outside their care teams are refused with the
same words, by their row. The patient rows are locked first, in one statement in key order
(docs/concurrency.md), so two groups written at once with the same patients never deadlock.

Privacy: each patient's audit event names their own note only, never another attendee.

`group_session_sign` signs all of the group's draft notes at once, as a single note is signed:
the facilitator's password, then their second factor (services/reauth.py), and each note's hash
by the one function every session note is signed and verified with
(services/session_note.py `session_note_compute_hash`)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import access
from intake.dates import past_date_error
from intake.exceptions import RecordSigned, RollRefused, RuleViolation
from intake.models import (
    AuditAction,
    Episode,
    EpisodeStatus,
    GroupAttendee,
    GroupSession,
    Modality,
    Patient,
    SessionKind,
    SessionNote,
    SessionNoteStatus,
)
from intake.services.audit import audit_records_each
from intake.services.reauth import (
    ReauthFailed,
    reauth_check_password,
    reauth_check_second_factor,
    reauth_refuse_if_locked,
    record_reauth_failure,
)
from intake.services.session_note import session_note_compute_hash

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_TITLE = 200
MAX_DURATION = 720
MAX_ATTENDEES = 60
# One text for a patient who does not exist and one outside the facilitator's care teams.
NO_SUCH_PATIENT = "No patient with this id."
TWICE_ON_ROLL = "This patient is already on the roll."
NOBODY_PRESENT = "Mark at least one attendee as present."
NOTE_FOR_ABSENT = "An absent attendee gets no note: mark them present or leave the note empty."


@dataclass(frozen=True)
class Attendee:
    """One row of the roll as the form or the API sent it."""

    patient: str
    attended: bool
    note: str = ""


def _check_group(
    *, title: str, modality: str, held_on: datetime.date, duration_minutes: int, summary: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Give the group a title."]
    elif len(title) > MAX_TITLE:
        errors["title"] = [f"At most {MAX_TITLE} characters."]
    if modality not in Modality.values:
        errors["modality"] = ["Choose the group's modality."]
    if not isinstance(held_on, datetime.date) or held_on > timezone.localdate():
        errors["held_on"] = ["A group is recorded once it has been held: not a future date."]
    elif too_early := past_date_error(held_on, what="The group's date"):
        errors["held_on"] = [too_early]
    if not isinstance(duration_minutes, int) or not 1 <= duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = [f"Between 1 and {MAX_DURATION} minutes."]
    if not summary:
        errors["summary"] = ["Write the shared summary of the session."]
    return errors


def _patient_pk(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _roll_refusals(roll: Sequence[Attendee], reachable: set[uuid.UUID]) -> dict[str, list[str]]:
    """Refusals by row: a patient not among `reachable` (unknown, or off the facilitator's
    care teams: the same words), twice on the roll, or absent with a note."""
    positions: dict[str, list[str]] = {}
    seen: set[uuid.UUID] = set()
    for index, row in enumerate(roll):
        pk = _patient_pk(row.patient)
        if pk is None or pk not in reachable:
            positions[str(index)] = [NO_SUCH_PATIENT]
        elif pk in seen:
            positions[str(index)] = [TWICE_ON_ROLL]
        elif not row.attended and row.note.strip():
            positions[str(index)] = [NOTE_FOR_ABSENT]
        if pk is not None:
            seen.add(pk)
    return positions


def _lock_roll(
    actor: User, group: dict[str, Any], roll: Sequence[Attendee]
) -> dict[uuid.UUID, Patient]:
    """Check the group's fields, then lock the roll's patients of the facilitator's care teams
    in one statement in key order (docs/concurrency.md) and check the roll against them: a
    membership ended meanwhile refuses its row. {patient id: patient}, locked."""
    errors = _check_group(**group)
    if len(roll) > MAX_ATTENDEES:
        errors["attendees"] = [f"A group has at most {MAX_ATTENDEES} attendees."]
        raise ValidationError(errors)
    pks = sorted({pk for pk in (_patient_pk(row.patient) for row in roll) if pk is not None})
    locked = {
        p.pk: p
        for p in access.group_patients(actor)
        .filter(pk__in=pks)
        .select_for_update(no_key=True)
        .order_by("pk")
    }
    positions = _roll_refusals(roll, set(locked))
    if positions:
        raise RollRefused(positions)
    if not any(row.attended for row in roll):
        errors["attendees"] = [NOBODY_PRESENT]
    if errors:
        raise ValidationError(errors)
    return locked


def _active_episodes(pks: Sequence[uuid.UUID]) -> dict[uuid.UUID, Episode]:
    episodes = Episode.objects.filter(patient_id__in=pks, status=EpisodeStatus.ACTIVE).order_by(
        "admitted_on"
    )
    return {e.patient_id: e for e in episodes}  # the latest admission wins


@transaction.atomic
def group_session_create(
    *,
    actor: User,
    title: str,
    modality: str,
    held_on: datetime.date,
    duration_minutes: int,
    summary: str,
    attendees: Sequence[Attendee],
) -> GroupSession:
    """Store the group, its roll and a draft group note per attendee present; nothing when any
    of it is refused (ValidationError by field, RollRefused by roll row)."""
    if not access.has_perm(actor, access.Perm.GROUP_SESSION_RUN):
        raise RuleViolation("Your role does not run groups.")
    title, summary = (title or "").strip(), (summary or "").strip()
    fields = dict(
        title=title,
        modality=modality,
        held_on=held_on,
        duration_minutes=duration_minutes,
        summary=summary,
    )
    patients = _lock_roll(actor, fields, attendees)
    episodes = _active_episodes(list(patients))
    group = GroupSession(facilitator=actor, created_by=actor, updated_by=actor, **fields)
    group.save()  # checked above; the table's constraints hold the same rules
    GroupAttendee.objects.bulk_create(
        [
            GroupAttendee(group=group, patient_id=uuid.UUID(row.patient), attended=row.attended)
            for row in attendees
        ]
    )
    present = [(uuid.UUID(row.patient), row.note.strip()) for row in attendees if row.attended]
    notes = SessionNote.objects.bulk_create(
        [_note(actor, group, patients[pk], episodes.get(pk), note) for pk, note in present]
    )
    # Each patient's own event names their own note (or, absent, the group) and never the
    # other attendees; all in one INSERT.
    detail = {"kind": SessionKind.GROUP.value, "group_session": str(group.pk)}
    written = [(note.patient_id, note, detail) for note in notes]
    missed = [
        (uuid.UUID(row.patient), group, {"attended": False})
        for row in attendees
        if not row.attended
    ]
    audit_records_each(actor=actor, action=AuditAction.CREATE, records=written)
    if missed:
        audit_records_each(
            actor=actor, action=AuditAction.CREATE, records=missed, object_type="group-attendance"
        )
    return group


def _note(
    actor: User, group: GroupSession, patient: Patient, episode: Episode | None, note: str
) -> SessionNote:
    return SessionNote(
        patient=patient,
        episode=episode,
        group_session=group,
        author=actor,
        kind=SessionKind.GROUP,
        session_date=group.held_on,
        duration_minutes=group.duration_minutes,
        data=group.summary,
        assessment=note,
        status=SessionNoteStatus.DRAFT,
        created_by=actor,
        updated_by=actor,
    )


# Signing -------------------------------------------------------------------------------------


def group_session_sign(
    *, actor: User, group: GroupSession, password: str, otp: str | None = None
) -> list[SessionNote]:
    """The facilitator signs every draft note of the group at once. A wrong password or code
    is audited and counted toward the lockout after the signing transaction rolled back."""
    if not access.can_sign_group_session(actor, facilitator_id=group.facilitator_id):
        raise RuleViolation("Only the facilitator of a group signs its notes.")
    reauth_refuse_if_locked(actor)
    try:
        return _sign(actor=actor, group=group, password=password, otp=otp)
    except ReauthFailed as failure:
        raise record_reauth_failure(user=actor, failure=failure, obj=group) from None


@transaction.atomic
def _sign(*, actor: User, group: GroupSession, password: str, otp: str | None) -> list[SessionNote]:
    notes = list(
        SessionNote.objects.select_for_update(of=("self",), no_key=True)
        .filter(group_session=group, status=SessionNoteStatus.DRAFT)
        .prefetch_related("progress")  # hashed with the note: none for a group, in one query
        .order_by("pk")
    )
    if not notes:
        raise RecordSigned("Every note of this group is already signed.")
    reauth_check_password(actor, password)
    # Last, so that a single-use code is spent only on a signature that goes through.
    reauth_check_second_factor(actor, otp)
    now, role = timezone.now(), access.signer_role(actor)
    for note in notes:
        note.status = SessionNoteStatus.SIGNED
        note.signed_at = now
        note.signed_role = role
        note.updated_by = actor
        note.updated_at = now
        note.content_hash = session_note_compute_hash(note=note)
    SessionNote.objects.bulk_update(
        notes, ["status", "signed_at", "signed_role", "updated_by", "content_hash", "updated_at"]
    )
    audit_records_each(
        actor=actor,
        action=AuditAction.SIGN,
        records=[(n.patient_id, n, {"content_hash": n.content_hash}) for n in notes],
    )
    return notes
