import pytest

from intake.models import AuditEvent, Diagnosis
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def _dsm(patient, met: int, supervised="no"):
    answers = {str(n): "yes" if n <= met else "no" for n in range(1, 12)}
    bands = {0: "none", 1: "none", 2: "mild", 3: "mild", 4: "moderate", 5: "moderate"}
    return AssessmentFactory(
        patient=patient,
        answers=answers | {"supervised": supervised},
        total=met,
        band=bands.get(met, "severe"),
    )


def _diagnose(api, patient, assessment, **fields):
    """POST a diagnosis of `patient` from `assessment`, as the client authenticated on `api`."""
    return api.post(
        f"/api/v1/patients/{patient.pk}/diagnoses/",
        {"assessment": str(assessment.pk), **fields},
        format="json",
    )


@pytest.mark.parametrize(
    "met, remission, icd10, severity",
    [
        (2, "none", "F11.10", "mild"),
        (3, "early", "F11.11", "mild"),
        (4, "none", "F11.20", "moderate"),
        (5, "sustained", "F11.21", "moderate"),
        (6, "none", "F11.20", "severe"),
        (11, "early", "F11.21", "severe"),
    ],
)
def test_it_derives_the_icd10_code(api, patient, team_physician, met, remission, icd10, severity):
    assessment = _dsm(patient, met)
    api.force_authenticate(team_physician)
    response = _diagnose(api, patient, assessment, remission=remission)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["icd10"], body["severity"], body["diagnosed_by"]) == (
        icd10,
        severity,
        "team-physician",
    )
    assert AuditEvent.objects.filter(object_id=body["id"], action="create").exists()


def test_it_refuses_a_diagnosis_without_a_disorder(api, patient, team_physician):
    assessment = _dsm(patient, 1)
    api.force_authenticate(team_physician)
    response = _diagnose(api, patient, assessment)
    assert response.status_code == 400
    assert "assessment" in response.json()
    assert Diagnosis.objects.count() == 0


def test_it_refuses_people_who_may_not_diagnose(api, client, patient, team_counselor, team_nurse):
    assessment = _dsm(patient, 6)
    api.force_authenticate(team_counselor)
    response = _diagnose(api, patient, assessment)
    assert response.status_code == 403
    assert "licensed to diagnose" in response.json()["detail"]
    api.force_authenticate(team_nurse)
    assert _diagnose(api, patient, assessment).status_code == 403
    client.force_login(team_counselor)
    page = client.get(f"/patients/{patient.pk}/assessments/{assessment.pk}/diagnosis/")
    assert page.status_code == 403
    assert b"licensed to diagnose" in page.content
    assert Diagnosis.objects.count() == 0


def test_it_lets_a_credentialed_counselor_diagnose_where_the_clinic_allows(
    api, patient, team_counselor, settings
):
    assessment = _dsm(patient, 4)
    team_counselor.staff_profile.may_diagnose = True
    team_counselor.staff_profile.save()
    settings.COUNSELOR_MAY_DIAGNOSE = True
    api.force_authenticate(team_counselor)
    response = _diagnose(api, patient, assessment)
    assert response.status_code == 201
    assert Diagnosis.objects.get(patient=patient).diagnosed_by == team_counselor
    settings.COUNSELOR_MAY_DIAGNOSE = False
    assert _diagnose(api, patient, assessment).status_code == 403
    assert Diagnosis.objects.filter(patient=patient).count() == 1


def test_it_requires_remission_for_controlled_environment(api, patient, team_physician):
    assessment = _dsm(patient, 4)
    api.force_authenticate(team_physician)
    response = _diagnose(api, patient, assessment, controlled_environment=True)
    assert response.status_code == 400
    assert "controlled_environment" in response.json()


def test_it_refuses_another_patients_assessment(api, patient, team_physician):
    other = AssessmentFactory()
    api.force_authenticate(team_physician)
    response = _diagnose(api, patient, other)
    assert response.status_code == 400
    assert not Diagnosis.objects.exists()


def test_a_physician_records_it_from_the_page_and_the_chart_shows_it(
    client, patient, team_physician
):
    assessment = _dsm(patient, 6)
    client.force_login(team_physician)
    response = client.post(
        f"/patients/{patient.pk}/assessments/{assessment.pk}/diagnosis/",
        {"remission": "none", "on_maintenance_therapy": "on"},
    )
    assert response.status_code == 302
    chart = client.get(f"/patients/{patient.pk}/")
    assert b"F11.20" in chart.content
