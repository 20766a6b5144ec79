"""Records the reassessment tests write straight to the database: an episode, a PHQ-9, GAD-7
or COWS on a clinic day, a urine drug screen collected on a day, a signed detox plan."""

import datetime

from intake.models import LabOrder
from tests.factories import AssessmentFactory, EpisodeFactory
from tests.mar_support import at, signed_plan

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


def detox_plan(patient, physician, signed_at, **fields):
    """A signed supervised-detox plan with a clonidine line."""
    lines = [{"drug": "clonidine", "dose": "0.1", "frequency": "tid", "start_date": TODAY}]
    return signed_plan(patient, physician, lines, signed_at=signed_at, **fields)


def by_code(schedule):
    return {item.code: item for item in (schedule.items if schedule else [])}
