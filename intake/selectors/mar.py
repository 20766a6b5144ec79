"""Reading the medication administration record: the doses a patient's signed plans order on
a day (intake/mar_schedule.py), each with what was documented of it, and the PRN lines of the
active plan with how much was given today and when the next dose is allowed.

Three queries for a day, whatever the number of lines and doses: the signed plans with their
lines, the day's entries (with the entries that void them), and the PRN doses given of the
active plan's lines since the start of the day minus the longest interval."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast, JSONObject

from intake import mar_rules as rules
from intake import mar_schedule as schedule
from intake.models import (
    AdministrationStatus,
    DueDoseStatus,
    MedicationAdministration,
    Patient,
    PlanMedication,
    PlanStatus,
    TreatmentPlan,
)
from intake.models.treatment_plan import SIGNED_PLAN_STATUSES


@dataclass(frozen=True)
class SignedPlan:
    plan: TreatmentPlan
    active_from: datetime.datetime
    active_until: datetime.datetime | None
    lines: tuple[schedule.Line, ...]


def _line(
    med: PlanMedication,
    plan: TreatmentPlan,
    start: datetime.datetime,
    until: datetime.datetime | None,
) -> schedule.Line:
    return schedule.Line(
        pk=med.pk,
        plan_pk=plan.pk,
        drug=med.drug,
        dose=Decimal(med.dose),
        unit=med.unit,
        route=med.route,
        frequency=med.frequency,
        start_date=med.start_date,
        end_date=med.end_date,
        taper=tuple(med.taper or ()),
        active_from=start,
        active_until=until,
        carried_over=False,
    )


def _versions(plans: Sequence[TreatmentPlan]) -> list[SignedPlan]:
    """One patient's signed versions (in signing order), each with its active window."""
    found: list[SignedPlan] = []
    once_seen: set[tuple[str, datetime.date]] = set()
    for i, plan in enumerate(plans):
        assert plan.signed_at is not None
        until = plans[i + 1].signed_at if i + 1 < len(plans) else None
        if plan.status == PlanStatus.CLOSED and plan.closed_at is not None:
            until = min(until, plan.closed_at) if until else plan.closed_at
        lines = []
        for med in plan.medications.all():
            line = _line(med, plan, plan.signed_at, until)
            if med.frequency == "once":
                # An amendment carries a `once` line over: its one dose was ordered already.
                key = (med.drug, med.start_date)
                if key in once_seen:
                    line = dataclasses.replace(line, carried_over=True)
                once_seen.add(key)
            lines.append(line)
        found.append(SignedPlan(plan, plan.signed_at, until, tuple(lines)))
    return found


# A signed plan's lines come with the plan, as one array of JSON objects (a signed line never
# changes): one query for the plans and their lines instead of two, on every page that reads
# the MAR (the home page's worklist among them). Doses as text, so they stay exact.
PLAN_LINES = (
    PlanMedication.objects.filter(plan=OuterRef("pk"))
    .order_by("position")
    .values(
        json=JSONObject(
            id="id",
            position="position",
            drug="drug",
            dose=Cast("dose", TextField()),
            unit="unit",
            route="route",
            frequency="frequency",
            start_date="start_date",
            end_date="end_date",
            indication="indication",
            taper="taper",
        )
    )
)


def keep_lines(plan: TreatmentPlan) -> None:
    """The plan's lines (read with it) as its `medications`, as a prefetch would leave them."""
    meds = []
    for row in getattr(plan, "lines", None) or []:
        end = row["end_date"]
        meds.append(
            PlanMedication(
                id=row["id"],
                plan=plan,
                position=row["position"],
                drug=row["drug"],
                dose=Decimal(row["dose"]),
                unit=row["unit"],
                route=row["route"],
                frequency=row["frequency"],
                start_date=datetime.date.fromisoformat(row["start_date"]),
                end_date=datetime.date.fromisoformat(end) if end else None,
                indication=row["indication"],
                taper=row["taper"] or [],
            )
        )
    setattr(plan, "_prefetched_objects_cache", {"medications": meds})  # noqa: B010 - Django's own cache


def signed_plans_for(
    patients: QuerySet[Patient] | Sequence[Patient],
    *,
    with_patient: bool = False,
    dosed_since: datetime.datetime | None = None,
) -> dict[uuid.UUID, list[SignedPlan]]:
    """`signed_plans` of many patients in one query (the plans with their lines), by patient
    id; a patient with no signed plan is absent. `with_patient`: each plan's patient comes
    along. `dosed_since` (a caseload's pass or worklist): only the patients with a signed plan
    that has medication lines and is active, or stopped being so since then; the others have
    no dose to give or to miss, and a caseload is mostly them."""
    plans = (
        TreatmentPlan.objects.filter(
            patient__in=patients, status__in=sorted(SIGNED_PLAN_STATUSES), signed_at__isnull=False
        )
        .annotate(lines=ArraySubquery(PLAN_LINES))
        # What the MAR never reads: the signed copy, the problems, the review's words.
        .defer("signed_content", "problems", "warnings", "review_comment", "amendment_reason")
        .order_by("patient_id", "signed_at")
    )
    if dosed_since is not None:
        dosing = TreatmentPlan.objects.filter(
            Q(status=PlanStatus.ACTIVE) | Q(updated_at__gte=dosed_since),
            status__in=sorted(SIGNED_PLAN_STATUSES),
            medications__isnull=False,
        )
        plans = plans.filter(patient__in=dosing.values("patient_id"))
    if with_patient:
        plans = plans.select_related("patient")
    by_patient: dict[uuid.UUID, list[TreatmentPlan]] = {}
    for plan in plans:
        keep_lines(plan)
        by_patient.setdefault(plan.patient_id, []).append(plan)
    return {pk: _versions(found) for pk, found in by_patient.items()}


def signed_plans(patient: Patient) -> list[SignedPlan]:
    """The patient's signed plan versions in signing order, each with the window in which it was
    the active one (to the next signature, or to its closing) and its medication lines."""
    return signed_plans_for([patient]).get(patient.pk, [])


def active_plan(plans: Sequence[SignedPlan]) -> SignedPlan | None:
    for signed in plans:
        if signed.plan.status == PlanStatus.ACTIVE:
            return signed
    return None


@dataclass
class DoseRow:
    """A due dose on the MAR, with its live entry (None when undocumented) and its status."""

    id: uuid.UUID
    line: schedule.Line
    due_at: datetime.datetime
    dose: Decimal
    status: str
    entry: MedicationAdministration | None = None
    history: list[MedicationAdministration] = field(default_factory=list)


@dataclass
class PrnRow:
    line: schedule.Line
    indication: str
    given_today: Decimal
    daily_max: Decimal
    next_allowed_at: datetime.datetime | None
    entries: list[MedicationAdministration] = field(default_factory=list)
    # The day's doses of the line's drug given as needed and voided since: still shown, marked.
    voided: list[MedicationAdministration] = field(default_factory=list)


@dataclass
class MarDay:
    date: datetime.date
    scheduled: list[DoseRow]
    prn: list[PrnRow]
    active: SignedPlan | None
    # The day's PRN doses of a drug the active plan no longer orders as needed (an earlier
    # version's line, or a plan since closed): the record keeps showing them.
    prn_earlier: list[MedicationAdministration] = field(default_factory=list)


def is_voided(entry: MedicationAdministration) -> bool:
    try:
        return entry.void_entry is not None
    except MedicationAdministration.void_entry.RelatedObjectDoesNotExist:
        return False


def entries_between(
    patient: Patient, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[MedicationAdministration]:
    """Entries given, or documenting a dose due, in [start, end), with their void entries."""
    return (
        MedicationAdministration.objects.filter(patient=patient)
        .filter(Q(given_at__gte=start, given_at__lt=end) | Q(due_at__gte=start, due_at__lt=end))
        .select_related("void_entry__created_by", "created_by", "medication")
        .order_by("given_at", "created_at")
    )


def status_of(
    row_entry: MedicationAdministration | None, due_at: datetime.datetime, now: datetime.datetime
) -> str:
    if row_entry is not None:
        return row_entry.status
    if now >= due_at + schedule.MISSED_AFTER:
        return DueDoseStatus.MISSED
    return DueDoseStatus.DUE


def dose_rows(
    plans: Sequence[SignedPlan],
    entries: Sequence[MedicationAdministration],
    first: datetime.date,
    last: datetime.date,
    now: datetime.datetime,
) -> list[DoseRow]:
    """The due doses of `first`..`last` with their entries. A documented dose stays on the MAR
    even when an amendment no longer orders it; a dose the amendment orders at the time a dose
    of the same drug was already documented is not shown twice."""
    by_due: dict[uuid.UUID, list[MedicationAdministration]] = {}
    for entry in entries:
        if entry.due_dose_id is not None and entry.status != AdministrationStatus.VOID:
            by_due.setdefault(entry.due_dose_id, []).append(entry)
    rows: dict[uuid.UUID, DoseRow] = {}
    for signed in plans:
        for line in signed.lines:
            for dose in schedule.line_doses(line, first, last):
                rows[dose.id] = DoseRow(dose.id, line, dose.due_at, dose.dose, DueDoseStatus.DUE)
    documented_times = set()
    lines_by_pk = {line.pk: line for signed in plans for line in signed.lines}
    for due_id, history in by_due.items():
        standing = [e for e in history if not is_voided(e)]
        first_entry = history[0]
        known = lines_by_pk.get(first_entry.medication_id)
        if due_id not in rows and known is not None and first_entry.due_at is not None:
            if standing:  # a dose documented under a version that no longer orders it
                rows[due_id] = DoseRow(
                    due_id,
                    known,
                    first_entry.due_at,
                    first_entry.dose or known.dose,
                    DueDoseStatus.DUE,
                )
        if due_id in rows:
            row = rows[due_id]
            row.history = history
            row.entry = standing[-1] if standing else None
            if standing:
                documented_times.add((row.line.drug, row.due_at))
    shown = []
    for row in sorted(rows.values(), key=lambda r: (r.due_at, r.line.drug, r.line.pk)):
        if row.entry is None and (row.line.drug, row.due_at) in documented_times:
            continue
        row.status = status_of(row.entry, row.due_at, now)
        shown.append(row)
    return shown


def prn_given(
    patient: Patient, drug: str, since: datetime.datetime
) -> list[MedicationAdministration]:
    """The standing PRN doses of `drug` given to the patient since `since`, oldest first."""
    entries = (
        MedicationAdministration.objects.filter(
            patient=patient,
            status=AdministrationStatus.GIVEN,
            due_dose_id__isnull=True,
            medication__drug=drug,
            given_at__gte=since,
        )
        .select_related("void_entry")
        .order_by("given_at")
    )
    return [e for e in entries if not is_voided(e)]


def prn_row(
    line: schedule.Line,
    indication: str,
    given: Sequence[MedicationAdministration],
    day: datetime.date,
    now: datetime.datetime,
) -> PrnRow:
    """A PRN line on `day`: given today (a calendar day of the clinic), the daily maximum
    (dose × times a day, never above the absolute maximum) and the next time it may be given."""
    start, end = schedule.local_day_bounds(day)
    same = [e for e in given if e.medication.drug == line.drug]
    today = [e for e in same if start <= e.given_at < end]
    daily_max = rules.prn_daily_limit(line.drug, line.frequency, line.dose)
    last = max((e.given_at for e in same if e.given_at <= now), default=None)
    interval = datetime.timedelta(hours=schedule.PRN_INTERVAL_HOURS[line.frequency])
    next_allowed = last + interval if last is not None and last + interval > now else None
    return PrnRow(
        line=line,
        indication=indication,
        given_today=sum((e.dose or Decimal(0) for e in today), Decimal(0)),
        daily_max=daily_max,
        next_allowed_at=next_allowed,
        entries=today,
    )


def mar_day(patient: Patient, day: datetime.date, now: datetime.datetime) -> MarDay:
    """The MAR of one clinic day: its due doses and the active plan's PRN lines."""
    plans = signed_plans(patient)
    start, end = schedule.local_day_bounds(day)
    longest = datetime.timedelta(hours=max(schedule.PRN_INTERVAL_HOURS.values()))
    entries = list(entries_between(patient, start - longest, end))
    day_entries = [
        e
        for e in entries
        if start <= e.given_at < end or (e.due_at is not None and start <= e.due_at < end)
    ]
    scheduled = dose_rows(plans, day_entries, day, day, now)
    active = active_plan(plans)
    prn = prn_rows(active, entries, day, now) if active is not None else []
    shown = {row.line.drug for row in prn}
    earlier = [
        e
        for e in day_entries
        if e.due_dose_id is None
        and e.status == AdministrationStatus.GIVEN
        and start <= e.given_at < end
        and e.medication.drug not in shown
    ]
    return MarDay(date=day, scheduled=scheduled, prn=prn, active=active, prn_earlier=earlier)


def prn_rows(
    active: SignedPlan,
    entries: Sequence[MedicationAdministration],
    day: datetime.date,
    now: datetime.datetime,
) -> list[PrnRow]:
    """The active plan's PRN lines on `day`, from `entries` reaching back the longest PRN
    interval before the day's start (`prn_row`)."""
    meds = {m.pk: m for m in active.plan.medications.all()}
    prn = [e for e in entries if e.status == AdministrationStatus.GIVEN and e.due_dose_id is None]
    given = [e for e in prn if not is_voided(e)]
    start, end = schedule.local_day_bounds(day)
    voided = [e for e in prn if is_voided(e) and start <= e.given_at < end]
    rows = []
    for line in active.lines:
        if schedule.is_prn(line.frequency):
            row = prn_row(line, meds[line.pk].indication, given, day, now)
            row.voided = [e for e in voided if e.medication.drug == line.drug]
            rows.append(row)
    return rows
