"""The reassessment schedule in clinical words (docs/clinical-rules.md#reassessment): the chart's
"Reassessment" panel (due, overdue and upcoming, each with a link to record it) and the
worklist's "Reassessments due" section (due and overdue only, the kinds the person's role acts
on). Both read intake/selectors/reassessment.py, with a query of theirs: the chart's row, the
home page's counts."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.urls import reverse
from django.utils import timezone

from intake import access
from intake import reassessment_rules as rules
from intake.access import Perm, WorkItem
from intake.local_time import format_local
from intake.mar_schedule import local_date, local_day_bounds
from intake.models import Patient
from intake.selectors.reassessment import (
    EpisodeSchedule,
    episode_schedules,
    schedule_from_json,
    schedules_array,
)
from intake.selectors.worklist_pending import PLAN_REVIEW_DUE_WITHIN_DAYS
from intake.selectors.worklist_rows import WorkRow, patient_from_header, patient_header_json

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LABELS = {
    "phq9": "PHQ-9 depression questionnaire",
    "gad7": "GAD-7 anxiety questionnaire",
    "cows": "COWS withdrawal score",
    "urine-drug-screen": "Urine drug screen",
    "plan-review": "Treatment plan review",
}
ACTIONS = {
    "phq9": "Record a PHQ-9",
    "gad7": "Record a GAD-7",
    "cows": "Score a COWS",
    "urine-drug-screen": "Order a urine drug screen",
    "plan-review": "Review the plan",
}
# What each code needs the person to be allowed to do for the link to show.
RECORD_PERMS = {
    "urine-drug-screen": Perm.LAB_ORDER,
    "plan-review": Perm.PLAN_WRITE,
}


@dataclass(frozen=True)
class ReassessmentLine:
    label: str
    when: str
    status: str
    url: str
    action: str
    # Not yet due, but within the days the plan-review worklist looks ahead: "Due soon".
    soon: bool = False


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def when_words(item: rules.DueItem, now: datetime.datetime) -> str:
    """When it is due, in words: "Due today", "Overdue: due 2026-11-20 (5 days ago)", "Next
    due 2026-12-25"; COWS with its time."""
    if item.due_at is not None:
        at = format_local(item.due_at)
        if item.status == rules.DueStatus.DONE:
            return f"Next due {at}"
        return f"Overdue: due {at}" if item.status == rules.DueStatus.OVERDUE else f"Due {at}"
    if item.status == rules.DueStatus.DONE:
        ahead = (item.due_on - local_date(now)).days
        return f"Next due {item.due_on:%Y-%m-%d} (in {_days(ahead)})"
    if item.status == rules.DueStatus.DUE:
        return "Due today"
    ago = (local_date(now) - item.due_on).days
    return f"Overdue: due {item.due_on:%Y-%m-%d} ({_days(ago)} ago)"


def record_url(patient: Patient, schedule: EpisodeSchedule, item: rules.DueItem) -> str:
    if item.kind == rules.ReassessmentKind.INSTRUMENT:
        return reverse("intake:assessment-create", args=[patient.pk, item.instrument])
    if item.kind == rules.ReassessmentKind.URINE_DRUG_SCREEN:
        return reverse("intake:lab-order-create", args=[patient.pk]) + "?panel=uds"
    return reverse("intake:plan-detail", args=[patient.pk, schedule.plan_id])


def _action(item: rules.DueItem) -> str:
    return ACTIONS[item.code]


def reassessment_chart_section(
    *, patient: Patient, user: User, schedule: EpisodeSchedule | None
) -> dict[str, Any]:
    """The chart's panel: every item of the active episode's schedule (`schedule`, read with
    the chart's row: selectors/patient.py), overdue first, then due, then upcoming, each with
    a link to record it when the person may. No query of its own."""
    if not access.can_view_reassessments(user, patient):
        return {"visible": False, "lines": [], "active": False}
    if schedule is None:
        return {"visible": True, "lines": [], "active": False}
    found = [schedule]
    now = timezone.now()
    order = {rules.DueStatus.OVERDUE: 0, rules.DueStatus.DUE: 1, rules.DueStatus.DONE: 2}
    lines = []
    for item in sorted(found[0].items, key=lambda i: (order[i.status], i.due_on)):
        perm = RECORD_PERMS.get(item.code, Perm.ASSESSMENT_RECORD)
        may = access.can(user, perm, patient)
        lines.append(
            ReassessmentLine(
                label=LABELS[item.code],
                when=when_words(item, now),
                status=item.status.value,
                url=record_url(patient, found[0], item) if may else "",
                action=_action(item),
                soon=item.status == rules.DueStatus.DONE
                and (item.due_on - local_date(now)).days <= PLAN_REVIEW_DUE_WITHIN_DAYS,
            )
        )
    return {"visible": True, "lines": lines, "active": True}


REASSESSMENT_COLUMN = "reassessment_facts"


def reassessment_columns(user: User) -> dict[str, ArraySubquery]:
    """For the home page's counts query: the facts of the schedules of the person's care
    teams' patients (selectors/reassessment.py schedules_array), when their role has any."""
    if not access.reassessment_work(user):
        return {}
    patients = access.worklist_patients(user, WorkItem.REASSESSMENTS_DUE)
    return {REASSESSMENT_COLUMN: schedules_array(patients, patient_header_json())}


def reassessment_work(
    user: User,
    now: datetime.datetime | None = None,
    read: Mapping[str, Any] | None = None,
) -> list[tuple[EpisodeSchedule, rules.DueItem]]:
    """The due and overdue reassessments of the person's care teams' patients that their role
    acts on (access.reassessment_work), earliest due first: one query whatever the caseload,
    none with `read`, the row of a query that carried reassessment_columns."""
    codes = access.reassessment_work(user)
    if not codes:
        return []
    if read is None:
        patients = access.worklist_patients(user, WorkItem.REASSESSMENTS_DUE)
        schedules = episode_schedules(patients, now)
    else:
        facts = read.get(REASSESSMENT_COLUMN) or []
        found = (schedule_from_json(patient_from_header(f["patient"]), f, now) for f in facts)
        schedules = [s for s in found if s is not None]
    work = [
        (schedule, item)
        for schedule in schedules
        for item in schedule.items
        if item.status in rules.OPEN_STATUSES and item.code in codes
    ]
    return sorted(work, key=lambda pair: (due_moment(pair[1]), str(pair[0].patient.pk)))


def due_moment(item: rules.DueItem) -> datetime.datetime:
    """When it is due: COWS at its time, the others at the start of their day (clinic time)."""
    if item.due_at is not None:
        return item.due_at
    return local_day_bounds(item.due_on)[0]


def reassessment_rows(
    user: User,
    limit: int,
    now: datetime.datetime | None = None,
    read: Mapping[str, Any] | None = None,
) -> tuple[list[WorkRow], int]:
    """The home page's section: its first `limit` rows and how many in all. Plan reviews are
    left to the "Treatment plan reviews due" section when the person has it (it lists them
    from 14 days ahead)."""
    now = now or timezone.now()
    skip = {"plan-review"} if WorkItem.PLAN_REVIEWS_DUE in access.worklist_items(user) else set()
    work = [(s, i) for s, i in reassessment_work(user, now, read) if i.code not in skip]
    rows = [
        WorkRow(
            patient=schedule.patient,
            title=LABELS[item.code],
            detail=when_words(item, now),
            url=record_url(schedule.patient, schedule, item),
            action=_action(item),
            flag="Overdue" if item.status == rules.DueStatus.OVERDUE else "",
        )
        for schedule, item in work[:limit]
    ]
    return rows, len(work)
