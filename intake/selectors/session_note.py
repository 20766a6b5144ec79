"""Reading session notes (docs/clinical-rules.md#session-notes): a patient's notes, one note, the
chart's card, a plan's components with their sessions, the author's drafts. Each function runs
a fixed number of queries, whatever the number of notes, progress rows or addenda.

SUD counseling notes (docs/clinical-rules.md#counseling-notes) are read here only for the one
viewer who may see them (access.can_view_counseling_notes): each note read for a user carries
`viewer_counseling_notes`, the text for its author and None for everyone else."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject
from django.http import Http404

from intake import access
from intake.access import Perm, WorkItem
from intake.models import (
    CounselingNote,
    Patient,
    PlanStatus,
    Progress,
    SessionNote,
    SessionNoteAddendum,
    SessionNoteProgress,
    SessionNoteStatus,
    Target,
    TreatmentPlan,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHART_LIMIT = 10


def _with_content(qs: QuerySet[SessionNote]) -> QuerySet[SessionNote]:
    return qs.select_related("author", "group_session").prefetch_related(
        Prefetch(
            "progress",
            queryset=SessionNoteProgress.objects.order_by("id"),
        ),
        Prefetch(
            "addenda",
            queryset=SessionNoteAddendum.objects.select_related("author").order_by("signed_at"),
        ),
    )


def attach_counseling_notes(notes: Iterable[SessionNote], *, user: User) -> None:
    """Set `viewer_counseling_notes` on each note: its counseling notes when `user` may read
    them, None otherwise. One query, for the viewer's own notes only (nobody else's are ever
    loaded)."""
    notes = list(notes)
    mine = [n.pk for n in notes if access.can_view_counseling_notes(user, n)]
    texts: dict[uuid.UUID, str] = {}
    if mine:
        texts = dict(
            CounselingNote.objects.filter(note__in=mine, author=user).values_list("note_id", "text")
        )
    for note in notes:
        note.viewer_counseling_notes = texts.get(note.pk) if note.pk in mine else None  # type: ignore[attr-defined]


def session_note_list(*, patient: Patient, user: User) -> list[SessionNote]:
    """A patient's session notes (group notes too), newest first, with progress and addenda
    (four queries with the viewer's counseling notes)."""
    notes = list(
        _with_content(SessionNote.objects.filter(patient=patient)).order_by(
            "-session_date", "-created_at"
        )
    )
    for note in notes:
        note.patient = patient  # already loaded and access-checked by the caller
    attach_counseling_notes(notes, user=user)
    return notes


def session_note_get(*, patient: Patient, note_id: uuid.UUID | str, user: User) -> SessionNote:
    """One note of this patient with everything its page shows; Http404 when it does not exist
    or belongs to another patient."""
    try:
        note = _with_content(SessionNote.objects.filter(patient=patient)).get(pk=note_id)
    except (SessionNote.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None
    note.patient = patient
    attach_counseling_notes([note], user=user)
    return note


def session_note_patient_id(*, note_id: uuid.UUID | str) -> uuid.UUID | None:
    """The patient behind a note id, or None (the resolver checks access to them first)."""
    try:
        patient_id: uuid.UUID | None = (
            SessionNote.objects.filter(pk=note_id).values_list("patient_id", flat=True).first()
        )
    except (ValueError, TypeError):
        return None
    return patient_id


def active_plan_for_notes(*, patient: Patient) -> TreatmentPlan | None:
    """The patient's active signed plan with its behavioral components (two queries): the
    targets a session note may name."""
    return (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .prefetch_related("behavioral")
        .first()
    )


def session_note_chart_columns() -> dict[str, Any]:
    """The chart card's notes as columns of the chart's own row (selectors/patient.py, one query
    for the whole chart): the latest CHART_LIMIT notes as a JSON array, and how many there are.
    Never their counseling notes."""
    notes = SessionNote.objects.filter(patient=OuterRef("pk"))
    addenda = (
        SessionNoteAddendum.objects.filter(note=OuterRef("pk"))
        .order_by()
        .values("note")
        .annotate(n=Count("pk"))
        .values("n")
    )
    note_json = JSONObject(
        id="id",
        kind="kind",
        session_date="session_date",
        duration_minutes="duration_minutes",
        status="status",
        addenda_count=Coalesce(Subquery(addenda), Value(0)),
        author_id="author_id",
        username="author__username",
        first_name="author__first_name",
        last_name="author__last_name",
    )
    latest = notes.order_by("-session_date", "-created_at").values(json=note_json)
    total = notes.order_by().values("patient").annotate(n=Count("pk")).values("n")
    return {
        "session_note_rows": ArraySubquery(latest[:CHART_LIMIT]),
        "session_note_total": Coalesce(Subquery(total), Value(0)),
    }


def _chart_note(patient: Patient, row: dict[str, Any]) -> SessionNote:
    author = get_user_model()(
        id=row["author_id"],
        username=row["username"],
        first_name=row["first_name"],
        last_name=row["last_name"],
    )
    note = SessionNote(
        id=row["id"],
        patient=patient,
        author=author,
        kind=row["kind"],
        session_date=datetime.date.fromisoformat(row["session_date"]),
        duration_minutes=row["duration_minutes"],
        status=row["status"],
    )
    note.addenda_count = row["addenda_count"]  # type: ignore[attr-defined]
    return note


def session_note_chart_section(
    *, patient: Patient, user: User, rows: list[dict[str, Any]], total: int
) -> dict[str, Any]:
    """The chart's session-notes card, from the chart row's columns (no query of its own)."""
    notes = [_chart_note(patient, row) for row in rows]
    for note in notes:
        note.editable = access.can_edit_session_note(user, note)  # type: ignore[attr-defined]
    return {
        "notes": notes,
        "total": total,
        "limit": CHART_LIMIT,
        "can_write": access.can(user, Perm.SESSION_NOTE_WRITE, patient),
    }


# A plan's behavioral components and their sessions ------------------------------------------


@dataclass
class ComponentSessions:
    """What the signed session notes say of one behavioral component: how many sessions worked
    on it, the last one's date, and the latest progress recorded on each of its targets."""

    sessions: int = 0
    last_date: datetime.date | None = None
    latest: dict[str, str] = field(default_factory=dict)  # target -> progress code
    _notes: set[uuid.UUID] = field(default_factory=set, repr=False)


def plan_component_sessions(*, plan: TreatmentPlan) -> dict[str, ComponentSessions]:
    """For each behavioral modality of the patient's plans (by modality code): its signed
    sessions (one query, the progress rows newest session first). By modality, not by the
    component row, so that an amendment (a new plan version, new component rows) keeps the
    sessions and progress recorded against the earlier version's same component."""
    rows = (
        SessionNoteProgress.objects.filter(
            component__plan__patient_id=plan.patient_id, note__status=SessionNoteStatus.SIGNED
        )
        .order_by("-note__session_date", "-note__signed_at", "-id")
        .values_list("component__modality", "note_id", "note__session_date", "target", "status")
    )
    summary: dict[str, ComponentSessions] = {}
    for modality, note_id, session_date, target, status in rows:
        item = summary.setdefault(modality, ComponentSessions())
        if note_id not in item._notes:
            item._notes.add(note_id)
            item.sessions += 1
            item.last_date = item.last_date or session_date
        item.latest.setdefault(target, status)
    return summary


def plan_attach_component_sessions(*, plan: TreatmentPlan) -> None:
    """Set `sessions` (a ComponentSessions, empty when no signed note worked on it) and
    `latest_progress` ([(target words, progress words)], in the component's target order) on
    each behavioral component of `plan` as `plan.behavioral.all()` gives them (one query)."""
    summary = plan_component_sessions(plan=plan)
    for component in plan.behavioral.all():
        item = summary.get(component.modality, ComponentSessions())
        component.sessions = item  # type: ignore[attr-defined]
        component.latest_progress = [  # type: ignore[attr-defined]
            (Target(t).label, Progress(item.latest[t]).label)
            for t in component.targets
            if t in item.latest
        ]


# The author's drafts on the worklist ----------------------------------------------------------


def pending_draft_session_notes(user: User) -> QuerySet[SessionNote]:
    """The session notes `user` started and has not signed (intake_sessionnote_drafts)."""
    return SessionNote.objects.filter(
        author=user,
        status=SessionNoteStatus.DRAFT,
        patient__in=access.worklist_patients(user, WorkItem.DRAFTS),
    )
