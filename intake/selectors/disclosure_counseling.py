"""The one document that carries SUD counseling notes: a disclosure under a consent that names
them and nothing else (42 CFR 2.31(b); docs/clinical-rules.md#counseling-notes).

Counseling notes are seen by their author only, so the document holds only the requesting
clinician's own counseling notes for this patient, from signed session notes (a draft is not
yet part of the record); none for a requester who may not disclose them (off the team, or
reaching the chart through an emergency-access grant). Nothing else in the project reads the
CounselingNote table for an export (tests/test_counseling_notes_kept_apart.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intake import access
from intake.models import CounselingNote, Patient, SessionNoteStatus

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from intake.access import RequestUser

COLUMNS = ["Session date", "Session", "Counseling notes"]


def _own_signed(*, patient: Patient, requester: RequestUser | None) -> QuerySet[CounselingNote]:
    account = access.staff_account(requester)
    if account is None or not access.can_disclose_counseling_notes(account, patient):
        return CounselingNote.objects.none()
    return (
        CounselingNote.objects.filter(
            note__patient=patient,
            note__status=SessionNoteStatus.SIGNED,
            author=account,
            note__author=account,
        )
        .select_related("note")
        .order_by("note__session_date", "note__created_at")
    )


def private_notes_to_disclose(*, patient: Patient, requester: RequestUser | None) -> bool:
    """Has the requester signed counseling notes of their own for this patient to disclose?"""
    return _own_signed(patient=patient, requester=requester).exists()


def private_notes_body(*, patient: Patient, requester: RequestUser | None) -> dict[str, Any]:
    """The document's body: one row per signed session note of the requester's that has
    counseling notes (the date, the kind of session, the notes). Nothing of the session note
    itself (its DAP, progress, a group's summary or roll) goes with them."""
    rows = [
        [c.note.session_date.isoformat(), c.note.get_kind_display(), c.text]
        for c in _own_signed(patient=patient, requester=requester)
    ]
    return {
        "note": (
            "SUD counseling notes (42 CFR 2.11), disclosed under a consent that names them "
            "alone (42 CFR 2.31(b)): those written by the disclosing clinician, from signed "
            "session notes."
        ),
        "sections": [{"title": "SUD counseling notes", "columns": COLUMNS, "rows": rows}],
    }
