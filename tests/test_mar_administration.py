"""Documenting doses (docs/clinical-rules.md#administration-rules): each refusal rule at its
boundary, named in a 400 that stores nothing; a due dose documented once (409 for the second);
voiding; an amendment replacing future doses only."""

import datetime
import uuid

import pytest
import time_machine

from intake.models import DueDose, MedicationAdministration
from tests.mar_support import (
    ADMINISTRATIONS_URL,
    at,
    cows,
    give,
    line_id,
    mar,
    med_id,
    refused,
    signed_plan,
    vitals,
)

D = datetime.date(2026, 11, 25)


@pytest.fixture
def clonidine(patient, team_physician):
    return signed_plan(
        patient,
        team_physician,
        [{"drug": "clonidine", "dose": "0.1", "frequency": "qid", "start_date": D}],
        signed_at=at(D, 7),
    )


def test_the_mar_lists_the_days_due_doses_and_prn_lines(nurse_api, patient, team_physician):
    plan = signed_plan(
        patient,
        team_physician,
        [
            {"drug": "clonidine", "dose": "0.1", "frequency": "tid", "start_date": D},
            {
                "drug": "ondansetron",
                "dose": "4",
                "frequency": "q8h-prn",
                "start_date": D,
                "indication": "Nausea",
            },
        ],
        signed_at=at(D, 7),
    )
    with time_machine.travel(at(D, 11, 30), tick=False):
        body = mar(nurse_api, patient)
    assert [(d["drug"], d["dose"], d["status"]) for d in body["scheduled"]] == [
        ("clonidine", "0.1", "missed"),
        ("clonidine", "0.1", "due"),
        ("clonidine", "0.1", "due"),
    ]
    assert body["scheduled"][0]["medication"] == med_id(plan, "clonidine")
    assert body["prn"] == [
        {
            "medication": med_id(plan, "ondansetron"),
            "drug": "ondansetron",
            "dose": "4",
            "unit": "mg",
            "frequency": "q8h-prn",
            "indication": "Nausea",
            "given_today": "0",
            "daily_max": "12",
            "next_allowed_at": None,
        }
    ]


def test_missed_exactly_two_hours_after_its_time(nurse_api, patient, clonidine):
    with time_machine.travel(at(D, 10, 59), tick=False):
        assert mar(nurse_api, patient)["scheduled"][0]["status"] == "due"
    with time_machine.travel(at(D, 11, 0), tick=False):
        assert mar(nurse_api, patient)["scheduled"][0]["status"] == "missed"


class TestHoldParameters:
    def test_clonidine_needs_vitals_from_the_last_60_minutes(
        self, nurse_api, patient, clonidine, team_nurse
    ):
        vitals(patient, team_nurse, at(D, 7, 59), systolic=120, diastolic=80, heart_rate=80)
        with time_machine.travel(at(D, 9), tick=False):
            refused(give(nurse_api, patient, med_id(clonidine, "clonidine")), "vitals-required")
            assert MedicationAdministration.objects.count() == 0
        vitals(patient, team_nurse, at(D, 8), systolic=120, diastolic=80, heart_rate=80)
        with time_machine.travel(at(D, 9), tick=False):
            response = give(nurse_api, patient, med_id(clonidine, "clonidine"))
        assert response.status_code == 201, response.content
        assert response.json()["dose"] == "0.1" and response.json()["route"] == "oral"

    @pytest.mark.parametrize(
        "measures, rule",
        [
            ({"systolic": 89, "diastolic": 70, "heart_rate": 70}, "hold-parameters"),
            ({"systolic": 90, "diastolic": 59, "heart_rate": 70}, "hold-parameters"),
            ({"systolic": 90, "diastolic": 60, "heart_rate": 59}, "hold-parameters"),
            ({"systolic": 90, "diastolic": 60, "heart_rate": 60}, None),
        ],
    )
    def test_clonidine_hold_boundaries(
        self, nurse_api, patient, clonidine, team_nurse, measures, rule
    ):
        vitals(patient, team_nurse, at(D, 8, 45), **measures)
        with time_machine.travel(at(D, 9), tick=False):
            response = give(nurse_api, patient, med_id(clonidine, "clonidine"))
        if rule:
            refused(response, rule)
            assert MedicationAdministration.objects.count() == 0
        else:
            assert response.status_code == 201

    @pytest.mark.parametrize(
        "measures, ok",
        [
            ({"systolic": 89, "diastolic": 60, "heart_rate": 60}, False),
            ({"systolic": 90, "diastolic": 49, "heart_rate": 60}, False),
            ({"systolic": 90, "diastolic": 50, "heart_rate": 49}, False),
            ({"systolic": 90, "diastolic": 50, "heart_rate": 50}, True),
        ],
    )
    def test_lofexidine_hold_boundaries(
        self, nurse_api, patient, team_physician, team_nurse, measures, ok
    ):
        plan = signed_plan(
            patient,
            team_physician,
            [{"drug": "lofexidine", "dose": "0.54", "frequency": "qid", "start_date": D}],
            signed_at=at(D, 7),
        )
        vitals(patient, team_nurse, at(D, 8, 45), **measures)
        with time_machine.travel(at(D, 9), tick=False):
            response = give(nurse_api, patient, med_id(plan, "lofexidine"))
        assert response.status_code == (201 if ok else 400), response.content

    def test_a_dose_under_the_hold_parameters_is_recorded_held(
        self, nurse_api, patient, clonidine, team_nurse
    ):
        vitals(patient, team_nurse, at(D, 8, 45), systolic=84, diastolic=50, heart_rate=52)
        with time_machine.travel(at(D, 9), tick=False):
            assert (
                nurse_api.post(
                    ADMINISTRATIONS_URL.format(patient.pk),
                    {"medication": med_id(clonidine, "clonidine"), "status": "held"},
                    format="json",
                ).status_code
                == 400
            )
            response = nurse_api.post(
                ADMINISTRATIONS_URL.format(patient.pk),
                {
                    "medication": med_id(clonidine, "clonidine"),
                    "status": "held",
                    "reason": "BP 84/50",
                },
                format="json",
            )
            assert response.status_code == 201, response.content
            assert mar(nurse_api, patient)["scheduled"][0]["status"] == "held"


class TestBuprenorphineInduction:
    @pytest.fixture
    def plan(self, patient, team_physician):
        return signed_plan(
            patient,
            team_physician,
            [
                {
                    "drug": "buprenorphine",
                    "dose": "4",
                    "frequency": "q4h-prn",
                    "start_date": D,
                    "indication": "Withdrawal",
                }
            ],
            signed_at=at(D, 7),
            withdrawal_monitoring={"instrument": "cows", "every_hours": 4},
        )

    def test_the_first_dose_needs_a_cows_of_8_in_the_last_60_minutes(
        self, nurse_api, patient, plan, team_nurse
    ):
        cows(patient, team_nurse, at(D, 8, 30), 7)
        cows(patient, team_nurse, at(D, 7, 59), 12)
        with time_machine.travel(at(D, 9), tick=False):
            refused(give(nurse_api, patient, med_id(plan, "buprenorphine")), "cows-required")
        cows(patient, team_nurse, at(D, 8, 45), 8)
        with time_machine.travel(at(D, 9), tick=False):
            assert give(nurse_api, patient, med_id(plan, "buprenorphine")).status_code == 201
        # The second dose is not an induction: no COWS needed, the PRN interval applies.
        with time_machine.travel(at(D, 12, 59), tick=False):
            refused(give(nurse_api, patient, med_id(plan, "buprenorphine")), "prn-interval")
        with time_machine.travel(at(D, 13), tick=False):
            assert give(nurse_api, patient, med_id(plan, "buprenorphine")).status_code == 201

    def test_the_plan_sets_its_own_threshold(self, nurse_api, patient, team_physician, team_nurse):
        plan = signed_plan(
            patient,
            team_physician,
            [{"drug": "buprenorphine-naloxone", "dose": "4", "frequency": "once", "start_date": D}],
            signed_at=at(D, 7),
            withdrawal_monitoring={
                "instrument": "cows",
                "every_hours": 4,
                "induction_threshold": 12,
            },
        )
        cows(patient, team_nurse, at(D, 8, 30), 11)
        with time_machine.travel(at(D, 9), tick=False):
            refused(
                give(nurse_api, patient, med_id(plan, "buprenorphine-naloxone")), "cows-required"
            )
        cows(patient, team_nurse, at(D, 8, 40), 12)
        with time_machine.travel(at(D, 9), tick=False):
            assert (
                give(nurse_api, patient, med_id(plan, "buprenorphine-naloxone")).status_code == 201
            )


class TestPrn:
    @pytest.fixture
    def plan(self, patient, team_physician):
        return signed_plan(
            patient,
            team_physician,
            [
                {
                    "drug": "ondansetron",
                    "dose": "8",
                    "frequency": "q6h-prn",
                    "start_date": D,
                    "indication": "Nausea",
                }
            ],
            signed_at=at(D, 0, 5),
        )

    def test_interval_and_daily_maximum(self, nurse_api, patient, plan):
        medication = med_id(plan, "ondansetron")
        for hh in (0, 6, 12, 18):  # 4 x 8 mg = 32 mg, the absolute maximum
            with time_machine.travel(at(D, hh, 30), tick=False):
                assert give(nurse_api, patient, medication).status_code == 201
        with time_machine.travel(at(D, 23, 59), tick=False):
            refused(give(nurse_api, patient, medication), "prn-interval")
        with time_machine.travel(at(D + datetime.timedelta(days=1), 0, 30), tick=False):
            response = give(nurse_api, patient, medication)
            assert response.status_code == 201, response.content
            body = mar(nurse_api, patient, D + datetime.timedelta(days=1))
        assert body["prn"][0]["given_today"] == "8"
        assert body["prn"][0]["next_allowed_at"].startswith("2026-11-26T11:30")

    def test_daily_maximum_boundary(self, nurse_api, patient, team_physician):
        plan = signed_plan(
            patient,
            team_physician,
            [
                {
                    "drug": "acetaminophen",
                    "dose": "1000",
                    "frequency": "q4h-prn",
                    "start_date": D,
                    "indication": "Pain",
                }
            ],
            signed_at=at(D, 0, 5),
        )
        medication = med_id(plan, "acetaminophen")
        for hh in (0, 4, 8, 12):  # 4000 mg: the absolute maximum, below 6 x 1000
            with time_machine.travel(at(D, hh, 30), tick=False):
                assert give(nurse_api, patient, medication).status_code == 201
        with time_machine.travel(at(D, 16, 30), tick=False):
            refused(give(nurse_api, patient, medication), "prn-daily-max")
        assert MedicationAdministration.objects.count() == 4


class TestOrder:
    def test_a_dose_other_than_ordered_is_refused(self, nurse_api, patient, clonidine, team_nurse):
        vitals(patient, team_nurse, at(D, 8, 45), systolic=120, diastolic=80, heart_rate=80)
        with time_machine.travel(at(D, 9), tick=False):
            refused(
                give(nurse_api, patient, med_id(clonidine, "clonidine"), dose="0.2"),
                "dose-mismatch",
            )
            refused(
                give(nurse_api, patient, med_id(clonidine, "clonidine"), dose="0.1", unit="mcg"),
                "dose-mismatch",
            )
            assert (
                give(nurse_api, patient, med_id(clonidine, "clonidine"), dose="0.100").status_code
                == 201
            )

    def test_a_line_of_a_superseded_version_is_not_on_the_active_plan(
        self, nurse_api, patient, clonidine, team_physician
    ):
        old = med_id(clonidine, "clonidine")
        signed_plan(
            patient,
            team_physician,
            [{"drug": "clonidine", "dose": "0.2", "frequency": "qid", "start_date": D}],
            signed_at=at(D, 8),
            previous=clonidine,
        )
        with time_machine.travel(at(D, 9), tick=False):
            refused(give(nurse_api, patient, old), "not-on-active-plan")
            refused(give(nurse_api, patient, str(uuid.uuid4())), "not-on-active-plan")

    def test_methadone_first_day_limit(self, nurse_api, patient, team_physician):
        plan = signed_plan(
            patient,
            team_physician,
            [{"drug": "methadone", "dose": "20", "frequency": "bid", "start_date": D}],
            signed_at=at(D, 7),
        )
        # bid at 09:00 and 21:00 would be 40 mg: allowed. A third 20 mg (an unscheduled bid
        # cannot be given twice) is checked through a second line below.
        with time_machine.travel(at(D, 9), tick=False):
            assert give(nurse_api, patient, med_id(plan, "methadone")).status_code == 201
        with time_machine.travel(at(D, 21), tick=False):
            assert give(nurse_api, patient, med_id(plan, "methadone")).status_code == 201
        amended = signed_plan(
            patient,
            team_physician,
            [{"drug": "methadone", "dose": "5", "frequency": "once", "start_date": D}],
            signed_at=at(D, 21, 30),
            previous=plan,
        )
        with time_machine.travel(at(D, 21, 40), tick=False):
            refused(give(nurse_api, patient, med_id(amended, "methadone")), "methadone-first-day")

    def test_methadone_first_day_acknowledged_by_the_signed_plan(
        self, nurse_api, patient, team_physician
    ):
        plan = signed_plan(
            patient,
            team_physician,
            [{"drug": "methadone", "dose": "50", "frequency": "once", "start_date": D}],
            signed_at=at(D, 7),
            acknowledged_warnings=[
                {
                    "code": "methadone-first-dose",
                    "message": "...",
                    "reason": "Transfer from OTP at 80 mg",
                }
            ],
        )
        with time_machine.travel(at(D, 9), tick=False):
            assert give(nurse_api, patient, med_id(plan, "methadone")).status_code == 201

    def test_methadone_second_day_has_no_first_day_limit(self, nurse_api, patient, team_physician):
        plan = signed_plan(
            patient,
            team_physician,
            [
                {"drug": "methadone", "dose": "30", "frequency": "daily", "start_date": D},
                {"drug": "methadone", "dose": "20", "frequency": "q8h-prn", "start_date": D},
            ],
            signed_at=at(D, 7),
        )
        with time_machine.travel(at(D, 9), tick=False):
            daily = line_id(plan, frequency="daily")
            assert give(nurse_api, patient, daily).status_code == 201
        prn = line_id(plan, frequency="q8h-prn")
        with time_machine.travel(at(D, 12), tick=False):
            refused(give(nurse_api, patient, prn), "methadone-first-day")
        with time_machine.travel(at(D + datetime.timedelta(days=1), 12), tick=False):
            assert give(nurse_api, patient, prn).status_code == 201


class TestOneEntryPerDueDose:
    def test_a_due_dose_documented_twice_is_409_and_void_reopens_it(
        self, nurse_api, patient, clonidine, team_nurse
    ):
        vitals(patient, team_nurse, at(D, 8, 45), systolic=120, diastolic=80, heart_rate=80)
        with time_machine.travel(at(D, 9, 5), tick=False):
            due = mar(nurse_api, patient)["scheduled"][0]["id"]
            first = give(nurse_api, patient, med_id(clonidine, "clonidine"), due_dose=due)
            assert first.status_code == 201
            second = give(nurse_api, patient, med_id(clonidine, "clonidine"), due_dose=due)
            assert second.status_code == 409, second.content
            void = nurse_api.post(
                f"/api/v1/administrations/{first.json()['id']}/void/",
                {"reason": "Wrong patient"},
                format="json",
            )
            assert void.status_code == 201, void.content
            assert void.json()["status"] == "void" and void.json()["voids"] == first.json()["id"]
            again = nurse_api.post(
                f"/api/v1/administrations/{first.json()['id']}/void/",
                {"reason": "twice"},
                format="json",
            )
            assert again.status_code == 409
            assert mar(nurse_api, patient)["scheduled"][0]["status"] == "due"
            assert (
                give(nurse_api, patient, med_id(clonidine, "clonidine"), due_dose=due).status_code
                == 201
            )
        assert MedicationAdministration.objects.count() == 3
        assert DueDose.objects.count() == 1

    def test_entries_are_append_only_in_the_database(
        self, nurse_api, patient, clonidine, team_nurse
    ):
        from django.db import DatabaseError, transaction

        vitals(patient, team_nurse, at(D, 8, 45), systolic=120, diastolic=80, heart_rate=80)
        with time_machine.travel(at(D, 9), tick=False):
            give(nurse_api, patient, med_id(clonidine, "clonidine"))
        entry = MedicationAdministration.objects.get()
        for change in (
            lambda: MedicationAdministration.objects.filter(pk=entry.pk).update(reason="x"),
            lambda: MedicationAdministration.objects.filter(pk=entry.pk).delete(),
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                change()


def test_an_amendment_replaces_future_doses_only(nurse_api, patient, team_physician, team_nurse):
    v1 = signed_plan(
        patient,
        team_physician,
        [{"drug": "clonidine", "dose": "0.1", "frequency": "qid", "start_date": D}],
        signed_at=at(D, 7),
    )
    vitals(patient, team_nurse, at(D, 8, 50), systolic=120, diastolic=80, heart_rate=80)
    with time_machine.travel(at(D, 9), tick=False):
        assert give(nurse_api, patient, med_id(v1, "clonidine")).status_code == 201
    v2 = signed_plan(
        patient,
        team_physician,
        [{"drug": "clonidine", "dose": "0.2", "frequency": "bid", "start_date": D}],
        signed_at=at(D, 10),
        previous=v1,
    )
    with time_machine.travel(at(D, 10, 5), tick=False):
        body = mar(nurse_api, patient)
    assert [
        (d["due_at"][11:16], d["dose"], d["status"], d["medication"]) for d in body["scheduled"]
    ] == [
        ("09:00", "0.1", "given", med_id(v1, "clonidine")),
        ("21:00", "0.2", "due", med_id(v2, "clonidine")),
    ]


def test_a_dose_cannot_be_documented_before_its_order_was_signed(
    nurse_api, patient, team_physician
):
    plan = signed_plan(
        patient,
        team_physician,
        [{"drug": "ondansetron", "dose": "4", "frequency": "q8h-prn", "start_date": D}],
        signed_at=at(D, 10),
    )
    with time_machine.travel(at(D, 11), tick=False):
        early = give(
            nurse_api, patient, med_id(plan, "ondansetron"), given_at=at(D, 9, 57).isoformat()
        )
        assert early.status_code == 400 and "given_at" in early.json()
        assert (
            give(
                nurse_api, patient, med_id(plan, "ondansetron"), given_at=at(D, 10).isoformat()
            ).status_code
            == 201
        )
