"""An instrument's trend page (docs/clinical-rules.md#trends): each score over time against the
instrument's bands, the dates the plan changed (each signed version: the first signature and
every amendment), and for the PHQ-9 the response and remission of the episode in words
(intake/reassessment_rules.py phq9_outcome). Three queries: the scores, the signed plan
versions, the episodes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from intake import reassessment_rules as rules
from intake.labels import band_label
from intake.mar_schedule import local_date
from intake.models import (
    SIGNED_PLAN_STATUSES,
    Assessment,
    Episode,
    EpisodeStatus,
    Patient,
    TreatmentPlan,
)
from intake.scoring.base import Instrument
from intake.selectors.assessment import assessment_history


@dataclass(frozen=True)
class PlanChange:
    at: datetime.datetime
    label: str


def plan_changes(*, patient: Patient) -> list[PlanChange]:
    """Every signed plan version, oldest first: "Plan signed (version 1)", "Plan amended
    (version 2): reason"."""
    changes = []
    for plan in (
        TreatmentPlan.objects.filter(
            patient=patient, status__in=sorted(SIGNED_PLAN_STATUSES), signed_at__isnull=False
        )
        .only("version", "signed_at", "previous_id", "amendment_reason")
        .order_by("signed_at")
    ):
        assert plan.signed_at is not None
        if plan.previous_id is None:
            label = f"Plan signed (version {plan.version})"
        else:
            label = f"Plan amended (version {plan.version}): {plan.amendment_reason}"
        changes.append(PlanChange(plan.signed_at, label))
    return changes


def _episode(patient: Patient) -> Episode | None:
    """The episode the outcome is of: the earliest active one, else the latest admitted."""
    episodes = list(Episode.objects.filter(patient=patient).order_by("admitted_on", "created_at"))
    active = [e for e in episodes if e.status == EpisodeStatus.ACTIVE]
    return active[0] if active else (episodes[-1] if episodes else None)


def _in_episode(a: Assessment, episode: Episode) -> bool:
    day = local_date(a.administered_at)
    return day >= episode.admitted_on and (
        episode.discharged_on is None or day <= episode.discharged_on
    )


def phq9_words(outcome: rules.Phq9Outcome, count: int) -> list[str]:
    """The response and remission of an episode's PHQ-9s, in sentences."""
    if count == 0:
        return ["No PHQ-9 in this episode: response and remission are not assessed."]
    if outcome.first is not None and outcome.first < rules.PHQ9_OUTCOME_MIN_FIRST:
        return [
            f"The episode's first PHQ-9 was {outcome.first}, below 10: response and "
            "remission are not assessed."
        ]
    if not outcome.assessed:
        return ["One PHQ-9 in this episode: response and remission need at least two."]
    first, latest = outcome.first or 0, outcome.latest or 0
    drop = round(100 * (first - latest) / first)
    if outcome.response:
        response = (
            f"Response: the latest PHQ-9 ({latest}) is {drop}% below the episode's first "
            f"({first}), at least 50%."
        )
    else:
        response = (
            f"No response: the latest PHQ-9 ({latest}) is {max(drop, 0)}% below the episode's "
            f"first ({first}); a response is at least 50%."
        )
    if outcome.remission:
        remission = f"In remission: the latest PHQ-9 is {latest}, below 5."
    else:
        remission = f"Not in remission: the latest PHQ-9 is {latest}; remission is below 5."
    return [response, remission]


def trend_page(*, patient: Patient, instrument: Instrument) -> dict[str, Any]:
    """Everything the trend page shows and draws (the chart's data JSON-ready)."""
    history = assessment_history(patient=patient, instrument=instrument.code)
    changes = plan_changes(patient=patient)
    series = [
        {
            "at": a.administered_at.isoformat(),
            "total": a.total,
            "band": a.band,
            # The tooltip names the band in words ("Mild withdrawal"), the code stays.
            "band_label": band_label(a.band, instrument.code, short=True),
        }
        for a in reversed(history)
    ]
    outcome: list[str] = []
    if instrument.code == "phq9":
        episode = _episode(patient)
        totals = [a.total for a in reversed(history) if _in_episode(a, episode)] if episode else []
        outcome = phq9_words(rules.phq9_outcome(totals), len(totals))
    return {
        "history": history,
        "series": series,
        "bands": [
            {"code": b.code, "label": b.label, "min": b.min, "max": b.max} for b in instrument.bands
        ],
        "max_total": max((b.max for b in instrument.bands), default=0),
        "plan_changes": changes,
        "plan_changes_data": [{"at": c.at.isoformat(), "label": c.label} for c in changes],
        "phq9_outcome": outcome,
    }
