"""The withdrawal flowsheet (docs/api.md#withdrawal-flowsheet): a 3-day detox read back day by day
through the API and the page (scales with their bands, vital signs with their flags, doses
given, held with the reason, refused, missed, PRN), who may read it, the audit of the read,
the range rules, and a query count that does not grow with the days."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake import vital_signs_rules
from intake.models import AuditEvent, VitalSigns
from intake.services.medication_administration import administration_record
from tests.mar_support import at, cows, med_id, signed_plan, vitals

D = datetime.date(2026, 11, 23)
D1, D2 = D + datetime.timedelta(days=1), D + datetime.timedelta(days=2)
URL = "/api/v1/patients/{}/withdrawal-flowsheet/"
PAGE = "/patients/{}/withdrawal-flowsheet/"
UNKNOWN = "00000000-0000-4000-8000-0000000000aa"


def flagged_vitals(patient, nurse, when, **measures):
    """A set of vital signs with the flags the service would store."""
    return VitalSigns.objects.create(
        patient=patient,
        taken_at=when,
        flags=vital_signs_rules.flags(measures),
        created_by=nurse,
        **measures,
    )


def record(nurse, patient, medication, status, when, **data):
    return administration_record(
        actor=nurse,
        patient=patient,
        data={"medication": medication, "status": status, "given_at": when, **data},
        now=when + datetime.timedelta(minutes=1),
    )


@pytest.fixture
def detox(patient, team_physician, team_nurse):
    """Clonidine twice a day and ondansetron as needed, over three days: given, held (low blood
    pressure), missed, PRN given, refused, given, and one still due."""
    plan = signed_plan(
        patient,
        team_physician,
        [
            {
                "drug": "clonidine",
                "dose": "0.1",
                "frequency": "bid",
                "start_date": D,
                "end_date": D2,
            },
            {
                "drug": "ondansetron",
                "dose": "4",
                "frequency": "q8h-prn",
                "start_date": D,
                "indication": "Nausea",
            },
        ],
        signed_at=at(D, 7),
        withdrawal_monitoring={"instrument": "cows", "every_hours": 4},
    )
    clonidine, ondansetron = med_id(plan, "clonidine"), med_id(plan, "ondansetron")
    flagged_vitals(
        patient,
        team_nurse,
        at(D, 8, 45),
        systolic=128,
        diastolic=82,
        heart_rate=104,
        temperature_c="37.2",
        spo2=97,
    )
    cows(patient, team_nurse, at(D, 8, 50), 14)
    record(team_nurse, patient, clonidine, "given", at(D, 9, 5))
    flagged_vitals(patient, team_nurse, at(D, 20, 50), systolic=88, diastolic=58, heart_rate=58)
    record(team_nurse, patient, clonidine, "held", at(D, 21), reason="BP 88/58, below the hold")
    # D1 09:00 clonidine: never documented (missed).
    record(team_nurse, patient, ondansetron, "given", at(D1, 14))
    record(team_nurse, patient, clonidine, "refused", at(D1, 21), reason="Patient declined")
    vitals(patient, team_nurse, at(D2, 8, 30), systolic=118, diastolic=76, heart_rate=78)
    cows(patient, team_nurse, at(D2, 8, 40), 6)
    record(team_nurse, patient, clonidine, "given", at(D2, 9))
    return plan


@pytest.fixture
def noon_d2():
    with time_machine.travel(at(D2, 12), tick=False):
        yield


def _without_tokens(content: bytes) -> bytes:
    """A page without its per-response values (CSP nonce, CSRF token)."""
    return re.sub(rb'(nonce|value|content)="[A-Za-z0-9+/=_-]{20,}"', b"", content)


def flowsheet(api, patient, **params):
    response = api.get(URL.format(patient.pk), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_gives_each_day_its_scales_vitals_and_doses(
    api, patient, team_nurse, detox, noon_d2
):
    api.force_authenticate(team_nurse)
    body = flowsheet(api, patient)
    assert (body["from"], body["to"]) == (D.isoformat(), D2.isoformat())
    first, second, third = body["days"]
    assert [d["date"] for d in body["days"]] == [D.isoformat(), D1.isoformat(), D2.isoformat()]

    assert [
        (a["instrument"], a["total"], a["band"], a["band_label"]) for a in first["assessments"]
    ] == [("cows", 14, "moderate", "Moderate (13-24)")]
    morning, evening = first["vitals"]
    assert {m["measure"]: (m["value"], m["flag"]) for m in morning["measures"]}["heart_rate"] == (
        "104",
        "high",
    )
    assert {m["measure"]: m["flag"] for m in evening["measures"]} == {
        "systolic": "low",
        "diastolic": "low",
        "heart_rate": "low",
    }
    assert [(d["drug"], d["status"], d["dose"], d["reason"]) for d in first["administrations"]] == [
        ("clonidine", "given", "0.1", ""),
        ("clonidine", "held", None, "BP 88/58, below the hold"),
    ]
    given = first["administrations"][0]
    assert datetime.datetime.fromisoformat(given["due_at"]) == at(D, 9)
    assert datetime.datetime.fromisoformat(given["given_at"]) == at(D, 9, 5)
    assert given["given_at"] is not None and given["recorded_by"]
    assert given["medication"] == med_id(detox, "clonidine")

    assert second["assessments"] == [] and second["vitals"] == []
    assert [(d["drug"], d["status"], d["prn"], d["reason"]) for d in second["administrations"]] == [
        ("clonidine", "missed", False, ""),
        ("ondansetron", "given", True, ""),
        ("clonidine", "refused", False, "Patient declined"),
    ]
    assert second["administrations"][0]["id"] is None
    assert second["administrations"][1]["due_dose"] is None

    assert [(d["status"], d["dose"]) for d in third["administrations"]] == [
        ("given", "0.1"),
        ("due", None),
    ]
    assert [(a["total"], a["band"]) for a in third["assessments"]] == [(6, "mild")]


def test_a_voided_dose_and_a_set_entered_in_error_leave_the_flowsheet(
    api, patient, team_nurse, detox, noon_d2
):
    from intake.models import MedicationAdministration
    from intake.services.medication_administration import administration_void
    from intake.services.vital_signs import vital_signs_void

    entry = MedicationAdministration.objects.get(status="given", due_at=at(D2, 9))
    administration_void(actor=team_nurse, entry=entry, reason="Wrong patient")
    vital_signs_void(
        actor=team_nurse, vitals=VitalSigns.objects.get(taken_at=at(D2, 8, 30)), reason="Misread"
    )
    api.force_authenticate(team_nurse)
    third = flowsheet(api, patient, **{"from": D2.isoformat()})["days"][0]
    assert third["vitals"] == []
    # The 09:00 dose is undocumented again: three hours on, missed.
    assert [d["status"] for d in third["administrations"]] == ["missed", "due"]


def test_the_page_shows_the_days_in_words(client, patient, team_nurse, detox, noon_d2):
    client.force_login(team_nurse)
    response = client.get(PAGE.format(patient.pk))
    assert response.status_code == 200
    text = response.content.decode()
    for words in (
        "Withdrawal flowsheet",
        "COWS total",
        "Moderate (13-24)",
        "Mild (5-12)",
        "Blood pressure",
        "88/58",
        "Low",
        "High",
        "Clonidine",
        "Ondansetron",
        "Held",
        "BP 88/58, below the hold",
        "Refused",
        "Patient declined",
        "Missed",
        "Given (as needed)",
        "at 09:05",
        "Print",
    ):
        assert words in text, words
    assert text.count('data-testid="flowsheet-day"') == 3
    # Raw codes never reach the screen.
    assert "moderately-severe" not in text and ">moderate<" not in text


def test_the_page_refuses_bad_dates_on_the_fields_and_shows_the_default(
    client, patient, team_nurse, detox, noon_d2
):
    client.force_login(team_nurse)
    response = client.get(PAGE.format(patient.pk), {"from": "2026-02-30"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="range-error"' in text and "YYYY-MM-DD" in text
    assert text.count('data-testid="flowsheet-day"') == 3


def test_the_chart_and_the_plan_link_to_the_flowsheet(
    client, patient, team_nurse, team_physician, detox, noon_d2
):
    client.force_login(team_physician)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert PAGE.format(patient.pk) in chart
    plan_page = client.get(f"/patients/{patient.pk}/plans/{detox.pk}/").content.decode()
    assert 'data-testid="flowsheet-link"' in plan_page


def test_outside_the_team_it_is_not_found_as_an_unknown_patient(
    api, client, patient, offteam_nurse, detox, noon_d2
):
    api.force_authenticate(offteam_nurse)
    outsider = api.get(URL.format(patient.pk))
    unknown = api.get(URL.format(UNKNOWN))
    assert outsider.status_code == unknown.status_code == 404
    assert outsider.json() == unknown.json()
    client.force_login(offteam_nurse)
    page, missing = client.get(PAGE.format(patient.pk)), client.get(PAGE.format(UNKNOWN))
    assert page.status_code == missing.status_code == 404
    assert b"Maria" not in page.content
    # The same page, but for the id in the URL (its emergency-access form names it).
    same = page.content.replace(str(patient.pk).encode(), UNKNOWN.encode())
    assert _without_tokens(same) == _without_tokens(missing.content)


def test_the_counselor_reads_it_and_the_read_is_audited(
    api, patient, team_counselor, detox, noon_d2
):
    api.force_authenticate(team_counselor)
    assert len(flowsheet(api, patient)["days"]) == 3
    event = AuditEvent.objects.get(
        object_type="withdrawal-flowsheet", action="read", actor=team_counselor
    )
    assert event.patient_id == patient.pk


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "23/11/2026"}, "from"),
        ({"to": "tomorrow"}, "to"),
        ({"from": "1999-12-31"}, "from"),
        ({"from": D2.isoformat(), "to": D.isoformat()}, "to"),
        ({"from": D.isoformat(), "to": (D + datetime.timedelta(days=31)).isoformat()}, "to"),
    ],
)
def test_bad_dates_and_a_span_over_31_days_are_400_naming_the_field(
    api, patient, team_nurse, detox, noon_d2, params, field
):
    api.force_authenticate(team_nurse)
    response = api.get(URL.format(patient.pk), params)
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_31_days_is_the_longest_span(api, patient, team_nurse, detox, noon_d2):
    api.force_authenticate(team_nurse)
    last = D + datetime.timedelta(days=30)
    body = flowsheet(api, patient, **{"from": D.isoformat(), "to": last.isoformat()})
    assert len(body["days"]) == 31
    # `from` alone: 31 days at most, and never past today.
    early = D - datetime.timedelta(days=60)
    body = flowsheet(api, patient, **{"from": early.isoformat()})
    assert (body["from"], body["to"]) == (
        early.isoformat(),
        (early + datetime.timedelta(days=30)).isoformat(),
    )
    body = flowsheet(api, patient, **{"from": D1.isoformat()})
    assert (body["from"], body["to"]) == (D1.isoformat(), D2.isoformat())


def test_before_any_dose_it_starts_at_the_plans_signing(api, patient, team_physician, team_nurse):
    signed_plan(
        patient,
        team_physician,
        [{"drug": "clonidine", "dose": "0.1", "frequency": "bid", "start_date": D1}],
        signed_at=at(D, 7),
    )
    api.force_authenticate(team_nurse)
    with time_machine.travel(at(D1, 8), tick=False):
        body = flowsheet(api, patient)
    assert (body["from"], body["to"]) == (D.isoformat(), D1.isoformat())
    assert [d["status"] for d in body["days"][1]["administrations"]] == ["due", "due"]


def _seven_day_detox(patient, physician, nurse):
    plan = signed_plan(
        patient,
        physician,
        [
            {"drug": "clonidine", "dose": "0.1", "frequency": "qid", "start_date": D},
            {"drug": "ondansetron", "dose": "4", "frequency": "q8h-prn", "start_date": D},
        ],
        signed_at=at(D, 7),
    )
    clonidine, ondansetron = med_id(plan, "clonidine"), med_id(plan, "ondansetron")
    for i in range(7):
        day = D + datetime.timedelta(days=i)
        for hour in (9, 13, 17, 21):
            vitals(patient, nurse, at(day, hour - 1, 50), systolic=120, diastolic=80, heart_rate=80)
            cows(patient, nurse, at(day, hour - 1, 55), 10)
            record(nurse, patient, clonidine, "given", at(day, hour))
        record(nurse, patient, ondansetron, "given", at(day, 11))


def _queries(api, patient, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(URL.format(patient.pk), params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_the_query_count_is_the_same_for_one_day_and_seven(
    api, patient, team_physician, team_nurse, django_assert_max_num_queries
):
    _seven_day_detox(patient, team_physician, team_nurse)
    api.force_authenticate(team_nurse)
    last = D + datetime.timedelta(days=6)
    with time_machine.travel(at(last, 23), tick=False):
        one = _queries(api, patient, **{"from": D.isoformat(), "to": D.isoformat()})
        seven = _queries(api, patient, **{"from": D.isoformat(), "to": last.isoformat()})
        assert one == seven
        with django_assert_max_num_queries(15):
            body = flowsheet(api, patient)
    assert len(body["days"]) == 7
    assert sum(len(d["administrations"]) for d in body["days"]) == 35
    assert all(len(d["assessments"]) == 4 for d in body["days"])


def test_the_page_query_count_does_not_grow_with_the_days(
    client, patient, team_physician, team_nurse
):
    _seven_day_detox(patient, team_physician, team_nurse)
    client.force_login(team_nurse)
    last = D + datetime.timedelta(days=6)
    counts = []
    with time_machine.travel(at(last, 23), tick=False):
        client.get(PAGE.format(patient.pk))  # the session's first save after signing in
        for to in (D, last):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(
                    PAGE.format(patient.pk), {"from": D.isoformat(), "to": to.isoformat()}
                )
            assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 20
