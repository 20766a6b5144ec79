"""The DRAFTS section of the worklist: the person's unsigned intake interviews and session notes
(docs/clinical-rules.md#session-notes), oldest saved first, in one query: the patients with a
draft, oldest draft first, each carrying their drafts as two JSON arrays. The 25 oldest drafts
belong to at most 25 patients, each among the first 25 by oldest draft, so `limit` patients
with `limit` drafts each hold them all. (Draft plans come with the other plan sections.)"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject, Least
from django.urls import reverse

from intake import access
from intake.access import WorkItem
from intake.local_time import format_local
from intake.models import Patient, SessionKind
from intake.selectors.session_note import pending_draft_session_notes
from intake.selectors.worklist_pending import pending_draft_interviews
from intake.selectors.worklist_rows import WorkRow

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Drafts = list[tuple[datetime.datetime, WorkRow]]


def _oldest(qs: QuerySet[Any]) -> Subquery:
    return Subquery(qs.order_by("updated_at").values("updated_at")[:1])


def _rows(qs: QuerySet[Any], limit: int, **fields: str) -> ArraySubquery:
    json = JSONObject(id="id", at="updated_at", **fields)
    return ArraySubquery(qs.order_by("updated_at", "id").values(json=json)[:limit])


def _at(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def _interview_row(patient: Patient, i: dict[str, Any]) -> tuple[datetime.datetime, WorkRow]:
    at = _at(i["at"])
    return at, WorkRow(
        patient=patient,
        title=f"Intake interview of {i['on']}, not signed",
        detail=f"Last saved {format_local(at)}",
        url=reverse("intake:interview-detail", args=[patient.pk, i["id"]]),
        action="Finish and sign",
    )


def _note_row(patient: Patient, n: dict[str, Any]) -> tuple[datetime.datetime, WorkRow]:
    at = _at(n["at"])
    kind = SessionKind(n["kind"]).label if n["kind"] in SessionKind.values else n["kind"]
    return at, WorkRow(
        patient=patient,
        title=f"{kind} session note of {n['on']}, not signed",
        detail=f"Last saved {format_local(at)}",
        url=reverse("intake:session-note-detail", args=[patient.pk, n["id"]]),
        action="Finish and sign",
    )


def draft_record_rows(user: User, limit: int) -> Drafts:
    """`user`'s draft interviews and session notes as worklist rows, oldest saved first, at
    most `limit` (one query)."""
    interviews = pending_draft_interviews(user).filter(patient=OuterRef("pk"))
    notes = pending_draft_session_notes(user).filter(patient=OuterRef("pk"))
    patients = (
        # From the person's care teams (a few hundred rows), not every patient of the network.
        access.worklist_patients(user, WorkItem.DRAFTS)
        .filter(Q(Exists(interviews)) | Q(Exists(notes)))
        .annotate(
            oldest_draft=Least(_oldest(interviews), _oldest(notes)),
            draft_interviews=_rows(interviews, limit, on="interviewed_on"),
            draft_notes=_rows(notes, limit, on="session_date", kind="kind"),
        )
        .order_by("oldest_draft", "pk")[:limit]
    )
    rows: Drafts = []
    for patient in patients:
        rows.extend(_interview_row(patient, i) for i in patient.draft_interviews)
        rows.extend(_note_row(patient, n) for n in patient.draft_notes)
    rows.sort(key=lambda pair: pair[0])
    return rows[:limit]
