import pytest

from intake.models import AuditEvent, Patient

pytestmark = pytest.mark.django_db

NEW = {
    "given_name": "Lena",
    "family_name": "Park",
    "birth_date": "1992-09-30",
    "sex_at_birth": "female",
}


def test_it_creates_a_patient(api, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post("/api/v1/patients/", NEW, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["mrn"] and body["id"]
    assert body["warnings"] == []
    patient = Patient.objects.get(pk=body["id"])
    assert patient.care_team.filter(user=team_counselor).exists()


def test_it_names_every_bad_field_and_stores_nothing(api, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post(
        "/api/v1/patients/",
        {"given_name": "", "birth_date": "2999-01-01", "sex_at_birth": "x", "mrn": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"given_name", "family_name", "birth_date", "sex_at_birth"}
    assert Patient.objects.count() == 0


def test_it_ignores_a_client_supplied_mrn(api, team_counselor):
    api.force_authenticate(team_counselor)
    body = api.post("/api/v1/patients/", {**NEW, "mrn": "00000001"}, format="json").json()
    assert body["mrn"] != "00000001"


def test_it_reads_and_audits_a_patient(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    response = api.get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 200
    assert response.json()["family_name"] == "Lopez"
    assert AuditEvent.objects.filter(
        patient=patient, action="read", actor=team_nurse, outcome="allowed"
    ).exists()


def test_it_hides_patients_outside_the_care_team(api, patient, offteam_nurse):
    api.force_authenticate(offteam_nurse)
    assert api.get(f"/api/v1/patients/{patient.pk}/").status_code == 404
    assert (
        api.patch(f"/api/v1/patients/{patient.pk}/", {"phone": "1"}, format="json").status_code
        == 404
    )
    denied = AuditEvent.objects.filter(patient=patient, actor=offteam_nurse, action="read").get()
    assert denied.outcome == "denied"
    assert denied.detail["reason"] == "not-on-care-team"


def test_it_answers_403_to_roles_without_clinical_access(api, patient, clinic_admin):
    api.force_authenticate(clinic_admin)
    response = api.get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 403
    assert "detail" in response.json()


def test_it_answers_401_without_credentials(api, patient):
    assert api.get(f"/api/v1/patients/{patient.pk}/").status_code == 401
    assert api.get("/api/v1/patients/").status_code == 401


def test_it_patches_with_the_version_and_refuses_a_stale_one(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    ok = api.patch(
        f"/api/v1/patients/{patient.pk}/", {"phone": "555-0001", "version": 1}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = api.patch(
        f"/api/v1/patients/{patient.pk}/", {"phone": "555-0002", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    patient.refresh_from_db()
    assert patient.phone == "555-0001"


def test_it_refuses_a_bad_patch_and_keeps_the_record(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    response = api.patch(f"/api/v1/patients/{patient.pk}/", {"sex_at_birth": "?"}, format="json")
    assert response.status_code == 400
    assert "sex_at_birth" in response.json()
    patient.refresh_from_db()
    assert patient.sex_at_birth == "female" and patient.version == 1


def test_it_serves_the_openapi_schema_to_staff(api, team_nurse):
    assert api.get("/api/v1/schema/").status_code == 401
    api.force_authenticate(team_nurse)
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/patients/{patient_id}/" in response.content
