"""Records the reassessment tests write straight to the database: an episode, a PHQ-9, GAD-7
or COWS on a clinic day, a urine drug screen collected on a day, a signed detox plan."""

import datetime
from decimal import Decimal

from intake.models import LabOrder, PlanMedication, TreatmentPlan
from tests.factories import AssessmentFactory, EpisodeFactory, mark_signed
from tests.mar_support import at

TODAY = datetime.date(2026, 11, 25)  # conftest.FROZEN_AT, 10:00 in New York


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def admitted(patient, on=TODAY, **fields):
    return EpisodeFactory(patient=patient, admitted_on=on, **fields)


def scored(patient, instrument, moment, total=12, band="moderate"):
    return AssessmentFactory(
        patient=patient,
        instrument=instrument,
        answers={},
        total=total,
        band=band,
        administered_at=moment,
    )


def on_day(day, hh=9):
    return at(day, hh)


def screen(patient, user, day, status="resulted"):
    moment = at(day, 9)
    return LabOrder.objects.create(
        patient=patient,
        panel_id="uds",
        ordered_by=user,
        ordered_at=moment,
        status=status,
        collected_at=moment,
        resulted_at=moment if status == "resulted" else None,
        specimen_status="valid" if status == "resulted" else "",
    )


def detox_plan(patient, physician, signed_at, review_date=None, previous=None, **fields):
    """A signed supervised-detox plan with a clonidine line (reviewed on `review_date`, by
    default 2027-01-30); a previous version given is superseded."""
    if previous is not None:
        TreatmentPlan.objects.filter(pk=previous.pk).update(status="superseded")
    plan = TreatmentPlan.objects.create(
        patient=patient,
        setting="residential",
        medically_supervised_detox=fields.pop("medically_supervised_detox", True),
        review_date=review_date or datetime.date(2027, 1, 30),
        version=previous.version + 1 if previous else 1,
        previous=previous,
        amendment_reason="Dose change" if previous else "",
        **fields,
    )
    PlanMedication.objects.create(
        plan=plan,
        drug="clonidine",
        dose=Decimal("0.1"),
        route="oral",
        frequency="tid",
        start_date=TODAY,
    )
    mark_signed(plan, physician, signed_at=signed_at)
    plan.refresh_from_db()
    return plan


def by_code(schedule):
    return {item.code: item for item in (schedule.items if schedule else [])}
