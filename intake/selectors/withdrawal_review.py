"""Reading withdrawal management (docs/clinical-rules.md#withdrawal-review): whether a patient
is in it (their active plan and its episode), the physician's reviews newest first, and the
facts a completion summary is made of (the doses given, the withdrawal scores)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import QuerySet

from intake import access
from intake import withdrawal_rules as rules
from intake.access import Perm, RequestUser
from intake.mar_schedule import local_day_bounds
from intake.models import (
    AdministrationStatus,
    Assessment,
    Episode,
    EpisodeStatus,
    MedicationAdministration,
    Patient,
    PlanStatus,
    TreatmentPlan,
    WithdrawalReview,
)
from intake.selectors.mar import PLAN_LINES, keep_lines
from intake.selectors.patient import Chart


def plan_in_withdrawal_management(plan: TreatmentPlan) -> bool:
    """Does this plan put its patient in withdrawal management? Reads `plan.medications.all`
    (prefetch it)."""
    return rules.in_withdrawal_management(
        supervised_detox=plan.medically_supervised_detox,
        lines=[(m.drug, m.taper) for m in plan.medications.all()],
    )


def episode_of(plan: TreatmentPlan) -> Episode | None:
    """The episode a plan's withdrawal management belongs to: the plan's own, else the
    patient's active episode (a plan drafted before the admission)."""
    if plan.episode_id is not None:
        return plan.episode
    return Episode.objects.filter(patient_id=plan.patient_id, status=EpisodeStatus.ACTIVE).first()


@dataclass
class WithdrawalState:
    """The patient's active plan (with its lines), its episode, whether the patient is in
    withdrawal management now, and why not when not (`refusal`)."""

    plan: TreatmentPlan | None
    episode: Episode | None
    in_management: bool
    refusal: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


NO_DETOX_PLAN = (
    "This patient is not in withdrawal management: the active signed plan orders no medically "
    "supervised detox and no withdrawal medication. A daily withdrawal review needs one."
)
NO_ACTIVE_PLAN = (
    "This patient has no active signed plan, so is not in withdrawal management: a daily "
    "withdrawal review needs a signed detox plan."
)
NO_EPISODE = (
    "This patient has no active episode of care: admit the patient before reviewing the "
    "withdrawal management."
)


def _completed(summary: dict[str, Any]) -> str:
    return (
        "Withdrawal management of this episode was already completed "
        f"({summary.get('completed_at', '')[:10]}); a new detox needs a new episode."
    )


def withdrawal_state_of(plan: TreatmentPlan | None, episode: Episode | None) -> WithdrawalState:
    """The state for an active plan (its lines prefetched) and its episode (both as read or
    locked by the caller)."""
    if plan is None:
        return WithdrawalState(None, episode, False, NO_ACTIVE_PLAN)
    if not plan_in_withdrawal_management(plan):
        return WithdrawalState(plan, episode, False, NO_DETOX_PLAN)
    if episode is None or episode.status != EpisodeStatus.ACTIVE:
        return WithdrawalState(plan, episode, False, NO_EPISODE)
    if episode.withdrawal_summary:
        summary = episode.withdrawal_summary
        return WithdrawalState(plan, episode, False, _completed(summary), summary)
    return WithdrawalState(plan, episode, True)


def active_plan_with_lines(*, patient: Patient) -> TreatmentPlan | None:
    """The active plan with its episode, signer and lines, in one query."""
    plan = (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .select_related("episode", "signed_by")
        .annotate(lines=ArraySubquery(PLAN_LINES))
        .first()
    )
    if plan is not None:
        keep_lines(plan)
    return plan


def withdrawal_state(*, patient: Patient) -> WithdrawalState:
    plan = active_plan_with_lines(patient=patient)
    return withdrawal_state_of(plan, episode_of(plan) if plan else None)


def withdrawal_reviews(*, patient: Patient) -> QuerySet[WithdrawalReview]:
    """The patient's reviews, newest first, with who signed each and the plans they name."""
    return (
        WithdrawalReview.objects.filter(patient=patient)
        .select_related("created_by", "plan", "amendment")
        .order_by("-reviewed_at", "-created_at")
    )


def completed_summary(*, patient: Patient) -> dict[str, Any]:
    """The latest completion summary written on one of the patient's episodes ({} if none)."""
    episode = (
        Episode.objects.filter(patient=patient)
        .exclude(withdrawal_summary={})
        .order_by("-admitted_on", "-created_at")
        .first()
    )
    return dict(episode.withdrawal_summary) if episode else {}


def summary_facts(
    *, patient: Patient, episode: Episode, until: datetime.datetime
) -> tuple[list[rules.GivenDose], list[rules.Score]]:
    """What the episode's summary is made of, from its admission day to `until`: the doses
    given and not voided (an entry with a void entry naming it is left out), and the
    withdrawal-scale scores. Two queries."""
    start, _ = local_day_bounds(episode.admitted_on)
    entries = MedicationAdministration.objects.filter(
        patient=patient,
        status=AdministrationStatus.GIVEN,
        void_entry__isnull=True,
        given_at__gte=start,
        given_at__lte=until,
    ).values_list("medication__drug", "dose", "unit", "given_at")
    # A given entry always has a dose (intake_administration_given_has_dose).
    given = [
        rules.GivenDose(drug, dose, unit, at)
        for drug, dose, unit, at in entries
        if dose is not None
    ]
    rows = Assessment.objects.filter(
        patient=patient,
        instrument__in=rules.WITHDRAWAL_SCALES,
        administered_at__gte=start,
        administered_at__lte=until,
    ).values_list("instrument", "total", "band", "administered_at")
    scores = [rules.Score(code, total, band, at) for code, total, band, at in rows]
    return given, scores


@dataclass(frozen=True)
class SummaryDrug:
    drug: str
    doses: int
    total: str
    unit: str


@dataclass(frozen=True)
class SummaryScore:
    instrument: str
    total: int
    band: str
    at: datetime.datetime | None


@dataclass(frozen=True)
class SummaryView:
    """A stored completion summary as a page shows it: moments parsed, rows in order."""

    decision: str
    outcome: str
    days: int
    first_dose_at: datetime.datetime | None
    last_dose_at: datetime.datetime | None
    drugs: list[SummaryDrug]
    scores: list[SummaryScore]
    completed_at: datetime.datetime | None
    completed_by: str


def _moment(text: object) -> datetime.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def summary_view(summary: dict[str, Any]) -> SummaryView | None:
    """The page's reading of `Episode.withdrawal_summary` (None when there is none)."""
    if not summary:
        return None
    drugs = [
        SummaryDrug(drug, int(row.get("doses", 0)), str(row.get("total", "")), row.get("unit", ""))
        for drug, row in sorted(summary.get("doses", {}).items())
    ]
    scores = [
        SummaryScore(
            code, int(row.get("total", 0)), str(row.get("band", "")), _moment(row.get("at"))
        )
        for code, row in sorted(summary.get("last_scores", {}).items())
    ]
    return SummaryView(
        decision=str(summary.get("decision", "")),
        outcome=str(summary.get("outcome", "")),
        days=int(summary.get("days", 0)),
        first_dose_at=_moment(summary.get("first_dose_at")),
        last_dose_at=_moment(summary.get("last_dose_at")),
        drugs=drugs,
        scores=scores,
        completed_at=_moment(summary.get("completed_at")),
        completed_by=str(summary.get("completed_by", "")),
    )


def withdrawal_chart_section(
    *, user: RequestUser, chart: Chart, plans: dict[str, Any]
) -> dict[str, Any]:
    """The chart's withdrawal management: whether to offer this user the daily review (a
    physician of the team, the patient in withdrawal management), and the latest completion
    summary. No query: it reads the chart's episodes and plan card (plan_chart_section)."""
    active: TreatmentPlan | None = plans.get("active")
    episode = chart.active_episode
    reviewing = (
        active is not None
        and episode is not None
        and not episode.withdrawal_summary
        and plan_in_withdrawal_management(active)
    )
    completed = next((e for e in chart.episodes if e.withdrawal_summary), None)
    return {
        "can_review": reviewing and access.can(user, Perm.WITHDRAWAL_REVIEW, chart.patient),
        "summary": summary_view(completed.withdrawal_summary) if completed else None,
        "episode": completed,
    }
