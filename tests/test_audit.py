import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from intake.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_records_every_chart_read(client, patient, team_nurse):
    client.force_login(team_nurse)
    client.get(f"/patients/{patient.pk}/")
    event = AuditEvent.objects.get(patient=patient, actor=team_nurse, action="read")
    assert event.object_type == "chart"
    assert event.role == "nurse"
    assert event.outcome == "allowed"
    assert event.ip_address == "127.0.0.1"


def test_it_records_a_denied_access(client, patient, offteam_nurse):
    client.force_login(offteam_nurse)
    assert client.get(f"/patients/{patient.pk}/").status_code == 404
    event = AuditEvent.objects.get(actor=offteam_nurse, action="read")
    assert (event.outcome, event.patient_id) == ("denied", patient.pk)


def test_audit_rows_cannot_be_changed_or_deleted_even_with_sql(client, patient, team_nurse):
    client.force_login(team_nurse)
    client.get(f"/patients/{patient.pk}/")
    event = AuditEvent.objects.filter(patient=patient).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE intake_auditevent SET outcome = 'denied' WHERE id = %s", [event.pk]
            )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM intake_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk, outcome="allowed").exists()


def test_it_shows_the_log_to_privacy_officers_only(client, patient, team_nurse, privacy_officer):
    client.force_login(team_nurse)
    client.get(f"/patients/{patient.pk}/")
    assert client.get("/audit/").status_code == 403
    client.force_login(privacy_officer)
    page = client.get("/audit/", {"patient": str(patient.pk), "action": "read"})
    assert page.status_code == 200
    assert b"team-nurse" in page.content
    # The privacy officer sees who the patient is beside the id (issue 12); the report read
    # is itself a read of each patient shown (tests/test_security_read_audit.py).
    assert (
        f"{patient.family_name}, {patient.given_name} · MRN {patient.mrn}" in page.content.decode()
    )


def test_it_serves_the_audit_api_with_filters(api, patient, team_nurse, privacy_officer):
    api.force_authenticate(team_nurse)
    api.get(f"/api/v1/patients/{patient.pk}/")
    assert api.get("/api/v1/audit-events/").status_code == 403
    api.force_authenticate(privacy_officer)
    body = api.get(
        "/api/v1/audit-events/", {"patient": str(patient.pk), "actor": "team-nurse"}
    ).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert {k: row[k] for k in ("actor", "role", "action", "outcome", "break_glass")} == {
        "actor": "team-nurse",
        "role": "nurse",
        "action": "read",
        "outcome": "allowed",
        "break_glass": False,
    }
    assert row["patient"] == str(patient.pk)
    assert api.get("/api/v1/audit-events/", {"action": "peek"}).status_code == 400
    assert api.get("/api/v1/audit-events/", {"since": "2999-01-01"}).json()["count"] == 0
