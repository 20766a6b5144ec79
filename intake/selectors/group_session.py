"""Reading group sessions (docs/clinical-rules.md#group-sessions): the group's roll as one
reader may see it, the patients a facilitator may put on a roll, and what a patient's own chart
shows of groups (their group notes, and how many groups they attended of those they were on).

What a patient's chart reads of a group never names another attendee: the roll is read only
through the group (`group_roll`), by the facilitator and the attendees' care teams, each seeing
by name only the attendees of their own care teams."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from intake import access
from intake.access import Perm
from intake.models import (
    GroupAttendee,
    GroupSession,
    Patient,
    SessionKind,
    SessionNote,
)
from intake.selectors.patient import patient_list

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ROLL_CANDIDATES_SHOWN = 20


@dataclass
class GroupRoll:
    """The attendees `user` may see by name (on their care teams), and how many others."""

    rows: list[GroupAttendee] = field(default_factory=list)
    others: int = 0
    drafts: int = 0

    @property
    def patient_ids(self) -> list[uuid.UUID]:
        return [row.patient_id for row in self.rows]


def group_session_get(*, group_id: Any) -> GroupSession | None:
    try:
        return GroupSession.objects.select_related("facilitator").filter(pk=group_id).first()
    except (ValueError, TypeError):
        return None


def group_roll(*, group: GroupSession, user: User) -> GroupRoll:
    """The roll in one query: every attendee with whether `user` is on their care team and
    their note's id and status (None when absent)."""
    notes = SessionNote.objects.filter(group_session=group, patient=OuterRef("patient_id"))
    attendees = (
        GroupAttendee.objects.filter(group=group)
        .select_related("patient")
        .annotate(
            # Who sees an attendee by name is decided in access: their care team.
            on_team=access.team_member_annotation(user, "patient_id"),
            note_id=Subquery(notes.values("pk")[:1]),
            note_status=Subquery(notes.values("status")[:1]),
        )
        .order_by("patient__family_name", "patient__given_name", "id")
    )
    roll = GroupRoll()
    for row in attendees:
        if row.note_status == "draft":
            roll.drafts += 1
        if row.on_team:
            roll.rows.append(row)
        else:
            roll.others += 1
    return roll


def group_roll_candidates(*, user: User, q: str, exclude: Iterable[str] = ()) -> list[Patient]:
    """Patients of `user`'s care teams matching a search (name, MRN or date of birth), for the
    roll of a group they run; those already on the roll left out."""
    if not " ".join(q.split()):
        return []
    skip = [pk for pk in (_uuid(v) for v in exclude) if pk is not None]
    found = patient_list(user=user, q=q, perm=Perm.GROUP_SESSION_RUN).filter(
        pk__in=access.group_patients(user).values("pk")
    )
    return list(found.exclude(pk__in=skip)[:ROLL_CANDIDATES_SHOWN])


def group_roll_patients(*, user: User, patient_ids: Iterable[str]) -> dict[str, Patient]:
    """The roll's patients on `user`'s care teams, by id (text), for a page showing the roll
    being written (an id that is not one of them is left out)."""
    pks = [pk for pk in (_uuid(v) for v in patient_ids) if pk is not None]
    if not pks:
        return {}
    return {str(p.pk): p for p in access.group_patients(user).filter(pk__in=pks)}


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# What a patient's own chart shows -------------------------------------------------------------


def patient_group_notes(*, patient: Patient) -> QuerySet[SessionNote]:
    """The patient's group notes, newest first: the group's title, modality, date and duration,
    the shared summary (`data`) and their own note (`assessment`); never the roll."""
    return (
        SessionNote.objects.filter(patient=patient, kind=SessionKind.GROUP)
        .select_related("group_session", "author")
        .order_by("-session_date", "-created_at")
    )


def group_attendance(*, patient: Patient) -> dict[str, int]:
    """Groups the patient attended of those they were on the roll of (one query)."""
    counts = GroupAttendee.objects.filter(patient=patient).aggregate(
        rolls=Count("id"), attended=Count("id", filter=Q(attended=True))
    )
    return {"attended": counts["attended"] or 0, "rolls": counts["rolls"] or 0}


def attendance_counts(outer: str = "pk") -> dict[str, Any]:
    """`group_rolls` and `groups_attended` as annotations of a patient query (the chart's own
    row: no query of its own, docs/clinical-rules.md#group-sessions)."""
    rows = GroupAttendee.objects.filter(patient=OuterRef(outer)).order_by().values("patient")
    count = Count("id")
    return {
        "group_rolls": Coalesce(Subquery(rows.annotate(n=count).values("n")), 0),
        "groups_attended": Coalesce(
            Subquery(rows.filter(attended=True).annotate(n=count).values("n")), 0
        ),
    }
