"""Writing session notes (docs/clinical-rules.md#session-notes): drafts, signing, addenda, and the
SUD counseling notes kept apart (docs/clinical-rules.md#counseling-notes).

A draft is written, edited and signed by its author only, with an optimistic lock (`revision`).
Signing (password, and second factor where enrolled: services/reauth.py) stores the SHA-256 of
the note's canonical JSON (intake.signing), counseling notes excluded; from then on a database
trigger refuses any change (migration 0026). A correction is a signed addendum whose hash also
covers the note's. The attendees' notes of a group run here are written by the group session
service (services/group_session.py); a group note written here documents a group for this
patient alone.

Locks (docs/concurrency.md): the note row only (level 3); a new note locks nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import access
from intake.dates import past_date_error
from intake.exceptions import RecordSigned, RuleViolation, StaleVersion
from intake.models import (
    AuditAction,
    CounselingNote,
    Patient,
    PlanBehavioral,
    Progress,
    SessionKind,
    SessionNote,
    SessionNoteAddendum,
    SessionNoteProgress,
    SessionNoteStatus,
    Target,
    TreatmentPlan,
)
from intake.selectors.session_note import active_plan_for_notes
from intake.services.audit import audit_record
from intake.signing import content_sha256, json_ready

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Typed = Mapping[str, Any]

HASH_SCHEMA = "clinic-intake/session-note/v1"
ADDENDUM_HASH_SCHEMA = "clinic-intake/session-note-addendum/v1"
# What session_note_create / session_note_update accept in `data` (the model's names).
WRITABLE_FIELDS = ("kind", "session_date", "duration_minutes", "data", "assessment", "plan_text")
TEXT_FIELDS = ("data", "assessment", "plan_text")
MAX_TEXT = 10_000
DURATION = (1, 720)

# Canonical content and hashes ------------------------------------------------------------


def session_note_canonical_content(
    *, note: SessionNote, progress: Iterable[SessionNoteProgress] | None = None
) -> dict[str, Any]:
    """The signed content: identity, the DAP text, the progress rows (sorted by target) and the
    signature's time and role. Never the counseling notes: they are not part of the record."""
    rows = note.progress.all() if progress is None else progress
    return {
        "schema": HASH_SCHEMA,
        "note": str(note.pk),
        "patient": str(note.patient_id),
        "author": note.author_id,
        "treatment_plan": str(note.plan_id) if note.plan_id else None,
        "group_session": str(note.group_session_id) if note.group_session_id else None,
        "kind": note.kind,
        "session_date": json_ready(note.session_date),
        "duration_minutes": note.duration_minutes,
        "data": note.data,
        "assessment": note.assessment,
        "plan": note.plan_text,
        "progress": sorted(
            ({"target": r.target, "status": r.status, "component": r.component_id} for r in rows),
            key=lambda r: str(r["target"]),
        ),
        "signed_at": json_ready(note.signed_at),
        "signed_role": note.signed_role,
    }


def session_note_compute_hash(
    *, note: SessionNote, progress: Iterable[SessionNoteProgress] | None = None
) -> str:
    return content_sha256(session_note_canonical_content(note=note, progress=progress))


def session_note_verify_hash(*, note: SessionNote) -> bool | None:
    """Signed: whether the stored content still has the hash it was signed with. Draft: None."""
    if note.status != SessionNoteStatus.SIGNED or not note.content_hash:
        return None
    return session_note_compute_hash(note=note) == note.content_hash


def _addendum_content(*, addendum: SessionNoteAddendum, note_hash: str) -> dict[str, Any]:
    return {
        "schema": ADDENDUM_HASH_SCHEMA,
        "addendum": str(addendum.pk),
        "note": str(addendum.note_id),
        # Chained: the addendum also vouches for the signed note it amends.
        "note_hash": note_hash,
        "author": addendum.author_id,
        "signed_at": json_ready(addendum.signed_at),
        "signed_role": addendum.signed_role,
        "text": addendum.text,
    }


def session_note_addendum_compute_hash(*, addendum: SessionNoteAddendum, note_hash: str) -> str:
    return content_sha256(_addendum_content(addendum=addendum, note_hash=note_hash))


def session_note_addendum_verify_hash(*, addendum: SessionNoteAddendum, note: SessionNote) -> bool:
    expected = session_note_addendum_compute_hash(addendum=addendum, note_hash=note.content_hash)
    return expected == addendum.content_hash


# Checking what was typed -------------------------------------------------------------------


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _check_fields(note: SessionNote, errors: dict[str, list[str]]) -> None:
    if note.group_session_id is not None and note.kind != SessionKind.GROUP:
        _add(
            errors,
            "kind",
            "This is an attendee's note of a group session: it stays a group note.",
        )
    elif note.kind not in SessionKind.values:
        _add(errors, "kind", f"Unknown kind of session: {note.kind!r}.")
    if not isinstance(note.session_date, datetime.date):
        _add(errors, "session_date", "Give the date of the session.")
    elif note.session_date > timezone.localdate():
        _add(errors, "session_date", "The session date cannot be in the future.")
    elif too_early := past_date_error(
        note.session_date, patient=note.patient, what="The session date"
    ):
        _add(errors, "session_date", too_early)
    low, high = DURATION
    if not isinstance(note.duration_minutes, int) or not low <= note.duration_minutes <= high:
        _add(errors, "duration_minutes", f"The duration is {low} to {high} minutes.")
    for name in TEXT_FIELDS:
        text = getattr(note, name)
        if "\x00" in text:
            _add(errors, name, "NUL characters are not allowed.")
        elif len(text) > MAX_TEXT:
            _add(errors, name, f"At most {MAX_TEXT:,} characters.")


def _label(target: str) -> str:
    return f"{Target(target).label} ({target})" if target in Target.values else repr(target)


def _progress_rows(
    note: SessionNote, plan: TreatmentPlan | None, progress: Iterable[Typed]
) -> tuple[list[SessionNoteProgress], list[str]]:
    """The progress rows, each on the first behavioral component of the active plan holding
    its target; the errors for targets the plan does not hold, unknown statuses, repeats."""
    components: list[PlanBehavioral] = list(plan.behavioral.all()) if plan else []
    rows, errors, seen = [], [], set()
    for item in progress:
        target, status = str(item.get("target") or ""), str(item.get("status") or "")
        holder = next((c for c in components if target in c.targets), None)
        if target in seen:
            errors.append(f"The target {_label(target)} is named twice.")
        elif holder is None:
            where = "the active signed plan" if plan else "an active signed plan (there is none)"
            errors.append(f"The target {_label(target)} is not a target of {where}.")
        elif status not in Progress.values:
            errors.append(f"Unknown progress {status!r} for the target {_label(target)}.")
        else:
            rows.append(
                SessionNoteProgress(note=note, component=holder, target=target, status=status)
            )
        seen.add(target)
    return rows, errors


def _counseling_text(value: str | None) -> str | None:
    """The counseling notes as typed, trimmed; None for none."""
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationError({"counseling_notes": ["NUL characters are not allowed."]})
    if len(text) > MAX_TEXT:
        raise ValidationError({"counseling_notes": [f"At most {MAX_TEXT:,} characters."]})
    return text or None


def _row_key(item: Typed) -> tuple[str, str]:
    return (str(item.get("target") or ""), str(item.get("status") or ""))


def _validated(
    note: SessionNote, plan: TreatmentPlan | None, progress: Iterable[Typed]
) -> list[SessionNoteProgress]:
    errors: dict[str, list[str]] = {}
    _check_fields(note, errors)
    rows, progress_errors = _progress_rows(note, plan, progress)
    for message in progress_errors:
        _add(errors, "progress", message)
    if errors:
        raise ValidationError(errors)
    return rows


def _apply(note: SessionNote, data: Typed) -> list[str]:
    changed = []
    for name in WRITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in TEXT_FIELDS and value is None:
            value = ""
        if getattr(note, name) != value:
            setattr(note, name, value)
            changed.append(name)
    return changed


# Writes ----------------------------------------------------------------------------------


@transaction.atomic
def session_note_create(
    *,
    actor: User,
    patient: Patient,
    data: Typed,
    progress: Iterable[Typed] = (),
    counseling_notes: str | None = None,
) -> SessionNote:
    """Start a draft note authored by `actor`, on the patient's active signed plan."""
    if not access.can(actor, access.Perm.SESSION_NOTE_WRITE, patient):
        raise RuleViolation("Only clinicians on the patient's care team may write session notes.")
    plan = active_plan_for_notes(patient=patient)
    note = SessionNote(
        patient=patient,
        author=actor,
        plan=plan,
        episode_id=plan.episode_id if plan else None,
        status=SessionNoteStatus.DRAFT,
        created_by=actor,
        updated_by=actor,
        data="",
        assessment="",
        plan_text="",
    )
    _apply(note, data)
    rows = _validated(note, plan, progress)
    text = _counseling_text(counseling_notes)
    note.save()
    SessionNoteProgress.objects.bulk_create(rows)
    if text:
        CounselingNote.objects.create(note=note, author=actor, text=text, created_by=actor)
    # Names and counts only: the text is PHI and the record itself holds it.
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=note,
        detail={"kind": note.kind, "progress": len(rows), "counseling_notes": bool(text)},
    )
    return note


def session_note_lock(note: SessionNote) -> SessionNote:
    """The note's row, locked (the note row only: docs/concurrency.md), with its patient."""
    return (
        SessionNote.objects.select_for_update(of=("self",), no_key=True)
        .select_related("patient")
        .get(pk=note.pk)
    )


def locked_draft(
    actor: User,
    note: SessionNote,
    *,
    signed: str = "This session note is signed and cannot be changed; add an addendum.",
) -> SessionNote:
    """The author's draft, locked, for editing or signing: RecordSigned (`signed`) once it is
    signed, RuleViolation when `actor` may not edit it."""
    locked = session_note_lock(note)
    if locked.status != SessionNoteStatus.DRAFT:
        raise RecordSigned(signed)
    refusal = access.session_note_edit_refusal(actor, locked)
    if refusal:
        raise RuleViolation(refusal)
    return locked


def _save_counseling(actor: User, note: SessionNote, text: str | None) -> bool:
    """Replace the note's counseling notes with `text` (None: remove them); True if changed."""
    current = CounselingNote.objects.filter(note=note).first()
    if text is None:
        if current is None:
            return False
        current.delete()
        return True
    if current is None:
        CounselingNote.objects.create(note=note, author=actor, text=text, created_by=actor)
        return True
    if current.text == text:
        return False
    current.text, current.updated_by = text, actor
    current.save(update_fields=["text", "updated_by", "updated_at"])
    return True


@transaction.atomic
def session_note_update(
    *,
    actor: User,
    note: SessionNote,
    data: Typed,
    revision: int | None,
    progress: Iterable[Typed] | None = None,
    counseling_notes: str | None | EllipsisType = ...,
) -> SessionNote:
    """Save the author's draft from the `revision` they read (StaleVersion otherwise; nothing
    is written). `progress`, when given, replaces the progress rows; `counseling_notes`, when
    given, replaces them ("" or None removes them). The targets are checked against the plan
    active now, and the note moves to it."""
    locked = locked_draft(actor, note)
    if revision is None:
        raise ValidationError({"revision": ["Send the revision you read."]})
    if revision != locked.revision:
        raise StaleVersion(current=locked)
    changed = _apply(locked, data)
    plan = active_plan_for_notes(patient=locked.patient)
    current = [{"target": r.target, "status": r.status} for r in locked.progress.all()]
    wanted = current if progress is None else [dict(p) for p in progress]
    rows = _validated(locked, plan, wanted)
    moved = locked.plan_id != (plan.pk if plan else None)
    if moved or sorted(map(_row_key, current)) != sorted(map(_row_key, wanted)):
        changed.append("progress")
    if moved:
        locked.plan = plan
        changed.append("treatment_plan")
    if not isinstance(counseling_notes, EllipsisType):
        text = _counseling_text(counseling_notes)
        if _save_counseling(actor, locked, text):
            changed.append("counseling_notes")
    if not changed:
        return locked
    if "progress" in changed:
        locked.progress.all().delete()
        SessionNoteProgress.objects.bulk_create(rows)
    locked.revision += 1
    locked.updated_by = actor
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=locked.patient,
        obj=locked,
        detail={"fields": changed, "revision": locked.revision},
    )
    return locked
