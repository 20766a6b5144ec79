"""Review of the MAR's rules against docs/clinical-rules.md#medication-administration: the
defects found (each a regression test) and the boundaries that held (clock changes, midnight,
episodes, blood pressure without a diastolic)."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from intake.mar_schedule import line_uid
from intake.models import MedicationAdministration
from tests.factories import EpisodeFactory
from tests.mar_support import (
    ADMINISTRATIONS_URL,
    at,
    cows,
    give,
    mar,
    med_id,
    refused,
    signed_plan,
    vitals,
)

D = datetime.date(2026, 11, 25)


def prn(drug, dose, frequency="q4h-prn", start=D):
    return {
        "drug": drug,
        "dose": dose,
        "frequency": frequency,
        "route": "oral",
        "start_date": start,
        "indication": "Pain",
    }


def test_a_back_dated_prn_dose_keeps_the_interval_before_a_later_dose(
    nurse_api, patient, team_physician
):
    """The interval is between any two doses given as needed: documenting at 13:00 a dose
    given at 10:00 when one was given at 12:00 puts two doses 2 hours apart."""
    plan = signed_plan(
        patient, team_physician, [prn("acetaminophen", "500")], signed_at=at(D, 0, 5)
    )
    medication = med_id(plan, "acetaminophen")
    with time_machine.travel(at(D, 12), tick=False):
        assert give(nurse_api, patient, medication).status_code == 201
    with time_machine.travel(at(D, 13), tick=False):
        refused(
            give(nurse_api, patient, medication, given_at=at(D, 10).isoformat()), "prn-interval"
        )
        response = give(nurse_api, patient, medication, given_at=at(D, 8).isoformat())
        assert response.status_code == 201, response.content
    assert MedicationAdministration.objects.count() == 2


def test_prn_daily_maximum_is_the_clinics_calendar_day_not_utcs(nurse_api, patient, team_physician):
    plan = signed_plan(
        patient, team_physician, [prn("acetaminophen", "1000")], signed_at=at(D, 0, 5)
    )
    medication = med_id(plan, "acetaminophen")
    for hh in (0, 4, 8, 12):
        with time_machine.travel(at(D, hh, 30), tick=False):
            assert give(nurse_api, patient, medication).status_code == 201
    with time_machine.travel(at(D, 20, 30), tick=False):  # 01:30 UTC the next day
        refused(give(nurse_api, patient, medication), "prn-daily-max")
    with time_machine.travel(at(D + datetime.timedelta(days=1), 0, 0), tick=False):
        assert give(nurse_api, patient, medication).status_code == 201


def test_prn_daily_maximum_on_the_25_hour_day_the_clocks_go_back(
    nurse_api, patient, team_physician
):
    day = datetime.date(2026, 11, 1)  # 02:00 EDT becomes 01:00 EST
    plan = signed_plan(
        patient, team_physician, [prn("ondansetron", "8", "q4h-prn", day)], signed_at=at(day, 0, 1)
    )
    medication = med_id(plan, "ondansetron")
    # 32 mg a day at most: 00:05 EDT, 04:05, 08:05, 12:05 EST are 4 doses on the one day.
    for hh in (0, 4, 8, 12):
        with time_machine.travel(at(day, hh, 5), tick=False):
            assert give(nurse_api, patient, medication).status_code == 201
    with time_machine.travel(at(day, 23, 59), tick=False):
        refused(give(nurse_api, patient, medication), "prn-daily-max")
        rows = mar(nurse_api, patient, day)["prn"]
    assert rows[0]["given_today"] == "32"


def test_due_times_keep_the_wall_clock_on_the_day_the_clocks_change(
    nurse_api, patient, team_physician
):
    day = datetime.date(2026, 11, 1)
    signed_plan(
        patient,
        team_physician,
        [{"drug": "ondansetron", "dose": "4", "frequency": "bid", "start_date": day}],
        signed_at=at(day, 0, 1),
    )
    with time_machine.travel(at(day, 8), tick=False):
        rows = mar(nurse_api, patient, day)["scheduled"]
    assert [r["due_at"][11:16] for r in rows] == ["09:00", "21:00"]
    assert all(r["due_at"].endswith("-05:00") for r in rows)


def test_methadone_first_day_counts_a_back_dated_first_day(nurse_api, patient, team_physician):
    """Documenting the day before's dose after today's makes the day before the first day of
    methadone: its 50 mg is above 40 mg without the plan's acknowledgement."""
    yesterday = D - datetime.timedelta(days=1)
    plan = signed_plan(
        patient,
        team_physician,
        [
            {
                "drug": "methadone",
                "dose": "30",
                "frequency": "daily",
                "start_date": yesterday,
                "taper": [{"day": 1, "dose": "50"}],
            }
        ],
        signed_at=at(yesterday, 7),
    )
    medication = med_id(plan, "methadone")
    with time_machine.travel(at(D, 9, 5), tick=False):
        assert give(nurse_api, patient, medication).status_code == 201
        due = [r for r in mar(nurse_api, patient, yesterday)["scheduled"]][0]
        response = give(
            nurse_api,
            patient,
            medication,
            dose="50",
            due_dose=due["id"],
            given_at=at(yesterday, 9).isoformat(),
        )
    refused(response, "methadone-first-day")
    assert MedicationAdministration.objects.count() == 1


def test_a_once_line_started_before_the_signature_day_is_due_at_the_signature(
    nurse_api, patient, team_physician
):
    """docs/clinical-rules.md#administration-times: the single dose of a `once` line ordered
    after its start date is due at the signature, so on the signature's day."""
    start = D - datetime.timedelta(days=2)
    plan = signed_plan(
        patient,
        team_physician,
        [{"drug": "ondansetron", "dose": "4", "frequency": "once", "start_date": start}],
        signed_at=at(D, 10),
    )
    with time_machine.travel(at(D, 10, 30), tick=False):
        assert mar(nurse_api, patient, start)["scheduled"] == []
        rows = mar(nurse_api, patient, D)["scheduled"]
        assert [(r["drug"], r["due_at"][:16], r["status"]) for r in rows] == [
            ("ondansetron", "2026-11-25T10:00", "due")
        ]
        response = give(nurse_api, patient, med_id(plan, "ondansetron"))
    assert response.status_code == 201, response.content
    assert response.json()["due_dose"] == rows[0]["id"]


def test_a_once_line_amended_before_its_time_is_still_due_once(nurse_api, patient, team_physician):
    """An amendment signed at 08:00 carries over a `once` line due at 09:00 that the version
    before never got to order: its dose is due (once), not dropped."""
    line = [{"drug": "ondansetron", "dose": "4", "frequency": "once", "start_date": D}]
    first = signed_plan(patient, team_physician, line, signed_at=at(D, 7))
    signed_plan(patient, team_physician, line, signed_at=at(D, 8), previous=first)
    with time_machine.travel(at(D, 8, 30), tick=False):
        rows = mar(nurse_api, patient)["scheduled"]
    assert [(r["drug"], r["due_at"][11:16]) for r in rows] == [("ondansetron", "09:00")]


def test_a_once_line_amended_after_its_time_is_not_due_again(nurse_api, patient, team_physician):
    line = [{"drug": "ondansetron", "dose": "4", "frequency": "once", "start_date": D}]
    first = signed_plan(patient, team_physician, line, signed_at=at(D, 7))
    with time_machine.travel(at(D, 9, 5), tick=False):
        assert give(nurse_api, patient, med_id(first, "ondansetron")).status_code == 201
    signed_plan(patient, team_physician, line, signed_at=at(D, 10), previous=first)
    with time_machine.travel(at(D, 10, 30), tick=False):
        rows = mar(nurse_api, patient)["scheduled"]
    assert [(r["due_at"][11:16], r["status"]) for r in rows] == [("09:00", "given")]


def test_the_induction_rule_starts_again_in_a_new_episode(
    nurse_api, patient, team_physician, team_nurse
):
    old_episode = EpisodeFactory(
        patient=patient, status="discharged", discharged_on=D, discharge_reason="completed"
    )
    bup = [prn("buprenorphine", "4", "q4h-prn", D - datetime.timedelta(days=1))]
    for line in bup:
        line["route"] = "sublingual"
    old = signed_plan(
        patient,
        team_physician,
        bup,
        signed_at=at(D - datetime.timedelta(days=1), 7),
        episode=old_episode,
    )
    cows(patient, team_nurse, at(D - datetime.timedelta(days=1), 8, 30), 10)
    with time_machine.travel(at(D - datetime.timedelta(days=1), 9), tick=False):
        assert give(nurse_api, patient, med_id(old, "buprenorphine")).status_code == 201
    episode = EpisodeFactory(patient=patient)
    new = signed_plan(
        patient, team_physician, bup, signed_at=at(D, 7), previous=old, episode=episode
    )
    with time_machine.travel(at(D, 9), tick=False):
        refused(give(nurse_api, patient, med_id(new, "buprenorphine")), "cows-required")


def test_blood_pressure_is_stored_whole_so_a_diastolic_is_never_missing(patient, team_nurse):
    """The hold check reads systolic, diastolic and heart rate of one set; a set with a systolic
    and no diastolic cannot be stored (the database's check), so no hold is skipped."""
    with pytest.raises(IntegrityError), transaction.atomic():
        vitals(patient, team_nurse, at(D, 8), systolic=120, heart_rate=80)


def test_a_later_pulse_only_set_does_not_hide_a_low_blood_pressure(
    nurse_api, patient, team_physician, team_nurse
):
    plan = signed_plan(
        patient,
        team_physician,
        [{"drug": "clonidine", "dose": "0.1", "frequency": "daily", "start_date": D}],
        signed_at=at(D, 7),
    )
    vitals(patient, team_nurse, at(D, 8, 30), systolic=120, diastolic=55, heart_rate=70)
    vitals(patient, team_nurse, at(D, 8, 50), heart_rate=72)
    with time_machine.travel(at(D, 9), tick=False):
        refused(give(nurse_api, patient, med_id(plan, "clonidine")), "hold-parameters")


def test_tomorrows_due_dose_cannot_be_given_today(nurse_api, patient, team_physician):
    """Naming a due dose of tomorrow documented a second dose today past the one entry per due
    dose; a dose given more than 2 hours before its time is refused naming due_dose."""
    plan = signed_plan(
        patient,
        team_physician,
        [{"drug": "ondansetron", "dose": "4", "frequency": "daily", "start_date": D}],
        signed_at=at(D, 7),
    )
    medication = med_id(plan, "ondansetron")
    tomorrow = D + datetime.timedelta(days=1)
    with time_machine.travel(at(D, 9), tick=False):
        assert give(nurse_api, patient, medication).status_code == 201
        due = mar(nurse_api, patient, tomorrow)["scheduled"][0]["id"]
        early = give(nurse_api, patient, medication, due_dose=due)
        assert early.status_code == 400 and "due_dose" in early.json(), early.content
        held = nurse_api.post(
            ADMINISTRATIONS_URL.format(patient.pk),
            {"medication": medication, "status": "held", "due_dose": due, "reason": "On pass"},
            format="json",
        )
        # Nor held ahead of time: a hold for a pass is the prescriber's order, not an entry.
        assert held.status_code == 400 and "due_dose" in held.json(), held.content
    assert MedicationAdministration.objects.count() == 1


def test_a_voided_prn_dose_no_longer_holds_the_interval(nurse_api, patient, team_physician):
    plan = signed_plan(
        patient, team_physician, [prn("acetaminophen", "500")], signed_at=at(D, 0, 5)
    )
    medication = med_id(plan, "acetaminophen")
    with time_machine.travel(at(D, 9), tick=False):
        entry = give(nurse_api, patient, medication).json()
        refused(give(nurse_api, patient, medication), "prn-interval")
        void = nurse_api.post(
            f"/api/v1/administrations/{entry['id']}/void/", {"reason": "Wrong"}, format="json"
        )
        assert void.status_code == 201
        assert give(nurse_api, patient, medication).status_code == 201


def test_a_naive_time_given_is_the_clinics_wall_clock(nurse_api, patient, team_physician):
    plan = signed_plan(
        patient, team_physician, [prn("acetaminophen", "500")], signed_at=at(D, 0, 5)
    )
    with time_machine.travel(at(D, 9), tick=False):
        response = give(
            nurse_api, patient, med_id(plan, "acetaminophen"), given_at="2026-11-25T08:30:00"
        )
    assert response.status_code == 201, response.content
    assert MedicationAdministration.objects.get().given_at == at(D, 8, 30)


def test_the_methadone_first_day_rule_starts_again_in_a_new_episode(
    nurse_api, patient, team_physician
):
    """A readmission's first methadone day is a first day (42 CFR 8.12): methadone given in an
    earlier episode used to exempt it for good."""
    long_ago = D - datetime.timedelta(days=1)
    old_episode = EpisodeFactory(
        patient=patient, status="discharged", discharged_on=D, discharge_reason="completed"
    )
    line = [{"drug": "methadone", "dose": "30", "frequency": "daily", "start_date": long_ago}]
    old = signed_plan(patient, team_physician, line, signed_at=at(long_ago, 7), episode=old_episode)
    with time_machine.travel(at(long_ago, 9), tick=False):
        assert give(nurse_api, patient, med_id(old, "methadone")).status_code == 201
    new = signed_plan(
        patient,
        team_physician,
        [{"drug": "methadone", "dose": "60", "frequency": "daily", "start_date": D}],
        signed_at=at(D, 7),
        previous=old,
        episode=EpisodeFactory(patient=patient),
    )
    with time_machine.travel(at(D, 9), tick=False):
        refused(give(nurse_api, patient, med_id(new, "methadone")), "methadone-first-day")


def test_scheduled_and_prn_doses_of_one_drug_stay_under_the_absolute_maximum(
    nurse_api, patient, team_physician
):
    plan = signed_plan(
        patient,
        team_physician,
        [
            {
                "drug": "acetaminophen",
                "dose": "1000",
                "frequency": "qid",
                "route": "oral",
                "start_date": D,
            },
            prn("acetaminophen", "500"),
        ],
        signed_at=at(D, 0, 5),
    )
    scheduled = str(line_uid(plan.medications.get(frequency="qid").pk))
    as_needed = str(line_uid(plan.medications.get(frequency="q4h-prn").pk))
    for hh in (9, 13, 17, 21):
        with time_machine.travel(at(D, hh), tick=False):
            assert give(nurse_api, patient, scheduled).status_code == 201
    with time_machine.travel(at(D, 22), tick=False):
        response = give(nurse_api, patient, as_needed)
    refused(response, "prn-daily-max")


def test_the_absolute_maximum_counts_scheduled_doses_up_to_it_not_voided_ones(
    nurse_api, patient, team_physician
):
    """Acetaminophen 1000 mg qid and 1000 mg as needed: three scheduled doses and one PRN
    reach 4000 mg, the maximum itself (given); a second PRN would pass it, unless a scheduled
    dose of the day was voided."""
    plan = signed_plan(
        patient,
        team_physician,
        [
            {"drug": "acetaminophen", "dose": "1000", "frequency": "qid", "start_date": D},
            prn("acetaminophen", "1000"),
        ],
        signed_at=at(D, 0, 5),
    )
    scheduled = str(line_uid(plan.medications.get(frequency="qid").pk))
    as_needed = str(line_uid(plan.medications.get(frequency="q4h-prn").pk))
    for hh in (9, 13, 17):
        with time_machine.travel(at(D, hh), tick=False):
            assert give(nurse_api, patient, scheduled).status_code == 201
    with time_machine.travel(at(D, 17, 30), tick=False):
        assert give(nurse_api, patient, as_needed).status_code == 201  # 4000 mg: at the max
    with time_machine.travel(at(D, 21, 40), tick=False):
        response = give(nurse_api, patient, as_needed)
        refused(response, "prn-daily-max")
        assert "absolute maximum of 4000 mg a day" in response.json()["detail"]
        first = MedicationAdministration.objects.filter(due_at=at(D, 9)).get()
        void = nurse_api.post(
            f"/api/v1/administrations/{first.pk}/void/", {"reason": "Wrong patient"}, format="json"
        )
        assert void.status_code == 201
        assert give(nurse_api, patient, as_needed).status_code == 201


def test_a_scheduled_dose_after_prn_doses_stays_under_the_absolute_maximum(
    nurse_api, patient, team_physician
):
    """PRN acetaminophen at 08:00 and 13:30 with the scheduled 09:00 and 13:00 doses make
    4000 mg (given); the scheduled 17:00 dose would make 5000 mg: refused, nothing stored."""
    plan = signed_plan(
        patient,
        team_physician,
        [
            {"drug": "acetaminophen", "dose": "1000", "frequency": "qid", "start_date": D},
            prn("acetaminophen", "1000"),
        ],
        signed_at=at(D, 0, 5),
    )
    scheduled = str(line_uid(plan.medications.get(frequency="qid").pk))
    as_needed = str(line_uid(plan.medications.get(frequency="q4h-prn").pk))
    for (hh, mm), line in [((8, 0), as_needed), ((9, 0), scheduled), ((13, 0), scheduled)]:
        with time_machine.travel(at(D, hh, mm), tick=False):
            assert give(nurse_api, patient, line).status_code == 201
    with time_machine.travel(at(D, 13, 30), tick=False):
        assert give(nurse_api, patient, as_needed).status_code == 201
    with time_machine.travel(at(D, 17), tick=False):
        refused(give(nurse_api, patient, scheduled), "prn-daily-max")
    assert MedicationAdministration.objects.count() == 4


def test_a_dose_charted_late_across_an_amendment(nurse_api, patient, team_physician):
    """A PRN dose given at 09:05 under the version signed at 00:05 and charted at 09:45, after
    an amendment signed at 09:30, is documented; a drug only the amendment orders cannot be
    charted as given before it was ordered."""
    first = signed_plan(
        patient, team_physician, [prn("acetaminophen", "500")], signed_at=at(D, 0, 5)
    )
    amended = signed_plan(
        patient,
        team_physician,
        [prn("acetaminophen", "500"), prn("ibuprofen", "400")],
        signed_at=at(D, 9, 30),
        previous=first,
    )
    with time_machine.travel(at(D, 9, 45), tick=False):
        late = give(
            nurse_api, patient, med_id(amended, "acetaminophen"), given_at=at(D, 9, 5).isoformat()
        )
        assert late.status_code == 201, late.content
        early = give(
            nurse_api, patient, med_id(amended, "ibuprofen"), given_at=at(D, 9, 5).isoformat()
        )
        assert early.status_code == 400 and "given_at" in early.json(), early.content
    assert MedicationAdministration.objects.count() == 1


def test_tomorrows_dose_cannot_be_held_or_refused_today(api, patient, team_nurse, team_physician):
    """Held, refused and omitted document a dose at its time, like given: documenting
    tomorrow's today would keep it from ever showing as due or missed."""
    import datetime

    import time_machine

    from tests.mar_support import at, med_id, signed_plan

    day = datetime.date(2026, 11, 25)
    plan = signed_plan(
        patient,
        team_physician,
        [{"drug": "clonidine", "dose": "0.1", "frequency": "daily", "start_date": day}],
        signed_at=at(day, 7),
    )
    api.force_authenticate(team_nurse)
    with time_machine.travel(at(day, 10), tick=False):
        tomorrow = api.get(f"/api/v1/patients/{patient.pk}/mar/", {"date": "2026-11-26"}).json()[
            "scheduled"
        ][0]["id"]
        for status in ("held", "refused", "omitted"):
            response = api.post(
                f"/api/v1/patients/{patient.pk}/administrations/",
                {
                    "medication": med_id(plan, "clonidine"),
                    "status": status,
                    "due_dose": tomorrow,
                    "reason": "Asleep",
                },
                format="json",
            )
            assert response.status_code == 400 and "due_dose" in response.json(), status
