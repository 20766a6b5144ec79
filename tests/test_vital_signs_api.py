"""Vital signs through the API (docs/api.md#vital-signs): recorded with their flags and
alerts, refused by field when implausible or malformed (nothing stored), listed newest first,
only by the care team; a critical value reaches the worklist until acknowledged."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import AuditEvent, VitalSignAlert, VitalSigns

pytestmark = pytest.mark.django_db


def _url(patient):
    return f"/api/v1/patients/{patient.pk}/vitals/"


def _at(minutes_ago=5):
    return (timezone.now() - datetime.timedelta(minutes=minutes_ago)).isoformat()


def _post(api, user, patient, **body):
    api.force_authenticate(user)
    body.setdefault("taken_at", _at())
    return api.post(_url(patient), body, format="json")


NORMAL_SET = {
    "systolic": 118,
    "diastolic": 76,
    "heart_rate": 72,
    "respiratory_rate": 14,
    "temperature_c": 36.8,
    "spo2": 98,
    "weight_kg": 71.4,
    "height_cm": 172,
    "pain": 2,
}


def test_a_nurse_records_vital_signs_with_their_flags(api, patient, team_nurse):
    response = _post(api, team_nurse, patient, **NORMAL_SET)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["flags"] == {
        "systolic": "normal",
        "diastolic": "normal",
        "heart_rate": "normal",
        "respiratory_rate": "normal",
        "temperature_c": "normal",
        "spo2": "normal",
    }
    assert body["alerts"] == [] and body["open_alerts"] == []
    assert body["temperature_c"] == 36.8 and body["weight_kg"] == 71.4 and body["pain"] == 2
    vitals = VitalSigns.objects.get(pk=body["id"])
    assert vitals.created_by == team_nurse
    event = AuditEvent.objects.get(object_type="vital-signs", action="create")
    assert event.patient_id == patient.pk and event.object_id == str(vitals.pk)
    assert "72" not in str(event.detail)  # measures named, values not copied to the audit log


def test_low_and_high_values_are_flagged_without_an_alert(api, patient, team_physician):
    body = _post(
        api, team_physician, patient, systolic=88, diastolic=95, heart_rate=110, spo2=93
    ).json()
    assert body["flags"] == {
        "systolic": "low",
        "diastolic": "high",
        "heart_rate": "high",
        "spo2": "low",
    }
    assert body["alerts"] == []
    assert not VitalSignAlert.objects.exists()


def test_each_critical_measure_raises_one_alert(api, patient, team_nurse):
    body = _post(api, team_nurse, patient, systolic=185, diastolic=125, spo2=86).json()
    assert body["alerts"] == ["critical-vital"] * 3
    assert {a["measure"] for a in body["open_alerts"]} == {"systolic", "diastolic", "spo2"}
    assert VitalSignAlert.objects.filter(patient=patient, acknowledged_at=None).count() == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("systolic", 301),
        ("heart_rate", 19),
        ("respiratory_rate", 81),
        ("temperature_c", 45.1),
        ("spo2", 101),
        ("weight_kg", 1.9),
        ("height_cm", 250.1),
        ("pain", 11),
        ("pain", -1),
        ("heart_rate", 10**30),
        ("temperature_c", 1e300),
    ],
)
def test_an_implausible_value_is_refused_naming_the_field(api, patient, team_nurse, field, value):
    body = {**NORMAL_SET, field: value}
    response = _post(api, team_nurse, patient, **body)
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert "plausible" in errors[field][0]
    assert not VitalSigns.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("heart_rate", "72"),
        ("heart_rate", True),
        ("heart_rate", [72]),
        ("heart_rate", {"value": 72}),
        ("heart_rate", 72.5),
        ("temperature_c", "36.8\u0000"),
        ("temperature_c", 36.85),
        ("pain", 2.5),
    ],
)
def test_a_malformed_value_is_refused_naming_the_field(api, patient, team_nurse, field, value):
    response = _post(api, team_nurse, patient, **{**NORMAL_SET, field: value})
    assert response.status_code == 400
    body = response.json()
    assert field in body or field in body.get("detail", ""), body
    assert not VitalSigns.objects.exists()


def test_systolic_without_diastolic_is_refused(api, patient, team_nurse):
    response = _post(api, team_nurse, patient, systolic=120, heart_rate=70)
    assert response.status_code == 400
    assert response.json() == {
        "diastolic": ["Record systolic and diastolic blood pressure together."]
    }
    assert not VitalSigns.objects.exists()


def test_at_least_one_measure_is_required(api, patient, team_nurse):
    response = _post(api, team_nurse, patient)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Record at least one measure."]}
    response = _post(api, team_nurse, patient, heart_rate=None)
    assert response.status_code == 400


def test_the_time_taken_is_checked(api, patient, team_nurse):
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    response = _post(api, team_nurse, patient, taken_at=future, heart_rate=70)
    assert response.status_code == 400
    assert "future" in response.json()["taken_at"][0]
    before_birth = datetime.datetime.combine(
        patient.birth_date - datetime.timedelta(days=1), datetime.time(9), tzinfo=datetime.UTC
    ).isoformat()
    response = _post(api, team_nurse, patient, taken_at=before_birth, heart_rate=70)
    assert response.status_code == 400
    assert "date of birth" in response.json()["taken_at"][0]
    response = _post(api, team_nurse, patient, taken_at="yesterday", heart_rate=70)
    assert response.status_code == 400 and "taken_at" in response.json()
    response = _post(api, team_nurse, patient, taken_at=None, heart_rate=70)
    assert response.status_code == 400 and "taken_at" in response.json()
    assert not VitalSigns.objects.exists()


def test_a_counselor_reads_vital_signs_but_may_not_record_them(api, patient, team_counselor):
    response = _post(api, team_counselor, patient, heart_rate=70)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this."}
    assert not VitalSigns.objects.exists()
    assert api.get(_url(patient)).status_code == 200


def test_outside_the_care_team_it_is_the_same_404_as_an_unknown_patient(
    api, patient, offteam_nurse
):
    outside = _post(api, offteam_nurse, patient, heart_rate=70)
    unknown = api.post(
        "/api/v1/patients/00000000-0000-4000-8000-000000000000/vitals/",
        {"taken_at": _at(), "heart_rate": 70},
        format="json",
    )
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    assert api.get(_url(patient)).json() == unknown.json()
    assert not VitalSigns.objects.exists()
    denied = AuditEvent.objects.filter(
        object_type="vital-signs", action="create", outcome="denied", patient=patient
    ).get()
    assert denied.detail["reason"] == "not-on-care-team"


def test_the_list_is_newest_first_with_since(api, patient, team_nurse, team_physician):
    for minutes, rate in ((180, 60), (5, 80), (60, 70)):
        _post(api, team_nurse, patient, taken_at=_at(minutes), heart_rate=rate)
    api.force_authenticate(team_physician)
    response = api.get(_url(patient))
    assert response.status_code == 200
    body = response.json()
    assert [row["heart_rate"] for row in body["results"]] == [80, 70, 60]
    assert body["count"] == 3
    since = (timezone.now() - datetime.timedelta(minutes=90)).isoformat()
    rows = api.get(_url(patient), {"since": since}).json()["results"]
    assert [row["heart_rate"] for row in rows] == [80, 70]
    assert api.get(_url(patient), {"since": "soon"}).status_code == 400
    assert AuditEvent.objects.filter(
        object_type="vital-signs", action="read", actor=team_physician
    ).exists()


def _list_queries(api, patient, user) -> int:
    api.force_authenticate(user)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(_url(patient)).status_code == 200
    return sum("intake_audit_seal(" not in q["sql"] for q in ctx.captured_queries)


def test_the_list_costs_the_same_queries_for_2_or_30_sets(api, patient, team_nurse):
    for i in range(2):
        _post(api, team_nurse, patient, taken_at=_at(i + 1), heart_rate=35)
    small = _list_queries(api, patient, team_nurse)
    for i in range(28):
        _post(api, team_nurse, patient, taken_at=_at(i + 10), heart_rate=35)
    assert _list_queries(api, patient, team_nurse) == small
    assert small <= 10


def test_a_critical_value_is_on_the_worklist_until_acknowledged(
    api, client, patient, team_nurse, team_physician, team_counselor
):
    body = _post(api, team_nurse, patient, heart_rate=32).json()
    alert_id = body["open_alerts"][0]["id"]
    for user in (team_nurse, team_physician):
        client.force_login(user)
        home = client.get("/").content.decode()
        assert 'data-testid="worklist-vitals-to-acknowledge"' in home
        assert "Critical heart rate: 32 /min" in home
    client.force_login(team_counselor)
    assert "Critical heart rate" not in client.get("/").content.decode()

    api.force_authenticate(team_counselor)
    ack = f"/api/v1/vital-sign-alerts/{alert_id}/acknowledge/"
    assert api.post(ack, {"note": "seen"}, format="json").status_code == 403
    api.force_authenticate(team_physician)
    assert api.post(ack, {"note": "  "}, format="json").status_code == 400
    assert api.post(ack, {"note": 5}, format="json").status_code == 400
    response = api.post(ack, {"note": "Repeated: 58 /min, ECG ordered."}, format="json")
    assert response.status_code == 200
    assert response.json()["acknowledged"]["acknowledged_by"]
    assert api.post(ack, {"note": "again"}, format="json").status_code == 409
    alert = VitalSignAlert.objects.get(pk=alert_id)
    assert alert.acknowledged_by == team_physician
    assert AuditEvent.objects.filter(
        object_type="vital-sign-alert", action="update", object_id=alert_id
    ).exists()
    client.force_login(team_nurse)
    assert "Critical heart rate" not in client.get("/").content.decode()
    api.force_authenticate(team_nurse)
    listed = api.get(f"/api/v1/patients/{patient.pk}/vital-sign-alerts/").json()
    assert listed["results"] == []
    everything = api.get(f"/api/v1/patients/{patient.pk}/vital-sign-alerts/", {"open": "false"})
    assert everything.json()["results"][0]["acknowledgement_note"].startswith("Repeated")


def test_an_outsider_cannot_acknowledge(api, patient, team_nurse, offteam_physician):
    alert_id = _post(api, team_nurse, patient, spo2=85).json()["open_alerts"][0]["id"]
    api.force_authenticate(offteam_physician)
    response = api.post(
        f"/api/v1/vital-sign-alerts/{alert_id}/acknowledge/", {"note": "x"}, format="json"
    )
    unknown = api.post(
        "/api/v1/vital-sign-alerts/00000000-0000-4000-8000-000000000000/acknowledge/",
        {"note": "x"},
        format="json",
    )
    assert response.status_code == unknown.status_code == 404
    assert response.json() == unknown.json()
    assert VitalSignAlert.objects.get(pk=alert_id).acknowledged_at is None


def test_recorded_vital_signs_are_final_in_the_database(api, patient, team_nurse):
    from django.db import DatabaseError, transaction

    vitals = VitalSigns.objects.get(pk=_post(api, team_nurse, patient, heart_rate=70).json()["id"])
    with pytest.raises(DatabaseError), transaction.atomic():
        VitalSigns.objects.filter(pk=vitals.pk).update(heart_rate=71)
    with pytest.raises(DatabaseError), transaction.atomic():
        VitalSigns.objects.filter(pk=vitals.pk).delete()


def test_a_set_entered_in_error_is_voided_once_with_a_reason(
    api, client, patient, team_nurse, team_counselor, offteam_nurse
):
    body = _post(api, team_nurse, patient, heart_rate=32, spo2=97).json()
    url = f"/api/v1/vitals/{body['id']}/void/"
    api.force_authenticate(team_counselor)
    assert api.post(url, {"reason": "wrong patient"}, format="json").status_code == 403
    api.force_authenticate(offteam_nurse)
    assert api.post(url, {"reason": "wrong patient"}, format="json").status_code == 404
    api.force_authenticate(team_nurse)
    assert "reason" in api.post(url, {"reason": " "}, format="json").json()
    response = api.post(url, {"reason": "Taken on the wrong patient."}, format="json")
    assert response.status_code == 200
    assert response.json()["void_reason"] == "Taken on the wrong patient."
    assert response.json()["voided_at"]
    assert api.post(url, {"reason": "again"}, format="json").status_code == 409
    # Still listed, marked; its alert closed with the reason; off the worklist and the chart.
    rows = api.get(_url(patient)).json()["results"]
    assert rows[0]["id"] == body["id"] and rows[0]["voided_at"] and rows[0]["open_alerts"] == []
    alert = VitalSignAlert.objects.get()
    assert alert.acknowledgement_note == "Entered in error: Taken on the wrong patient."
    client.force_login(team_nurse)
    assert "Critical heart rate" not in client.get("/").content.decode()
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "32 /min" not in chart and "No vital signs recorded." in chart
    assert AuditEvent.objects.filter(
        object_type="vital-signs", action="update", object_id=body["id"]
    ).exists()


def test_the_database_allows_the_void_and_nothing_else(api, patient, team_nurse):
    from django.db import DatabaseError, transaction

    vitals = VitalSigns.objects.get(pk=_post(api, team_nurse, patient, heart_rate=70).json()["id"])
    now = timezone.now()
    with pytest.raises(DatabaseError), transaction.atomic():  # voiding and changing a value
        VitalSigns.objects.filter(pk=vitals.pk).update(
            voided_at=now, voided_by=team_nurse, void_reason="x", heart_rate=71
        )
    VitalSigns.objects.filter(pk=vitals.pk).update(
        voided_at=now, voided_by=team_nurse, void_reason="Wrong patient."
    )
    with pytest.raises(DatabaseError), transaction.atomic():  # a void is never undone
        VitalSigns.objects.filter(pk=vitals.pk).update(
            voided_at=None, voided_by=None, void_reason=""
        )
    with pytest.raises(DatabaseError), transaction.atomic():
        VitalSigns.objects.filter(pk=vitals.pk).delete()


def test_a_reading_within_the_clock_allowance_is_accepted_across_midnight(api, patient, team_nurse):
    """A device a minute fast just before the clinic's midnight is already "tomorrow": the
    two-minute allowance holds across the date line (found by an attack on the endpoint)."""
    import time_machine

    midnight = timezone.make_aware(datetime.datetime(2026, 11, 25, 0, 0))
    now = midnight - datetime.timedelta(seconds=30)
    with time_machine.travel(now, tick=False):
        ahead = (now + datetime.timedelta(minutes=1)).isoformat()
        response = _post(api, team_nurse, patient, taken_at=ahead, heart_rate=70)
    assert response.status_code == 201, response.json()
    assert VitalSigns.objects.get(pk=response.json()["id"]).heart_rate == 70
