"""The facts the plan rules read come from the record: COWS, interviews, labs, the active plan."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.models import Interview, LabOrder, LabResult, SubstanceUse
from intake.selectors.treatment_plan import plan_facts
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _result(patient, user, test, *, value=None, interpretation="", hours_ago=1, panel="uds"):
    at = NOW - datetime.timedelta(hours=hours_ago)
    order = LabOrder.objects.create(
        patient=patient,
        panel_id=panel,
        ordered_by=user,
        ordered_at=at,
        status="resulted",
        collected_at=at,
        resulted_at=at,
        specimen_status="valid",
    )
    return LabResult.objects.create(
        order=order,
        patient=patient,
        test_id=test,
        value=value,
        interpretation=interpretation,
        qualitative="" if value is not None else interpretation,
        resulted_at=at,
    )


def test_it_reads_cows_of_the_last_24_hours(patient):
    AssessmentFactory(
        patient=patient,
        instrument="cows",
        total=12,
        band="moderate",
        answers={},
        administered_at=NOW - datetime.timedelta(hours=25),
    )
    AssessmentFactory(
        patient=patient,
        instrument="cows",
        total=6,
        band="mild",
        answers={},
        administered_at=NOW - datetime.timedelta(hours=23),
    )
    assert plan_facts(patient=patient, now=NOW).cows_totals_24h == [6]


def test_it_reads_the_last_opioid_use_from_the_latest_interview(patient, team_counselor):
    interview = Interview.objects.create(
        patient=patient,
        author=team_counselor,
        interviewed_on=NOW.date(),
        last_opioid_use_at=NOW - datetime.timedelta(hours=30),
        last_opioid_used="heroin",
        pregnancy_status="pregnant",
    )
    SubstanceUse.objects.create(
        interview=interview, substance="fentanyl", last_use_at=NOW - datetime.timedelta(hours=10)
    )
    facts = plan_facts(patient=patient, now=NOW)
    assert facts.last_opioid == "fentanyl"
    assert facts.last_opioid_use_at == NOW - datetime.timedelta(hours=10)
    assert facts.pregnancy_reported


def test_it_reads_labs(patient, team_nurse):
    _result(patient, team_nurse, "qtc", value=Decimal("470"), panel="ecg", hours_ago=48)
    _result(patient, team_nurse, "qtc", value=Decimal("430"), panel="ecg", hours_ago=2)
    _result(
        patient,
        team_nurse,
        "fentanyl",
        value=Decimal("5"),
        interpretation="positive",
        hours_ago=24 * 6,
    )
    _result(
        patient,
        team_nurse,
        "benzodiazepines",
        value=Decimal("300"),
        interpretation="positive",
        hours_ago=24 * 29,
    )
    _result(
        patient, team_nurse, "hcg", interpretation="positive", panel="pregnancy", hours_ago=24 * 31
    )
    _result(
        patient, team_nurse, "alt", value=Decimal("200"), panel="intake-blood", hours_ago=24 * 80
    )
    facts = plan_facts(patient=patient, now=NOW)
    assert facts.latest_qtc == Decimal("430")
    assert [t for t, _ in facts.opioid_positive_screens] == ["fentanyl"]
    assert facts.benzodiazepine_positive_30d
    assert not facts.hcg_positive_30d
    assert facts.liver_max == {"alt": Decimal("200")}


def test_it_reads_the_lowest_platelets_of_30_days(patient, team_nurse):
    _result(
        patient,
        team_nurse,
        "platelets",
        value=Decimal("40"),
        panel="intake-blood",
        hours_ago=24 * 31,
    )
    _result(
        patient,
        team_nurse,
        "platelets",
        value=Decimal("48"),
        panel="intake-blood",
        hours_ago=24 * 29,
    )
    _result(
        patient, team_nurse, "platelets", value=Decimal("140"), panel="intake-blood", hours_ago=2
    )
    assert plan_facts(patient=patient, now=NOW).platelets_min_30d == Decimal("48")


@pytest.mark.parametrize("days_ago, counted", [(29, True), (31, False)])
def test_it_reads_benzodiazepine_and_alcohol_use_of_30_days(
    patient, team_counselor, days_ago, counted
):
    interview = Interview.objects.create(
        patient=patient, author=team_counselor, interviewed_on=NOW.date()
    )
    for substance in ("alcohol", "benzodiazepine", "cannabis"):
        SubstanceUse.objects.create(
            interview=interview,
            substance=substance,
            last_use_at=NOW - datetime.timedelta(days=days_ago),
        )
    facts = plan_facts(patient=patient, now=NOW)
    assert facts.sedative_use_30d == ({"alcohol", "benzodiazepine"} if counted else set())
