"""Reading the reassessment schedule (docs/clinical-rules.md#reassessment,
docs/api.md#reassessments): for one patient (the API, the chart's panel) or a whole caseload
(the worklist), in one query whatever the number of patients: every active episode with, as
subqueries, the last PHQ-9, GAD-7 and COWS, the last urine drug screen collected, the active
plan's review date and monitoring, and when withdrawal management began. The rules are
intake/reassessment_rules.py."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    DateField,
    DateTimeField,
    Exists,
    F,
    JSONField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
)
from django.db.models.functions import JSONObject
from django.utils import timezone

from intake import reassessment_rules as rules
from intake.formulary import DRUGS
from intake.labs.interpret import RECOLLECT_STATUSES
from intake.mar_schedule import local_date
from intake.models import (
    Assessment,
    Episode,
    EpisodeStatus,
    LabOrder,
    OrderStatus,
    Patient,
    PlanMedication,
    PlanStatus,
    TreatmentPlan,
)
from intake.withdrawal_rules import WITHDRAWAL_DRUGS

AGONISTS = sorted(code for code, drug in DRUGS.items() if drug.agonist)
# The withdrawal scale of a plan that names none: COWS, the opioid withdrawal scale.
DEFAULT_SCALE = "cows"


@dataclass(frozen=True)
class EpisodeSchedule:
    """One active episode's schedule: its patient, the active plan's id (plan review), items."""

    episode_id: uuid.UUID
    patient: Patient
    plan_id: uuid.UUID | None
    items: list[rules.DueItem]


def _detox_plan() -> Q:
    """A plan of withdrawal management (intake/withdrawal_rules.py in_withdrawal_management):
    a supervised detox, or a withdrawal medicine or an agonist on a taper."""
    lines = PlanMedication.objects.filter(plan=OuterRef("pk")).filter(
        Q(drug__in=sorted(WITHDRAWAL_DRUGS)) | Q(drug__in=AGONISTS) & ~Q(taper=[])
    )
    return Q(medically_supervised_detox=True) | Q(Exists(lines))


def _last(qs: QuerySet[Any], field: str) -> Subquery:
    return Subquery(qs.order_by(f"-{field}").values(field)[:1], output_field=DateTimeField())


def _annotated(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    patient = OuterRef("patient_id")
    assessments = Assessment.objects.filter(patient=patient)
    active = TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
    # The first signed version of this episode in withdrawal management: an amendment keeps
    # the days counted from the first.
    detox_versions = (
        TreatmentPlan.objects.filter(
            patient=patient,
            status__in=[PlanStatus.ACTIVE, PlanStatus.SUPERSEDED],
            signed_at__date__gte=OuterRef("admitted_on"),
        )
        .filter(_detox_plan())
        .order_by()
        .values("patient_id")
        .annotate(first=Min("signed_at"))
        .values("first")
    )
    # A specimen to recollect (substituted, adulterated, invalid: the nurse's recollect list)
    # does not count as the screen done.
    screens = (
        LabOrder.objects.filter(patient=patient, panel_id="uds", collected_at__isnull=False)
        .exclude(status=OrderStatus.CANCELLED)
        .exclude(specimen_status__in=RECOLLECT_STATUSES)
    )
    return episodes.annotate(
        last_phq9=_last(assessments.filter(instrument="phq9"), "administered_at"),
        last_gad7=_last(assessments.filter(instrument="gad7"), "administered_at"),
        last_cows=_last(assessments.filter(instrument="cows"), "administered_at"),
        last_uds=_last(screens, "collected_at"),
        plan_id=Subquery(active.values("pk")[:1], output_field=UUIDField()),
        review_date=Subquery(active.values("review_date")[:1], output_field=DateField()),
        monitoring=Subquery(active.values("withdrawal_monitoring")[:1], output_field=JSONField()),
        active_detox=Exists(active.filter(_detox_plan())),
        detox_start=Subquery(detox_versions[:1], output_field=DateTimeField()),
    )


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return local_date(moment) if moment is not None else None


def _facts(episode: Any) -> rules.Facts:
    monitoring = episode.monitoring if isinstance(episode.monitoring, dict) else {}
    scale = monitoring.get("instrument") or DEFAULT_SCALE
    every = monitoring.get("every_hours")
    in_management = episode.active_detox and not episode.withdrawal_summary
    return rules.Facts(
        admitted_on=episode.admitted_on,
        last_phq9=_day(episode.last_phq9),
        last_gad7=_day(episode.last_gad7),
        last_uds=_day(episode.last_uds),
        review_date=episode.review_date,
        withdrawal_start=episode.detox_start if in_management and scale == "cows" else None,
        cows_every_hours=every if isinstance(every, int) and every > 0 else None,
        last_cows=episode.last_cows,
    )


def episode_schedules(
    patients: QuerySet[Patient] | Iterable[Patient], now: datetime.datetime | None = None
) -> list[EpisodeSchedule]:
    """The schedule of each patient's active episode (the earliest admitted when a patient has
    more than one), in one query; a patient with no active episode has none. (The chart and
    the home page read the same facts with a query of theirs: schedule_column,
    schedules_array.)"""
    now = now or timezone.now()
    intervals = rules.Intervals.from_settings()
    episodes: Iterable[Any] = _annotated(
        Episode.objects.filter(status=EpisodeStatus.ACTIVE, patient__in=patients)
        .select_related("patient")
        .order_by("patient_id", "admitted_on", "created_at")
        .distinct("patient_id")
    )
    return [
        EpisodeSchedule(e.pk, e.patient, e.plan_id, rules.schedule(_facts(e), now, intervals))
        for e in episodes
    ]


# The facts a schedule is computed from, as the chart's row carries them (schedule_column).
_DATE_FACTS = ("admitted_on", "review_date")
_MOMENT_FACTS = ("last_phq9", "last_gad7", "last_cows", "last_uds", "detox_start")
_OTHER_FACTS = ("withdrawal_summary", "monitoring", "active_detox", "plan_id")


def _facts_json(**more: Any) -> JSONObject:
    names = _DATE_FACTS + _MOMENT_FACTS + _OTHER_FACTS
    return JSONObject(id="id", **{name: F(name) for name in names}, **more)


def schedules_array(patients: QuerySet[Patient], patient: JSONObject) -> ArraySubquery:
    """For another query (the home page's counts: worklist_pending.worklist_counts_with): the
    facts of each patient's active episode (the earliest admitted, as episode_schedules), as a
    JSON array, each with its patient as `patient` (a JSON object of their header)."""
    episodes = _annotated(
        Episode.objects.filter(status=EpisodeStatus.ACTIVE, patient__in=patients)
        .order_by("patient_id", "admitted_on", "created_at")
        .distinct("patient_id")
    )
    return ArraySubquery(episodes.values(json=_facts_json(patient=patient)))


def schedule_column() -> Subquery:
    """For a query of patients (the chart's row: selectors/patient.py): the facts of the
    patient's active episode's schedule (the earliest admitted, as episode_schedules) as one
    JSON object, or NULL without one; schedule_from_json turns it into the schedule."""
    episodes = _annotated(
        Episode.objects.filter(status=EpisodeStatus.ACTIVE, patient=OuterRef("pk")).order_by(
            "admitted_on", "created_at"
        )
    )
    return Subquery(episodes.values(json=_facts_json())[:1], output_field=JSONField())


def _parsed(value: Any, parse: Any) -> Any:
    return parse(value) if value is not None else None


def schedule_from_json(
    patient: Patient, row: dict[str, Any] | None, now: datetime.datetime | None = None
) -> EpisodeSchedule | None:
    """The schedule from schedule_column's object (None without an active episode): the same
    rules on the same facts as episode_schedules, no query."""
    if not row:
        return None
    facts: dict[str, Any] = {name: row[name] for name in _OTHER_FACTS}
    facts |= {name: _parsed(row[name], datetime.date.fromisoformat) for name in _DATE_FACTS}
    facts |= {name: _parsed(row[name], datetime.datetime.fromisoformat) for name in _MOMENT_FACTS}
    facts["plan_id"] = _parsed(facts["plan_id"], uuid.UUID)
    episode = SimpleNamespace(**facts)
    items = rules.schedule(_facts(episode), now or timezone.now(), rules.Intervals.from_settings())
    return EpisodeSchedule(uuid.UUID(row["id"]), patient, episode.plan_id, items)


def patient_reassessments(
    *, patient: Patient, now: datetime.datetime | None = None
) -> EpisodeSchedule | None:
    """The patient's schedule (None without an active episode): one query."""
    found = episode_schedules([patient], now)
    return found[0] if found else None
