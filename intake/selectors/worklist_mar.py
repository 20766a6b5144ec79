"""The worklist's withdrawal-management work (docs/clinical-rules.md#worklist-alerts): doses
due in the next hour, doses missed, doses held and COWS rising despite doses, for the care
teams' patients of the nurses and physicians who act on them (access.WORKLISTS).

Due doses are not stored ahead of time (intake/mar_schedule.py): they are computed here from
the signed plans of every team patient at once, with the MAR's own `dose_rows`
(intake/selectors/mar.py), never by reading each patient's MAR day in turn. At most four queries
whatever the caseload: the signed plans, their medication lines, the MAR entries of the window
(with the entries that void them; none to read when no signed plan has a medication line), and
the COWS of the window (none to read when no dose was given in it)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from intake import access
from intake import mar_schedule as schedule
from intake.access import WorkItem
from intake.models import (
    AdministrationStatus,
    Assessment,
    DueDoseStatus,
    MedicationAdministration,
    Patient,
)
from intake.selectors.mar import SignedPlan, dose_rows, is_voided, signed_plans_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# How far back missed doses, held doses and rising COWS stay on the worklist.
LOOK_BACK = datetime.timedelta(hours=24)
# A dose shows as due this long before its time (and until it is missed, MISSED_AFTER after).
DUE_AHEAD = datetime.timedelta(hours=1)
# COWS rising (§8): a total at least this high, above the previous COWS of at most 12 hours
# before, with a dose given between them.
COWS_RISING_TOTAL = 13
COWS_PREVIOUS_WITHIN = datetime.timedelta(hours=12)

MAR_ITEMS = frozenset(
    {WorkItem.DOSES_MISSED, WorkItem.DOSES_DUE, WorkItem.DOSES_HELD, WorkItem.COWS_RISING}
)


@dataclass(frozen=True)
class DoseWork:
    """A scheduled dose not documented: due soon or overdue, or missed."""

    id: uuid.UUID
    patient: Patient
    drug: str
    dose: Decimal
    unit: str
    route: str
    due_at: datetime.datetime


@dataclass(frozen=True)
class CowsRise:
    """The latest COWS of a patient, higher than the one before it, with the doses between."""

    assessment: Assessment
    previous: Assessment
    doses: tuple[MedicationAdministration, ...]


@dataclass
class MarWork:
    due: list[DoseWork] = field(default_factory=list)
    missed: list[DoseWork] = field(default_factory=list)
    held: list[MedicationAdministration] = field(default_factory=list)
    rising: list[CowsRise] = field(default_factory=list)


def _entries(
    patients: QuerySet[Patient], since: datetime.datetime, due_since: datetime.datetime
) -> list[MedicationAdministration]:
    """The team patients' entries given since `since` or documenting a dose due since
    `due_since`, with the entries that void them, in time order."""
    return list(
        MedicationAdministration.objects.filter(patient__in=patients)
        .filter(Q(given_at__gte=since) | Q(due_at__gte=due_since))
        .select_related("void_entry", "medication", "created_by", "patient")
        .order_by("given_at", "created_at")
    )


def _dose_work(
    plans: dict[uuid.UUID, list[SignedPlan]],
    entries: Sequence[MedicationAdministration],
    now: datetime.datetime,
) -> tuple[list[DoseWork], list[DoseWork]]:
    """(due, missed): undocumented doses due from 2 hours ago to 1 hour ahead, and those
    missed in the last 24 hours, earliest first."""
    first = schedule.local_date(now - LOOK_BACK)
    last = schedule.local_date(now + DUE_AHEAD)
    by_patient: dict[uuid.UUID, list[MedicationAdministration]] = {}
    for entry in entries:
        by_patient.setdefault(entry.patient_id, []).append(entry)
    due: list[DoseWork] = []
    missed: list[DoseWork] = []
    for patient_id, signed in plans.items():
        for row in dose_rows(signed, by_patient.get(patient_id, []), first, last, now):
            if row.entry is not None:
                continue
            work = DoseWork(
                row.id,
                signed[0].plan.patient,
                row.line.drug,
                row.dose,
                row.line.unit,
                row.line.route,
                row.due_at,
            )
            if row.status == DueDoseStatus.MISSED and row.due_at >= now - LOOK_BACK:
                missed.append(work)
            elif row.status == DueDoseStatus.DUE and row.due_at <= now + DUE_AHEAD:
                due.append(work)
    order = lambda d: (d.due_at, str(d.patient.pk), d.drug, str(d.id))  # noqa: E731
    return sorted(due, key=order), sorted(missed, key=order)


def _held(
    entries: Iterable[MedicationAdministration], now: datetime.datetime
) -> list[MedicationAdministration]:
    """Every standing `held` entry of the last 24 hours (docs/clinical-rules.md#worklist-alerts:
    a nurse holds a dose when it is not safe to give, for the hold parameters or otherwise)."""
    return [
        e
        for e in entries
        if e.status == AdministrationStatus.HELD
        and now - LOOK_BACK <= e.given_at <= now
        and not is_voided(e)
    ]


def cows_rising(
    scores: Sequence[Assessment],
    given: Sequence[MedicationAdministration],
    now: datetime.datetime,
) -> CowsRise | None:
    """One patient's COWS rise, if any: `scores` (up to `now`) in time order, `given` their
    standing doses given. The latest COWS of the last 24 hours counts when its total is 13 or
    more and higher than the COWS just before it, itself at most 12 hours before, with a dose
    given after the earlier COWS and up to the later one."""
    if not scores or scores[-1].administered_at < now - LOOK_BACK:
        return None
    latest = scores[-1]
    if len(scores) < 2 or latest.total < COWS_RISING_TOTAL:
        return None
    previous = scores[-2]
    if latest.administered_at - previous.administered_at > COWS_PREVIOUS_WITHIN:
        return None
    if latest.total <= previous.total:
        return None
    between = tuple(
        e for e in given if previous.administered_at < e.given_at <= latest.administered_at
    )
    return CowsRise(latest, previous, between) if between else None


def _rising(
    patients: QuerySet[Patient],
    entries: Iterable[MedicationAdministration],
    now: datetime.datetime,
) -> list[CowsRise]:
    given: dict[uuid.UUID, list[MedicationAdministration]] = {}
    for e in entries:
        if e.status == AdministrationStatus.GIVEN and not is_voided(e):
            given.setdefault(e.patient_id, []).append(e)
    if not given:
        return []  # no dose given: nothing can rise despite one
    scores: dict[uuid.UUID, list[Assessment]] = {}
    for a in (
        Assessment.objects.filter(
            patient__in=patients,
            instrument="cows",
            administered_at__gte=now - LOOK_BACK - COWS_PREVIOUS_WITHIN,
            administered_at__lte=now,
        )
        .select_related("patient")
        .order_by("administered_at", "created_at")
    ):
        scores.setdefault(a.patient_id, []).append(a)
    found = []
    for patient_id, patient_scores in scores.items():
        rise = cows_rising(patient_scores, given.get(patient_id, []), now)
        if rise is not None:
            found.append(rise)
    return sorted(found, key=lambda r: (r.assessment.administered_at, str(r.assessment.pk)))


def mar_work(user: User, now: datetime.datetime | None = None) -> MarWork:
    """The withdrawal-management work waiting for `user`: only the kinds their worklist has
    (access.worklist_items), for their care teams' patients."""
    now = now or timezone.now()
    items = [item for item in access.worklist_items(user) if item in MAR_ITEMS]
    work = MarWork()
    if not items:
        return work
    # Every kind reaches the same patients: the person's care teams' (a subquery, not a read).
    patients = access.worklist_patients(user, items[0])
    plans = signed_plans_for(patients, with_patient=True, dosed_since=now - 2 * LOOK_BACK)
    if not any(signed.lines for versions in plans.values() for signed in versions):
        return work  # no medication line: no dose due, documented or given
    start, _ = schedule.local_day_bounds(schedule.local_date(now - LOOK_BACK))
    entries = _entries(patients, now - LOOK_BACK - COWS_PREVIOUS_WITHIN, start)
    if WorkItem.DOSES_DUE in items or WorkItem.DOSES_MISSED in items:
        due, missed = _dose_work(plans, entries, now)
        work.due = due if WorkItem.DOSES_DUE in items else []
        work.missed = missed if WorkItem.DOSES_MISSED in items else []
    if WorkItem.DOSES_HELD in items:
        work.held = _held(entries, now)
    if WorkItem.COWS_RISING in items:
        work.rising = _rising(patients, entries, now)
    return work
