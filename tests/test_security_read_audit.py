"""Every response that shows patient data is audited (issue 10, item 12): the home page's
caseload and the physician's review queue, page and API, leave a read naming each patient."""

import pytest

from intake.models import AuditEvent
from tests.factories import PatientFactory
from tests.test_treatment_plan_workflow import _create

pytestmark = pytest.mark.django_db


def test_the_home_page_audits_the_caseload_it_lists(client, patient, team_counselor):
    client.force_login(team_counselor)
    before = AuditEvent.objects.filter(patient=patient, action="read").count()
    response = client.get("/")
    assert response.status_code == 200
    assert patient.mrn.encode() in response.content
    after = AuditEvent.objects.filter(
        patient=patient, action="read", object_type="home", actor=team_counselor
    )
    assert after.count() == 1
    assert AuditEvent.objects.filter(patient=patient, action="read").count() == before + 1


def test_the_home_page_does_not_audit_patients_it_does_not_show(client, team_counselor):
    other = PatientFactory()
    client.force_login(team_counselor)
    client.get("/")
    assert not AuditEvent.objects.filter(patient=other, action="read").exists()


def test_the_review_queue_api_audits_each_patient_shown(api, patient, team_physician):
    api.force_authenticate(team_physician)
    plan = _create(api, patient)
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    queue = api.get("/api/v1/review-queue/")
    assert queue.status_code == 200 and queue.json()["results"]
    assert AuditEvent.objects.filter(
        patient=patient, action="read", object_type="review-queue", actor=team_physician
    ).exists()


def test_the_physicians_home_queue_is_audited(client, api, patient, team_physician):
    api.force_authenticate(team_physician)
    plan = _create(api, patient)
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    client.force_login(team_physician)
    client.get("/")
    assert AuditEvent.objects.filter(patient=patient, object_type="home").exists()
