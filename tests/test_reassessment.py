"""The reassessment schedule (docs/clinical-rules.md#reassessment), worked examples at each
boundary, the clock frozen at 10:00 in New York on 25 November 2026: PHQ-9 and GAD-7 due at
admission and 30 days after the last, overdue the day after; urine drug screens weekly in the
first 90 days then monthly; COWS every 6 hours for the first 3 days of withdrawal management;
the active plan's review date; nothing for a discharged episode; recording clears an item."""

import datetime

import pytest
from django.utils import timezone

from intake import reassessment_rules as rules
from intake.models import Episode
from intake.selectors.reassessment import patient_reassessments
from tests.factories import mark_signed, methadone_plan
from tests.mar_support import at
from tests.reassessment_support import (
    TODAY,
    admitted,
    by_code,
    days_ago,
    detox_plan,
    on_day,
    scored,
    screen,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def schedule(patient):
    return by_code(patient_reassessments(patient=patient))


def test_it_makes_everything_due_on_the_day_of_admission(patient):
    admitted(patient, TODAY)
    items = schedule(patient)
    assert {code: (i.due_on, i.status) for code, i in items.items()} == {
        "phq9": (TODAY, "due"),
        "gad7": (TODAY, "due"),
        "urine-drug-screen": (TODAY, "due"),
    }


def test_it_makes_them_overdue_the_day_after_admission(patient):
    admitted(patient, days_ago(1))
    items = schedule(patient)
    assert items["phq9"].status == items["urine-drug-screen"].status == "overdue"
    assert items["phq9"].due_on == days_ago(1)


@pytest.mark.parametrize(
    ("last", "due_on", "status"),
    [
        (29, TODAY + datetime.timedelta(days=1), "done"),  # due tomorrow: not yet
        (30, TODAY, "due"),  # day 30: due today
        (31, days_ago(1), "overdue"),  # day 31: overdue
    ],
)
def test_phq9_is_due_30_days_after_the_last(patient, last, due_on, status):
    admitted(patient, days_ago(100))
    scored(patient, "phq9", on_day(days_ago(last)))
    scored(patient, "gad7", on_day(days_ago(last)), band="mild")
    items = schedule(patient)
    assert (items["phq9"].due_on, items["phq9"].status) == (due_on, status)
    assert (items["gad7"].due_on, items["gad7"].status) == (due_on, status)


def test_a_phq9_from_before_the_admission_makes_it_due_at_admission(patient):
    admitted(patient, days_ago(3))
    scored(patient, "phq9", on_day(days_ago(60)))
    assert schedule(patient)["phq9"].due_on == days_ago(3)


@pytest.mark.parametrize(
    ("last", "due_on", "status"),
    [
        (6, TODAY + datetime.timedelta(days=1), "done"),
        (7, TODAY, "due"),
        (8, days_ago(1), "overdue"),
    ],
)
def test_urine_screens_are_weekly_in_the_first_90_days(patient, team_nurse, last, due_on, status):
    admitted(patient, days_ago(40))
    screen(patient, team_nurse, days_ago(last))
    items = schedule(patient)
    assert (items["urine-drug-screen"].due_on, items["urine-drug-screen"].status) == (
        due_on,
        status,
    )


def test_urine_screens_are_monthly_after_the_first_90_days(patient, team_nurse):
    # Admitted 2026-08-01: days 1..90 run to 2026-10-29; a screen on day 90 is followed a
    # week later, one on day 91 a month later.
    episode = admitted(patient, datetime.date(2026, 8, 1))
    screen(patient, team_nurse, datetime.date(2026, 10, 29))
    assert schedule(patient)["urine-drug-screen"].due_on == datetime.date(2026, 11, 5)
    screen(patient, team_nurse, datetime.date(2026, 10, 30))
    item = schedule(patient)["urine-drug-screen"]
    assert (item.due_on, item.status) == (datetime.date(2026, 11, 29), "done")
    assert episode.admitted_on + datetime.timedelta(days=90) == datetime.date(2026, 10, 30)


def test_a_screen_ordered_but_not_collected_does_not_count(patient, team_nurse):
    admitted(patient, days_ago(10))
    order = screen(patient, team_nurse, days_ago(1))
    order.status, order.collected_at, order.resulted_at, order.specimen_status = (
        "ordered",
        None,
        None,
        "",
    )
    order.save()
    assert schedule(patient)["urine-drug-screen"].due_on == days_ago(10)


def test_cows_is_due_at_the_start_of_withdrawal_management(patient, team_physician):
    admitted(patient, days_ago(2))
    detox_plan(patient, team_physician, signed_at=at(days_ago(1), 8))
    item = schedule(patient)["cows"]
    # Due 2026-11-24 08:00, a whole 6 hours passed without one: overdue.
    assert (item.due_at, item.status) == (at(days_ago(1), 8), "overdue")
    assert item.kind == "instrument"


@pytest.mark.parametrize(
    ("last_hour", "status"),
    [
        (5, "done"),  # due 11:00
        (4, "due"),  # due 10:00, now
        (3, "due"),  # due 09:00, overdue only at 15:00
    ],
)
def test_cows_is_due_6_hours_after_the_last(patient, team_physician, team_nurse, last_hour, status):
    admitted(patient, days_ago(2))
    detox_plan(patient, team_physician, signed_at=at(days_ago(1), 8))
    scored(patient, "cows", at(TODAY, last_hour), total=6, band="mild")
    item = schedule(patient)["cows"]
    assert item.due_at == at(TODAY, last_hour + 6)
    assert item.status == status


def test_cows_is_overdue_once_a_whole_interval_passed(patient, team_physician):
    admitted(patient, days_ago(2))
    detox_plan(patient, team_physician, signed_at=at(days_ago(1), 8))
    scored(patient, "cows", at(days_ago(1), 22), total=6, band="mild")  # due 04:00
    assert schedule(patient)["cows"].status == "overdue"


def test_cows_stops_after_3_days_of_withdrawal_management(patient, team_physician):
    admitted(patient, days_ago(5))
    # Started 2026-11-22 10:01: the 3 days end at 10:01 today.
    detox_plan(patient, team_physician, signed_at=at(days_ago(3), 10, 1))
    scored(patient, "cows", at(TODAY, 4), total=6, band="mild")
    assert schedule(patient)["cows"].status == "due"  # due 10:00, before the end
    scored(patient, "cows", at(TODAY, 4, 2), total=6, band="mild")
    assert "cows" not in schedule(patient)  # the next would be 10:02, after the end


def test_no_cows_once_the_3_days_are_over(patient, team_physician):
    admitted(patient, days_ago(5))
    detox_plan(patient, team_physician, signed_at=at(days_ago(3), 10))
    assert "cows" not in schedule(patient)


def test_an_amendment_does_not_restart_the_3_days(patient, team_physician):
    admitted(patient, days_ago(5))
    first = detox_plan(patient, team_physician, signed_at=at(days_ago(3), 9))
    detox_plan(patient, team_physician, signed_at=at(days_ago(1), 9), previous=first)
    assert "cows" not in schedule(patient)


def test_the_plans_own_interval_and_scale(patient, team_physician):
    admitted(patient, days_ago(2))
    detox_plan(
        patient,
        team_physician,
        signed_at=at(days_ago(1), 8),
        withdrawal_monitoring={"instrument": "cows", "every_hours": 4},
    )
    scored(patient, "cows", at(TODAY, 5), total=6, band="mild")
    assert schedule(patient)["cows"].due_at == at(TODAY, 9)


def test_no_cows_when_the_plan_monitors_with_another_scale(patient, team_physician):
    admitted(patient, days_ago(2))
    detox_plan(
        patient,
        team_physician,
        signed_at=at(days_ago(1), 8),
        withdrawal_monitoring={"instrument": "sows", "every_hours": 4},
    )
    assert "cows" not in schedule(patient)


def test_no_cows_on_maintenance(patient, team_physician):
    admitted(patient, days_ago(2))
    plan = methadone_plan(patient, dose="30", start_date=days_ago(1))
    mark_signed(plan, team_physician, signed_at=at(days_ago(1), 8))
    assert "cows" not in schedule(patient)


def test_no_cows_once_withdrawal_management_was_completed(patient, team_physician):
    episode = admitted(patient, days_ago(2))
    detox_plan(patient, team_physician, signed_at=at(days_ago(1), 8))
    assert "cows" in schedule(patient)
    Episode.objects.filter(pk=episode.pk).update(withdrawal_summary={"completed_at": "x"})
    assert "cows" not in schedule(patient)


@pytest.mark.parametrize(
    ("review_date", "status"),
    [(TODAY + datetime.timedelta(days=1), "done"), (TODAY, "due"), (days_ago(1), "overdue")],
)
def test_the_active_plans_review_date(patient, team_physician, review_date, status):
    admitted(patient, days_ago(20))
    plan = methadone_plan(patient, dose="30", start_date=days_ago(19), review_date=review_date)
    mark_signed(plan, team_physician)
    item = schedule(patient)["plan-review"]
    assert (item.due_on, item.status, item.kind) == (review_date, status, "plan-review")


def test_a_draft_plan_has_no_review_on_the_schedule(patient):
    admitted(patient, days_ago(20))
    methadone_plan(patient, dose="30", start_date=days_ago(19), review_date=days_ago(1))
    assert "plan-review" not in schedule(patient)


def test_a_discharged_episode_has_nothing_due(patient):
    admitted(
        patient,
        days_ago(60),
        status="discharged",
        discharged_on=days_ago(1),
        discharge_reason="completed",
    )
    assert patient_reassessments(patient=patient) is None


def test_recording_clears_the_item(patient, team_nurse):
    admitted(patient, days_ago(40))
    scored(patient, "phq9", on_day(days_ago(31)))
    assert schedule(patient)["phq9"].status == "overdue"
    scored(patient, "phq9", timezone.now(), total=4, band="minimal")
    item = schedule(patient)["phq9"]
    assert (item.status, item.due_on) == ("done", TODAY + datetime.timedelta(days=30))
    assert schedule(patient)["urine-drug-screen"].status == "overdue"
    screen(patient, team_nurse, TODAY)
    assert schedule(patient)["urine-drug-screen"].status == "done"


# The pure rules, directly ---------------------------------------------------------------------


def test_day_status_boundaries():
    assert rules.day_status(TODAY, TODAY) == "due"
    assert rules.day_status(days_ago(1), TODAY) == "overdue"
    assert rules.day_status(TODAY + datetime.timedelta(days=1), TODAY) == "done"


@pytest.mark.parametrize(
    ("totals", "assessed", "response", "remission"),
    [
        ([20, 10], True, True, False),  # exactly 50% below: response
        ([27, 14], True, False, False),  # 48% below: not
        ([27, 13], True, True, False),  # 52% below
        ([12, 4], True, True, True),  # latest 4: remission
        ([12, 5], True, True, False),  # latest 5: not remission (58% below: response)
        ([9, 2], False, False, False),  # first 9: not assessed
        ([10, 5], True, True, False),  # first 10: assessed
        ([15], False, False, False),  # one PHQ-9: not assessed
        ([], False, False, False),
    ],
)
def test_phq9_response_and_remission(totals, assessed, response, remission):
    outcome = rules.phq9_outcome(totals)
    assert (outcome.assessed, outcome.response, outcome.remission) == (
        assessed,
        response,
        remission,
    )


@pytest.mark.parametrize(
    ("specimen", "counts"),
    [
        ("valid", True),
        ("dilute", True),
        ("substituted", False),
        ("adulterated", False),
        ("invalid", False),
    ],
)
def test_a_specimen_to_recollect_does_not_clear_the_screen(patient, team_nurse, specimen, counts):
    """A substituted, adulterated or invalid specimen is on the nurse's recollect list: the
    screen is still due (the last valid one, or the admission, sets it)."""
    from intake.models import LabOrder

    admitted(patient, days_ago(20))
    order = screen(patient, team_nurse, days_ago(1))
    LabOrder.objects.filter(pk=order.pk).update(specimen_status=specimen)
    due_on = schedule(patient)["urine-drug-screen"].due_on
    assert due_on == (days_ago(1) + datetime.timedelta(days=7) if counts else days_ago(20))
