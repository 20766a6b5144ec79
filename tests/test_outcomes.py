"""Program outcomes (docs/clinical-rules.md#outcomes): every figure hand-computed over a fixture
of nine episodes whose answers are known, and each boundary on its own. TODAY is 2026-11-25."""

import datetime

import pytest

from intake.models import CareTeamMember, TeamRole
from intake.selectors.outcomes import OutcomeFilters, outcomes_report
from tests.outcomes_support import (
    TODAY,
    at,
    days_ago,
    episode,
    give,
    medication,
    phq9,
    refresh_summary,
    screen,
)
from tests.outcomes_support import void as void_entry

pytestmark = pytest.mark.django_db

BUP = {"buprenorphine": ("positive", True), "norbuprenorphine": ("positive", True)}


def report(**filters):
    """The report over the summary, refreshed first (migration 0031)."""
    refresh_summary()
    return outcomes_report(filters=OutcomeFilters(**filters), today=TODAY)


@pytest.fixture
def clinic(team_physician):
    """Nine episodes, each a new patient (E1..E9); days are days after admission.

    E1 200 days ago, active; buprenorphine daily days 0-179 (exactly 180 covered days).
    E2 200 days ago, discharged day 100 lost to follow-up; buprenorphine days 0-99.
    E3 100 days ago, discharged day 20 completed; buprenorphine days 5-19.
    E4 100 days ago, discharged day 10 against advice; ondansetron only (no OUD medication).
    E5 exactly 30 days ago, active; a dose on day 0 voided, naltrexone-xr injection on day 2.
    E6 29 days ago, active; nothing given.
    E7 200 days ago, discharged exactly on day 30, transferred; nothing given.
    E8 200 days ago, active, opioid treatment program; methadone days 0-89 and 97-179 (a gap of
       exactly 7 days: 90-96).
    E9 200 days ago, active; buprenorphine days 3-89 and 98-189 (a gap of 8 days: 90-97).
    The team physician is on the care teams of E1's and E9's patients.
    """
    e = {n: None for n in range(1, 10)}
    e[1] = episode(200)
    e[2] = episode(200, discharged_after=100, reason="lost-to-follow-up")
    e[3] = episode(100, discharged_after=20, reason="completed")
    e[4] = episode(100, discharged_after=10, reason="left-against-advice")
    e[5] = episode(30)
    e[6] = episode(29)
    e[7] = episode(200, discharged_after=30, reason="transferred")
    e[8] = episode(200, program="otp")
    e[9] = episode(200)
    give(medication(e[1]), range(0, 180))
    give(medication(e[2]), range(0, 100))
    give(medication(e[3]), range(5, 20))
    give(medication(e[4], "ondansetron", "4"), [0, 1])
    void_entry(give(medication(e[5], "naltrexone"), [0])[0])
    give(medication(e[5], "naltrexone-xr", "380"), [2])
    give(medication(e[8], "methadone", "60"), [*range(0, 90), *range(97, 180)])
    give(medication(e[9]), [*range(3, 90), *range(98, 190)])
    for n in (1, 9):
        CareTeamMember.objects.create(
            patient=e[n].patient, user=team_physician, team_role=TeamRole.PHYSICIAN
        )
    return e


def test_it_counts_patients_and_retention_at_30_90_and_180_days(clinic):
    r = report()
    assert r["patients"] == 9
    assert r["counts"]["episodes"] == 9
    # Day 30: measured = admitted >= 30 days ago: E1 E2 E3 E4 E5 E7 E8 E9 = 8 (E6, 29 days ago,
    # is left out; E5, exactly 30, counts). Retained: E1 E5 E8 E9 active, E2 discharged day 100,
    # E3 completed, E7 discharged exactly on day 30 (>= day 30) = 7; E4 left on day 10.
    # 7 / 8 = 0.875.
    assert r["counts"]["retention"]["30"] == {"measured": 8, "retained": 7}
    assert r["retention"]["30"] == 0.875
    # Day 90: measured E1 E2 E3 E4 E7 E8 E9 = 7. Retained: E1 E8 E9 active, E2 (day 100 >= 90),
    # E3 completed = 5. 5 / 7 = 0.7142857 -> 0.7143.
    assert r["counts"]["retention"]["90"] == {"measured": 7, "retained": 5}
    assert r["retention"]["90"] == 0.7143
    # Day 180: measured E1 E2 E7 E8 E9 = 5. Retained: E1 E8 E9 = 3 (E2 left on day 100, E7 on
    # day 30). 3 / 5 = 0.6.
    assert r["counts"]["retention"]["180"] == {"measured": 5, "retained": 3}
    assert r["retention"]["180"] == 0.6


def test_it_measures_continuity_of_oud_medication(clinic):
    # Patients with an OUD medication given: E1 E2 E3 E5 E8 E9 = 6 (E4 had ondansetron only,
    # E6 and E7 nothing). Continuous for >= 180 days, no gap > 7: E1 (days 0-179 = 180 days),
    # E8 (0-179 with the 7-day gap 90-96 = 180 days). Not: E2 (100 days), E3 (15), E5 (one
    # injection: 28 days), E9 (the 8-day gap splits 3-89 = 87 and 98-189 = 92).
    # 2 / 6 = 0.3333.
    r = report()
    assert r["counts"]["continuity"] == {"patients": 6, "continuous": 2}
    assert r["continuity_180"] == 0.3333


def test_the_median_days_to_the_first_dose_of_an_even_count(clinic):
    # First OUD dose given, days after admission: E1 0, E2 0, E3 5, E5 2 (its day-0 dose was
    # voided), E8 0, E9 3; E4 (ondansetron), E6, E7: none, left out. Sorted 0 0 0 2 3 5: six
    # values, the median is the mean of the 3rd and 4th, (0 + 2) / 2 = 1.0.
    r = report()
    assert r["counts"]["first_dose"] == {"episodes": 6}
    assert r["days_to_first_dose_median"] == 1.0


def test_urine_screens_negative_for_unprescribed_opioids_by_month(clinic):
    e = clinic
    screen(e[1], at(datetime.date(2026, 10, 5)), {**BUP, "fentanyl": ("negative", True)})
    screen(e[1], at(datetime.date(2026, 10, 20)), {"fentanyl": ("positive", False)})
    # 23:30 on 31 October in the clinic is 1 November in UTC: October's.
    screen(e[9], at(datetime.date(2026, 10, 31), 23, 30), {"opiates": ("negative", True)})
    # A non-opioid positive does not make it positive for opioids.
    screen(
        e[9],
        at(datetime.date(2026, 11, 1)),
        {**BUP, "opiates": ("negative", True), "cocaine": ("positive", False)},
    )
    # Not counted: a dilute specimen, one with no opioid analyte read, one collected before
    # the admission (E6 admitted 27 Oct) and one after the discharge (E2 left 17 Aug).
    screen(
        e[9],
        at(datetime.date(2026, 11, 10)),
        {"opiates": ("negative", None)},
        specimen_status="dilute",
    )
    screen(e[5], at(datetime.date(2026, 11, 15)), {"fentanyl": ("not-tested", None)})
    screen(e[6], at(datetime.date(2026, 10, 20)), {"fentanyl": ("positive", False)})
    screen(e[2], at(datetime.date(2026, 9, 1)), {"fentanyl": ("positive", False)})
    # E5 is on naltrexone: buprenorphine was not prescribed.
    screen(e[5], at(datetime.date(2026, 11, 12)), {"buprenorphine": ("positive", False)})
    # October: 5 Oct negative (buprenorphine prescribed), 20 Oct fentanyl, 31 Oct negative:
    # 2 / 3 = 0.6667. November: 1 Nov negative, 12 Nov buprenorphine unprescribed: 1 / 2 = 0.5.
    assert report()["uds_negative_rate"] == [
        {"month": "2026-10", "rate": 0.6667, "specimens": 3, "negative": 2},
        {"month": "2026-11", "rate": 0.5, "specimens": 2, "negative": 1},
    ]


def test_phq9_response_and_remission(clinic):
    e = clinic
    phq9(e[1], (0, 20), (60, 10))  # 10 is exactly 50% of 20: a response; not < 5
    phq9(e[9], (0, 12), (30, 8), (60, 4))  # 4 <= 6: response; 4 < 5: remission
    phq9(e[8], (0, 10), (30, 6))  # first exactly 10 counts; 6 > 5: no response; no remission
    phq9(e[2], (40, 5), (0, 14))  # first by date 14, latest 5: response; 5 is not < 5
    phq9(e[5], (0, 9), (20, 2))  # first below 10: left out
    phq9(e[3], (0, 15))  # one PHQ-9 only: left out
    # Measured E1 E9 E8 E2 = 4; response E1 E9 E2 = 3 -> 0.75; remission E9 = 1 -> 0.25.
    r = report()
    assert r["counts"]["phq9"] == {"measured": 4, "response": 3, "remission": 1}
    assert (r["phq9_response"], r["phq9_remission"]) == (0.75, 0.25)


def test_the_filters_select_the_episodes(clinic, team_physician):
    # Outpatient only: E8 (opioid treatment program) leaves. Day 180: E1 E2 E7 E9 measured,
    # E1 E9 retained: 2 / 4 = 0.5.
    r = report(program="outpatient")
    assert r["patients"] == 8
    assert r["retention"]["180"] == 0.5
    # Admitted from 100 to 29 days ago: E3 E4 E5 E6. Day 30: E3 E4 E5 measured, E3 E5
    # retained: 2 / 3; day 90: E3 E4 measured, E3 retained: 1 / 2; day 180: nobody measured.
    r = report(admitted_from=days_ago(100), admitted_to=days_ago(29))
    assert r["patients"] == 4
    assert r["retention"] == {"30": 0.6667, "90": 0.5, "180": None}
    # The physician's care teams: E1 and E9, both still active on day 180: 2 / 2.
    r = report(clinician=team_physician.pk)
    assert r["patients"] == 2
    assert r["retention"]["180"] == 1.0
    assert r["counts"]["continuity"] == {"patients": 2, "continuous": 1}


def test_nothing_to_measure_is_null_not_zero(db):
    r = report()
    assert r["patients"] == 0
    assert r["retention"] == {"30": None, "90": None, "180": None}
    assert r["continuity_180"] is None
    assert r["days_to_first_dose_median"] is None
    assert r["uds_negative_rate"] == []
    assert (r["phq9_response"], r["phq9_remission"]) == (None, None)


@pytest.mark.parametrize(
    ("days", "continuous"),
    [
        (range(0, 180), True),  # exactly 180 covered days
        (range(0, 179), False),  # 179
        ([*range(0, 100), *range(107, 180)], True),  # gap of exactly 7 days (100-106)
        ([*range(0, 100), *range(108, 181)], False),  # gap of 8 days (100-107)
    ],
)
def test_continuity_boundaries(db, days, continuous):
    give(medication(episode(250)), days)
    assert report()["counts"]["continuity"] == {"patients": 1, "continuous": int(continuous)}


def test_monthly_injections_cover_28_days_each(db):
    # naltrexone-xr on days 0, 28, ..., 168 (7 injections) covers days 0-195: continuous.
    ep = episode(250)
    give(medication(ep, "naltrexone-xr", "380"), range(0, 169, 28))
    assert report()["continuity_180"] == 1.0
    # Injections 36 days apart leave 8 days uncovered each time (28-35): never continuous.
    other = episode(250)
    give(medication(other, "naltrexone-xr", "380"), range(0, 200, 36))
    assert report()["counts"]["continuity"] == {"patients": 2, "continuous": 1}


def test_a_dose_twice_a_day_covers_one_day(db):
    line = medication(episode(250))
    give(line, range(0, 180), hour=8)
    give(line, range(0, 180), hour=20)
    assert report()["counts"]["continuity"] == {"patients": 1, "continuous": 1}
