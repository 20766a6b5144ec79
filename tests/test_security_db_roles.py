"""The application's database role (intake/db_roles.py) owns nothing: it cannot TRUNCATE,
DELETE or UPDATE the audit log, disable a trigger or silence triggers for its session; the app
still does all its work as that role (the audit chain trigger runs with the owner's rights).

Each test runs inside its own transaction: the role is created, granted and assumed with
`SET LOCAL ROLE` there, and all of it rolls back at the end."""

import pytest
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from intake.db_roles import grant_app_role
from intake.models import AuditEvent, Patient
from intake.services.audit_chain import audit_chain_verify, audit_seal
from tests.test_patient_register import FORM

pytestmark = pytest.mark.django_db

ROLE = "clinic_app_test"


@pytest.fixture
def as_app_role():
    grant_app_role(ROLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def refused(statement: str, *params) -> str:
    """The error text when the database refuses the statement, '' when it runs."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError as exc:
        return str(exc)
    return ""


def test_the_app_role_cannot_touch_the_audit_log(client, patient, team_nurse, as_app_role):
    client.force_login(team_nurse)
    assert client.get(f"/patients/{patient.pk}/").status_code == 200  # audited as the app role
    assert AuditEvent.objects.filter(patient=patient, action="read").exists()

    assert "permission denied" in refused("TRUNCATE intake_auditevent")
    assert "permission denied" in refused("DELETE FROM intake_auditevent")
    assert "permission denied" in refused("UPDATE intake_auditevent SET outcome = 'denied'")
    assert "permission denied" in refused("UPDATE intake_auditchain SET seq = 0, head = ''")
    assert "permission denied" in refused("DELETE FROM intake_auditcheckpoint")
    assert "must be owner" in refused("ALTER TABLE intake_auditevent DISABLE TRIGGER ALL")
    assert "must be owner" in refused(
        "ALTER TABLE intake_auditevent DISABLE TRIGGER intake_auditevent_no_update_delete"
    )
    assert "must be owner" in refused(
        "DROP TRIGGER intake_auditevent_insert_unsealed ON intake_auditevent"
    )
    assert "permission denied" in refused("SET session_replication_role = replica")
    assert "permission denied" in refused("TRUNCATE intake_patient")
    assert "must be owner" in refused("ALTER TABLE intake_treatmentplan DISABLE TRIGGER USER")
    assert "permission denied" in refused("CREATE TABLE intake_shadow (id int)")
    # It may seal (the owner's function) but not write the chain columns itself.
    assert "permission denied" in refused("UPDATE intake_auditevent SET hash = '' WHERE false")
    assert audit_seal() >= 0
    assert audit_chain_verify().ok


def test_the_app_does_its_work_as_the_app_role(client, team_counselor, as_app_role):
    """Registration (patient, care team, audit), a chart read and an API write, as the role."""
    client.force_login(team_counselor)
    response = client.post("/patients/new/", FORM)
    assert response.status_code == 302
    patient = Patient.objects.get(family_name="Whitfield")
    assert client.get(response["Location"]).status_code == 200
    assert AuditEvent.objects.filter(patient=patient, action="create").exists()
    api = APIClient()
    api.force_authenticate(team_counselor)
    answers = {str(n): 0 for n in range(1, 10)}
    created = api.post(
        f"/api/v1/patients/{patient.pk}/assessments/",
        {"instrument": "phq9", "answers": answers},
        format="json",
    )
    assert created.status_code == 201, created.content
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == ROLE
    assert audit_chain_verify().ok


def test_granting_is_idempotent_and_undoes_hand_made_privileges(as_app_role):
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f"GRANT TRUNCATE, UPDATE, DELETE ON intake_auditevent TO {ROLE}")
    grant_app_role(ROLE)
    grant_app_role(ROLE)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = 'intake_auditevent' ORDER BY 1",
            [ROLE],
        )
        assert [row[0] for row in cursor.fetchall()] == ["INSERT", "SELECT"]
        cursor.execute(
            "SELECT count(*) FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND privilege_type = 'TRUNCATE'",
            [ROLE],
        )
        assert cursor.fetchone()[0] == 0
