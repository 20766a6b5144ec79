"""A plan medication is expected on a drug screen only from the day after its start date through
its end date: a specimen collected on the start date may precede the first dose."""

import datetime

import pytest
from django.utils import timezone

from intake.services.lab import lab_order_create, lab_results_record
from tests.factories import mark_signed, methadone_plan

# The dates below are a worked example in the days before the frozen clock (25 November 2026):
# every collection is in the past and the plan's review date ahead, whatever the real date.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

START = datetime.date(2026, 11, 10)
END = datetime.date(2026, 11, 20)


@pytest.fixture
def on_methadone(patient, team_physician):
    plan = methadone_plan(
        patient, dose=30, start_date=START, end_date=END, review_date=datetime.date(2027, 1, 1)
    )
    mark_signed(plan, team_physician)
    return plan


def screen(patient, nurse, day, methadone):
    order = lab_order_create(actor=nurse, patient=patient, panel="uds")
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    recording = lab_results_record(
        actor=nurse,
        order=order,
        collected_at=at,
        observed=False,
        entries=[{"test": "methadone", "qualitative": methadone}],
    )
    return recording.results[0].expected


@pytest.mark.parametrize(
    ("day", "negative_expected", "positive_expected"),
    [
        (START, True, False),  # first dose may not be taken yet: not expected
        (START + datetime.timedelta(days=1), False, True),
        (END, False, True),
        (END + datetime.timedelta(days=1), True, False),  # no longer prescribed
    ],
)
def test_methadone_is_expected_from_the_day_after_start_through_the_end_date(
    patient, team_nurse, on_methadone, day, negative_expected, positive_expected
):
    assert screen(patient, team_nurse, day, "negative") is negative_expected
    assert screen(patient, team_nurse, day, "positive") is positive_expected


def test_a_plan_line_not_yet_started_does_not_fall_back_to_the_interview(
    patient, team_nurse, on_methadone
):
    from intake.models import Interview

    Interview.objects.create(
        patient=patient,
        author=team_nurse,
        interviewed_on=datetime.date(2026, 11, 1),
        current_medications="methadone 60 mg daily",
    )
    assert screen(patient, team_nurse, START, "negative") is True
