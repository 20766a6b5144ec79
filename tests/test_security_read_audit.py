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


# Every other page and API list that shows patient data (issue 10, item 12): each response
# leaves a read naming the patient shown. (persona, method, URL; {p} is the patient id.)
LISTS = [
    ("team_physician", "get", "/"),
    ("team_physician", "post", "/patients/"),
    ("clinic_admin", "post", "/patients/"),
    ("team_physician", "get", "/patients/{p}/"),
    ("team_physician", "get", "/patients/{p}/care-team/"),
    ("clinic_admin", "get", "/patients/{p}/care-team/"),
    ("team_physician", "get", "/patients/{p}/consents/"),
    ("privacy_officer", "get", "/patients/{p}/consents/"),
    ("team_physician", "get", "/patients/{p}/disclosures/"),
    ("privacy_officer", "get", "/patients/{p}/disclosures/"),
    ("team_physician", "get", "/patients/{p}/labs/"),
    ("team_physician", "get", "/patients/{p}/assessments/"),
    ("team_physician", "get", "/patients/{p}/assessments/history/dsm5-oud/"),
    ("team_physician", "get", "/patients/{p}/plans/"),
    ("privacy_officer", "get", "/audit/"),
    ("privacy_officer", "get", "/audit/?patient={p}"),
    ("privacy_officer", "get", "/audit/break-glass/"),
    ("privacy_officer", "get", "/audit/break-glass/?all=1"),
    ("team_physician", "get", "/api/v1/patients/?q={q}"),
    ("team_physician", "post", "/api/v1/patients/search/"),
    ("clinic_admin", "post", "/api/v1/patients/search/"),
    ("team_physician", "get", "/api/v1/patients/{p}/care-team/"),
    ("clinic_admin", "get", "/api/v1/patients/{p}/care-team/"),
    ("team_physician", "get", "/api/v1/patients/{p}/episodes/"),
    ("team_physician", "get", "/api/v1/patients/{p}/interviews/"),
    ("team_physician", "get", "/api/v1/patients/{p}/assessments/"),
    ("team_physician", "get", "/api/v1/patients/{p}/diagnoses/"),
    ("team_physician", "get", "/api/v1/patients/{p}/treatment-plans/"),
    ("team_physician", "get", "/api/v1/patients/{p}/lab-orders/"),
    ("team_physician", "get", "/api/v1/patients/{p}/lab-results/"),
    ("team_physician", "get", "/api/v1/patients/{p}/lab-alerts/"),
    ("team_physician", "get", "/api/v1/patients/{p}/consents/"),
    ("privacy_officer", "get", "/api/v1/patients/{p}/consents/"),
    ("team_physician", "get", "/api/v1/patients/{p}/disclosures/"),
    ("privacy_officer", "get", "/api/v1/patients/{p}/disclosures/"),
    ("privacy_officer", "get", "/api/v1/audit-events/"),
    ("privacy_officer", "get", "/api/v1/audit-events/?patient={p}"),
]


@pytest.fixture
def charted_patient(patient, team_physician):
    """The patient with something in every list: an episode, an assessment, an interview, a
    plan, a resulted ECG with an alert, a consent, a disclosure and an emergency-access grant
    (which the audit report then shows too)."""
    from intake.models import Interview
    from tests.factories import AssessmentFactory, EpisodeFactory
    from tests.test_url_walk import _lab_values, _plan_values, _privacy_values

    episode = EpisodeFactory(patient=patient)
    AssessmentFactory(patient=patient)
    Interview.objects.create(
        patient=patient, author=team_physician, interviewed_on=episode.admitted_on
    )
    _lab_values(patient)
    _privacy_values(patient, team_physician)
    _plan_values(patient)
    return patient


@pytest.mark.parametrize(("persona", "method", "url"), LISTS)
def test_every_list_audits_the_patients_it_shows(
    request, client, api, charted_patient, persona, method, url
):
    user = request.getfixturevalue(persona)
    # Lists under the patient's own URL name them by the URL; the others in the body.
    named_in_body = "/patients/{p}/" not in url
    url = url.format(p=charted_patient.pk, q=charted_patient.family_name)
    reads = AuditEvent.objects.filter(patient=charted_patient, action="read", actor=user)
    before = reads.count()
    if url.startswith("/api/"):
        api.force_authenticate(user)
        body = {"q": charted_patient.family_name}
        response = api.post(url, body, format="json") if method == "post" else api.get(url)
        assert str(charted_patient.pk) in response.content.decode() or not named_in_body
    else:
        client.force_login(user)
        if method == "post":
            response = client.post(url, {"q": charted_patient.family_name})
        else:
            response = client.get(url)
        assert (
            charted_patient.mrn.encode() in response.content
            or str(charted_patient.pk).encode() in response.content
            or not named_in_body
        )
    assert response.status_code == 200, response.status_code
    assert reads.count() == before + 1
