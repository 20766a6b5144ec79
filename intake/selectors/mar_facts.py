"""The facts the administration rules (intake/mar_rules.py,
docs/clinical-rules.md#administration-rules) need about one dose about to be given: the PRN
doses of its drug around it, the latest vital signs, whether it is the first induction dose,
the COWS before it and the methadone of the first day. Read by
intake/services/medication_administration.py under its locks."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import QuerySet

from intake import limits
from intake import mar_rules as rules
from intake import mar_schedule as schedule
from intake.formulary import ABSOLUTE_MAXIMA, BUPRENORPHINE_INDUCTION_DRUGS
from intake.models import (
    AdministrationStatus,
    Assessment,
    MedicationAdministration,
    Patient,
    TreatmentPlan,
    VitalSigns,
)
from intake.selectors.mar import prn_given


def _standing_given(patient: Patient) -> QuerySet[MedicationAdministration]:
    return MedicationAdministration.objects.filter(
        patient=patient, status=AdministrationStatus.GIVEN, void_entry__isnull=True
    )


def _latest_vitals(patient: Patient, at: datetime.datetime) -> rules.Vitals | None:
    found = (
        VitalSigns.objects.filter(
            patient=patient,
            systolic__isnull=False,
            heart_rate__isnull=False,
            voided_at__isnull=True,
            taken_at__gte=at - rules.VITALS_WITHIN,
            taken_at__lte=at,
        )
        .order_by("-taken_at", "-created_at")
        .first()
    )
    if found is None:
        return None
    return rules.Vitals(found.taken_at, found.systolic, found.diastolic, found.heart_rate)


def _first_induction_dose(patient: Patient, plan: TreatmentPlan, at: datetime.datetime) -> bool:
    earlier = _standing_given(patient).filter(
        medication__drug__in=sorted(BUPRENORPHINE_INDUCTION_DRUGS), given_at__lte=at
    )
    if plan.episode_id is not None:
        earlier = earlier.filter(plan__episode_id=plan.episode_id)
    return not earlier.exists()


def _methadone_first_day_given(
    patient: Patient, plan: TreatmentPlan, at: datetime.datetime
) -> Decimal | None:
    """The methadone given on `at`'s day if it is the first day of methadone in the plan's
    episode (a readmission starts again, as the induction rule does), else None."""
    given = _standing_given(patient).filter(medication__drug="methadone")
    if plan.episode_id is not None:
        given = given.filter(plan__episode_id=plan.episode_id)
    first = given.order_by("given_at").values_list("given_at", flat=True).first()
    day = schedule.local_date(at)
    # A dose documented late, on a day before the first recorded one, is the first day's.
    if first is not None and schedule.local_date(first) < day:
        return None
    start, end = schedule.local_day_bounds(day)
    doses = given.filter(given_at__gte=start, given_at__lt=end).values_list("dose", flat=True)
    return sum((d for d in doses if d is not None), Decimal(0))


def _has_daily_maximum(drug: str) -> bool:
    maximum = ABSOLUTE_MAXIMA.get(drug)
    return maximum is not None and maximum.per_day is not None


def _scheduled_given_on(patient: Patient, drug: str, at: datetime.datetime) -> Decimal:
    """The standing scheduled doses of `drug` given on `at`'s clinic day."""
    start, end = schedule.local_day_bounds(schedule.local_date(at))
    doses = (
        _standing_given(patient)
        .filter(medication__drug=drug, due_dose_id__isnull=False)
        .filter(given_at__gte=start, given_at__lt=end)
        .values_list("dose", flat=True)
    )
    return sum((d for d in doses if d is not None), Decimal(0))


def _cows_totals(patient: Patient, at: datetime.datetime) -> list[int]:
    """The COWS totals of the 60 minutes before `at`, oldest first."""
    return list(
        Assessment.objects.filter(
            patient=patient,
            instrument="cows",
            administered_at__gte=at - rules.COWS_WITHIN,
            administered_at__lte=at,
        )
        .order_by("administered_at")
        .values_list("total", flat=True)
    )


def dose_facts(
    *,
    patient: Patient,
    line: schedule.Line,
    plan: TreatmentPlan,
    ordered: Decimal,
    dose: Decimal,
    unit: str,
    given_at: datetime.datetime,
) -> rules.DoseFacts:
    """What the administration rules need to know about giving `dose` of `line` at `given_at`."""
    prn: list[tuple[datetime.datetime, Decimal]] = []
    scheduled_today = Decimal(0)
    day_start, _ = schedule.local_day_bounds(schedule.local_date(given_at))
    since: datetime.datetime | None = None
    if schedule.is_prn(line.frequency):
        interval = datetime.timedelta(hours=schedule.PRN_INTERVAL_HOURS[line.frequency])
        since = min(day_start, given_at - interval)
    if _has_daily_maximum(line.drug):
        # Every dose of the drug that day counts against its absolute maximum.
        since = since or day_start
        scheduled_today = _scheduled_given_on(patient, line.drug, given_at)
    if since is not None:
        prn = [(e.given_at, e.dose or Decimal(0)) for e in prn_given(patient, line.drug, since)]
    induction = line.drug in BUPRENORPHINE_INDUCTION_DRUGS
    monitoring = plan.withdrawal_monitoring or {}
    return rules.DoseFacts(
        drug=line.drug,
        frequency=line.frequency,
        ordered=ordered,
        ordered_unit=line.unit,
        dose=dose,
        unit=unit,
        given_at=given_at,
        prn_given=prn,
        scheduled_given_today=scheduled_today,
        latest_vitals=_latest_vitals(patient, given_at) if line.drug in rules.HOLD_DRUGS else None,
        first_induction_dose=induction and _first_induction_dose(patient, plan, given_at),
        cows_totals=_cows_totals(patient, given_at) if induction else [],
        induction_threshold=int(
            monitoring.get("induction_threshold", limits.INDUCTION_THRESHOLD_DEFAULT)
        ),
        methadone_first_day_given=_methadone_first_day_given(patient, plan, given_at)
        if line.drug == "methadone"
        else None,
        methadone_first_dose_acknowledged=any(
            isinstance(a, dict) and a.get("code") == "methadone-first-dose"
            for a in plan.acknowledged_warnings or []
        ),
    )
