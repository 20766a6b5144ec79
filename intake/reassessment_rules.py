"""Measurement-based reassessment, pure rules (docs/clinical-rules.md#reassessment): what is
due when during an active episode, and PHQ-9 response and remission (docs/clinical-rules.md#trends;
the outcomes report reuses `phq9_outcome`). No database: intake/selectors/reassessment.py gathers
the facts of many patients in one query and applies these.

- PHQ-9, GAD-7: due `days` after the last one, at admission when there is none (or the last is
  so old that its next was due before the admission).
- Urine drug screen: due a week after the last collection while that collection fell in the first
  90 days of the episode, a month after it from then on; at admission when there is none.
- COWS: every 6 hours (or the plan's own `every_hours`) from the start of withdrawal management to
  3 days after it; nothing once those 3 days are over.
- Plan review: the active plan's review date.

Status: `done` while the next is not yet due (`due_on` says when it will be), `due` on the day it
is due, `overdue` from the day after. COWS, counted in hours: `due` from its due time, `overdue`
once a whole interval has passed without one (the next would be due too)."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from intake.mar_schedule import local_date


class ReassessmentKind(enum.StrEnum):
    INSTRUMENT = "instrument"
    URINE_DRUG_SCREEN = "urine-drug-screen"
    PLAN_REVIEW = "plan-review"


class DueStatus(enum.StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"


# The instruments on the reassessment schedule, in the order they are listed.
SCHEDULED_INSTRUMENTS = ("phq9", "gad7", "cows")
OPEN_STATUSES = frozenset({DueStatus.DUE, DueStatus.OVERDUE})
# What an item is (DueItem.code): its instrument, or its kind.
REASSESSMENT_CODES = frozenset(
    {*SCHEDULED_INSTRUMENTS, ReassessmentKind.URINE_DRUG_SCREEN, ReassessmentKind.PLAN_REVIEW}
)


@dataclass(frozen=True)
class Intervals:
    """The schedule's intervals (clinic settings REASSESSMENT_*)."""

    phq9_days: int = 30
    gad7_days: int = 30
    uds_weekly_days: int = 90
    uds_early_days: int = 7
    uds_later_days: int = 30
    cows_hours: int = 6
    cows_days: int = 3

    @classmethod
    def from_settings(cls) -> Intervals:
        return cls(
            phq9_days=settings.REASSESSMENT_PHQ9_DAYS,
            gad7_days=settings.REASSESSMENT_GAD7_DAYS,
            uds_weekly_days=settings.REASSESSMENT_UDS_WEEKLY_DAYS,
            uds_early_days=settings.REASSESSMENT_UDS_EARLY_INTERVAL_DAYS,
            uds_later_days=settings.REASSESSMENT_UDS_LATER_INTERVAL_DAYS,
            cows_hours=settings.REASSESSMENT_COWS_HOURS,
            cows_days=settings.REASSESSMENT_COWS_DAYS,
        )


@dataclass(frozen=True)
class Facts:
    """What the schedule of one active episode depends on (dates are clinic-local)."""

    admitted_on: datetime.date
    last_phq9: datetime.date | None = None
    last_gad7: datetime.date | None = None
    last_uds: datetime.date | None = None
    review_date: datetime.date | None = None
    # Withdrawal management monitored with COWS: when it started (None when not in it).
    withdrawal_start: datetime.datetime | None = None
    cows_every_hours: int | None = None
    last_cows: datetime.datetime | None = None


@dataclass(frozen=True)
class DueItem:
    kind: ReassessmentKind
    instrument: str
    due_on: datetime.date
    status: DueStatus
    # COWS only: the moment it is due.
    due_at: datetime.datetime | None = None

    @property
    def code(self) -> str:
        """The instrument's code, or the kind's (who acts on it: access.reassessment_work)."""
        return self.instrument or self.kind.value


def day_status(due_on: datetime.date, today: datetime.date) -> DueStatus:
    if due_on > today:
        return DueStatus.DONE
    return DueStatus.DUE if due_on == today else DueStatus.OVERDUE


def instrument_due_on(
    admitted_on: datetime.date, last: datetime.date | None, days: int
) -> datetime.date:
    if last is None:
        return admitted_on
    return max(admitted_on, last + datetime.timedelta(days=days))


def uds_due_on(
    admitted_on: datetime.date, last: datetime.date | None, intervals: Intervals
) -> datetime.date:
    if last is None:
        return admitted_on
    weekly_until = admitted_on + datetime.timedelta(days=intervals.uds_weekly_days)
    days = intervals.uds_early_days if last < weekly_until else intervals.uds_later_days
    return max(admitted_on, last + datetime.timedelta(days=days))


def cows_due(facts: Facts, now: datetime.datetime, intervals: Intervals) -> DueItem | None:
    """The next COWS of withdrawal management's first days, or None (not in it, or over)."""
    start = facts.withdrawal_start
    if start is None:
        return None
    end = start + datetime.timedelta(days=intervals.cows_days)
    every = datetime.timedelta(hours=facts.cows_every_hours or intervals.cows_hours)
    last = facts.last_cows if facts.last_cows is not None and facts.last_cows >= start else None
    due_at = start if last is None else last + every
    if now >= end or due_at >= end:
        return None
    if due_at > now:
        status = DueStatus.DONE
    else:
        status = DueStatus.OVERDUE if now >= due_at + every else DueStatus.DUE
    return DueItem(ReassessmentKind.INSTRUMENT, "cows", local_date(due_at), status, due_at)


def schedule(facts: Facts, now: datetime.datetime, intervals: Intervals) -> list[DueItem]:
    """Every item of an active episode's schedule, with its status at `now`."""
    today = local_date(now)
    items = []
    for code, last, days in (
        ("phq9", facts.last_phq9, intervals.phq9_days),
        ("gad7", facts.last_gad7, intervals.gad7_days),
    ):
        due_on = instrument_due_on(facts.admitted_on, last, days)
        items.append(DueItem(ReassessmentKind.INSTRUMENT, code, due_on, day_status(due_on, today)))
    cows = cows_due(facts, now, intervals)
    if cows is not None:
        items.append(cows)
    uds = uds_due_on(facts.admitted_on, facts.last_uds, intervals)
    items.append(DueItem(ReassessmentKind.URINE_DRUG_SCREEN, "", uds, day_status(uds, today)))
    if facts.review_date is not None:
        items.append(
            DueItem(
                ReassessmentKind.PLAN_REVIEW,
                "",
                facts.review_date,
                day_status(facts.review_date, today),
            )
        )
    return items


# PHQ-9 response and remission (docs/clinical-rules.md#trends) ------------------------------

PHQ9_OUTCOME_MIN_FIRST = 10
PHQ9_REMISSION_BELOW = 5


@dataclass(frozen=True)
class Phq9Outcome:
    """`assessed`: the first PHQ-9 of the episode was 10 or more and there are at least two."""

    assessed: bool
    response: bool = False
    remission: bool = False
    first: int | None = None
    latest: int | None = None


def phq9_outcome(totals: Sequence[int]) -> Phq9Outcome:
    """Response (the latest at least 50% below the first) and remission (the latest below 5)
    from an episode's PHQ-9 totals, oldest first."""
    if len(totals) < 2 or totals[0] < PHQ9_OUTCOME_MIN_FIRST:
        first = totals[0] if totals else None
        latest = totals[-1] if totals else None
        return Phq9Outcome(False, first=first, latest=latest)
    first, latest = totals[0], totals[-1]
    return Phq9Outcome(
        True,
        response=2 * latest <= first,
        remission=latest < PHQ9_REMISSION_BELOW,
        first=first,
        latest=latest,
    )
