"""Reading patients: search and the chart."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import (
    BooleanField,
    Expression,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Greatest, JSONObject, Lower

from intake import access
from intake.access import Perm
from intake.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    CareTeamMember,
    Episode,
    EpisodeStatus,
    Patient,
    PendingAssessment,
)
from intake.selectors.reassessment import EpisodeSchedule, schedule_column, schedule_from_json
from intake.selectors.self_report import waiting_self_reports_array, waiting_self_reports_from
from intake.selectors.session_note import session_note_chart_columns

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")
_MRN_RE = re.compile(r"^\d{4,12}$")


class _ILike(Func):
    arg_joiner = " ILIKE "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _contains(field: str, text: str) -> _ILike:
    """Case-insensitive substring match written as `field ILIKE '%text%'`, which the trigram
    GIN indexes on the name columns serve; Django's `icontains` is `UPPER(field) LIKE ...`,
    which they cannot, so a network-wide search read every patient (tests/test_explain.py)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _ILike(F(field), Value(f"%{escaped}%"))


def _as_date(text: str) -> datetime.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def patient_list(*, user: User, q: str = "", perm: Perm = Perm.PATIENT_SEARCH) -> QuerySet[Patient]:
    """Patients the user may see, narrowed by a search: a date of birth, an MRN, or name
    fragments (each fragment must match a name, by substring or trigram similarity; best
    matches first)."""
    qs = access.patients_visible_to(user, perm)
    q = " ".join(q.split())[:100]
    if not q:
        return qs.order_by(Lower("family_name"), Lower("given_name"), "id")
    day = _as_date(q)
    if day is not None:
        return qs.filter(birth_date=day).order_by(Lower("family_name"), Lower("given_name"), "id")
    if _MRN_RE.match(q):
        return qs.filter(mrn__startswith=q.zfill(8) if len(q) < 8 else q).order_by("mrn")
    tokens = q.split(" ")[:4]
    scores: list[Expression] = []
    for token in tokens:
        qs = qs.filter(
            Q(_contains("family_name", token))
            | Q(_contains("given_name", token))
            | Q(_contains("preferred_name", token))
            | Q(family_name__trigram_similar=token)
            | Q(given_name__trigram_similar=token)
        )
        scores.append(
            Greatest(
                TrigramWordSimilarity(token, "family_name"),
                TrigramWordSimilarity(token, "given_name"),
                TrigramWordSimilarity(token, "preferred_name"),
            )
        )
    # A sum of the tokens' scores: an Expression, not the Greatest of the first token.
    score: Expression = scores[0]
    for extra in scores[1:]:
        score = score + extra
    return qs.annotate(match=score).order_by(
        "-match", Lower("family_name"), Lower("given_name"), "id"
    )


def patient_list_with_status(qs: QuerySet[Patient]) -> QuerySet[Patient]:
    """Adds the active episodes for list rows, in one extra query for the whole page."""
    return qs.prefetch_related(
        Prefetch(
            "episodes",
            queryset=Episode.objects.filter(status=EpisodeStatus.ACTIVE),
            to_attr="active_episodes",
        )
    )


def episode_current(*, patient: Patient) -> Episode | None:
    """The patient's active episode (at most one: intake_episode_one_active_per_patient); new
    interviews, assessments and plans belong to it."""
    return (
        Episode.objects.filter(patient=patient, status=EpisodeStatus.ACTIVE)
        .order_by("-admitted_on")
        .first()
    )


@dataclass
class Chart:
    patient: Patient
    episodes: list[Episode]
    active_episode: Episode | None
    care_team: list[CareTeamMember]
    # "Groups attended N of M" (docs/clinical-rules.md#group-sessions): {"attended", "rolls"}.
    group_attendance: dict[str, int] = field(default_factory=dict)
    # Self-report answers waiting for review (intake/selectors/self_report.py), urgent first:
    # read in the same query as the rest, for the chart's "Patient self-report" panel.
    waiting_self_reports: list[PendingAssessment] = field(default_factory=list)
    # The session-notes card's rows and count (selectors/session_note.py), from the same row.
    session_note_rows: list[dict[str, Any]] = field(default_factory=list)
    session_note_total: int = 0
    # The active episode's reassessment schedule (selectors/reassessment.py), from the same row.
    reassessment: EpisodeSchedule | None = None


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _chart_row(patient: Patient) -> Mapping[str, Any]:
    """The patient's episodes, current care team and self-report answers waiting for review as
    JSON arrays, the counts of groups attended, the session notes' card and the facts of the
    reassessment schedule, in one query."""
    episodes = Episode.objects.filter(patient=OuterRef("pk")).order_by(
        "-admitted_on", "-created_at"
    )
    team = CareTeamMember.objects.filter(patient=OuterRef("pk"), ended_at__isnull=True).order_by(
        "team_role", "user__last_name"
    )
    episode_json = JSONObject(
        id="id",
        program="program",
        admitted_on="admitted_on",
        status="status",
        discharged_on="discharged_on",
        discharge_reason="discharge_reason",
        withdrawal_summary="withdrawal_summary",
    )
    member_json = JSONObject(
        id="id",
        team_role="team_role",
        user_id="user_id",
        username="user__username",
        first_name="user__first_name",
        last_name="user__last_name",
    )
    from intake.selectors.group_session import attendance_counts

    row: Mapping[str, Any] = (
        Patient.objects.filter(pk=patient.pk)
        .values(
            episode_rows=ArraySubquery(episodes.values(json=episode_json)),
            team_rows=ArraySubquery(team.values(json=member_json)),
            **attendance_counts(),
            waiting_rows=waiting_self_reports_array(),
            **session_note_chart_columns(),
            reassessment_facts=schedule_column(),
        )
        .get()
    )
    return row


def _chart_episode(patient: Patient, e: dict[str, Any]) -> Episode:
    return Episode(
        id=e["id"],
        patient=patient,
        program=e["program"],
        admitted_on=datetime.date.fromisoformat(e["admitted_on"]),
        status=e["status"],
        discharged_on=_day(e["discharged_on"]),
        discharge_reason=e["discharge_reason"],
        withdrawal_summary=e["withdrawal_summary"] or {},
    )


def _chart_member(patient: Patient, m: dict[str, Any]) -> CareTeamMember:
    user = get_user_model()(
        id=m["user_id"],
        username=m["username"],
        first_name=m["first_name"],
        last_name=m["last_name"],
    )
    return CareTeamMember(id=m["id"], patient=patient, team_role=m["team_role"], user=user)


def patient_chart(*, patient: Patient) -> Chart:
    """The chart's episodes and current care team, in one query (the chart's budget): both as
    JSON arrays on the patient's row, turned back into (unsaved) rows with what the chart
    shows."""
    row = _chart_row(patient)
    chart_episodes = [_chart_episode(patient, e) for e in row["episode_rows"]]
    members = [_chart_member(patient, m) for m in row["team_rows"]]
    active = next((e for e in chart_episodes if e.is_active), None)
    attendance = {"attended": row["groups_attended"], "rolls": row["group_rolls"]}
    waiting = waiting_self_reports_from(patient, row["waiting_rows"])
    return Chart(
        patient=patient,
        episodes=chart_episodes,
        active_episode=active,
        care_team=members,
        group_attendance=attendance,
        waiting_self_reports=waiting,
        session_note_rows=row["session_note_rows"],
        session_note_total=row["session_note_total"],
        reassessment=schedule_from_json(patient, row["reassessment_facts"]),
    )


@dataclass
class MergeCandidate:
    at: datetime.datetime
    registered_by: str
    new: Patient
    existing: Patient


def merge_candidate_list(*, limit: int = 200) -> list[MergeCandidate]:
    """Possible duplicates that registration could not show the clinician (patient_register
    audits each as a `merge-candidate` event: `patient` the existing record, `object_id` the
    new one), newest first. Patients carry the registration header only."""
    events = list(
        AuditEvent.objects.filter(
            object_type="merge-candidate",
            action=AuditAction.CREATE,
            outcome=AuditOutcome.ALLOWED,
            patient__isnull=False,
        )
        .order_by("-at", "-id")
        .only("at", "actor_username", "patient_id", "object_id")[:limit]
    )
    ids = {e.patient_id for e in events} | {_uuid(e.object_id) for e in events}
    ids.discard(None)
    patients = {
        str(p.pk): p for p in Patient.objects.filter(pk__in=ids).only(*access.PATIENT_HEADER_FIELDS)
    }
    return [
        MergeCandidate(
            at=e.at,
            registered_by=e.actor_username,
            new=patients[e.object_id],
            existing=patients[str(e.patient_id)],
        )
        for e in events
        if e.object_id in patients and str(e.patient_id) in patients
    ]


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
