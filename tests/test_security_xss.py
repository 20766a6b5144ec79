"""Stored XSS: script in every free-text field of a patient (and of the privacy records) is
shown as text on the chart, the search results and the privacy pages, never run."""

import pytest
from django.utils.html import escape

from intake.models import TeamRole
from tests.factories import CareTeamMemberFactory, PatientFactory, make_consent

pytestmark = pytest.mark.django_db

PAYLOADS = ["<script>alert(1)</script>", '"><svg onload=alert(1)>']
FREE_TEXT = [
    "given_name",
    "family_name",
    "preferred_name",
    "gender_identity",
    "pronouns",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "preferred_language",
    "referral_source",
    "reason_for_visit",
]


def _assert_inert(content: bytes, payload: str, where: str):
    html = content.decode()
    assert payload not in html, where
    assert escape(payload) in html, where


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", FREE_TEXT)
def test_a_patient_field_is_escaped_on_chart_and_search(client, team_physician, field, payload):
    patient = PatientFactory(**{field: payload})
    CareTeamMemberFactory(patient=patient, user=team_physician, team_role=TeamRole.PHYSICIAN)
    client.force_login(team_physician)
    _assert_inert(client.get(f"/patients/{patient.pk}/").content, payload, "chart")
    if field in ("given_name", "family_name", "preferred_name"):
        results = client.post("/patients/", {"q": patient.mrn})
        _assert_inert(results.content, payload, "search")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_privacy_records_are_escaped(
    client, api, team_physician, offteam_nurse, privacy_officer, payload
):
    patient = PatientFactory(given_name=payload)
    CareTeamMemberFactory(patient=patient, user=team_physician, team_role=TeamRole.PHYSICIAN)
    consent = make_consent(
        patient,
        team_physician,
        recipient=payload,
        purpose=payload,
        signed_by=payload,
        information=f"Substance use disorder records {payload}",
        content_kinds=["patient-summary"],
    )
    client.force_login(team_physician)
    _assert_inert(client.get(f"/patients/{patient.pk}/consents/").content, payload, "consents")
    made = client.post(
        f"/patients/{patient.pk}/disclosures/new/",
        {
            "consent": str(consent.pk),
            "recipient": payload,
            "purpose": payload,
            "content": "patient-summary",
        },
    )
    assert made.status_code == 302
    _assert_inert(client.get(made["Location"]).content, payload, "printable disclosure")
    _assert_inert(client.get(f"/patients/{patient.pk}/disclosures/").content, payload, "accounting")
    api.force_authenticate(offteam_nurse)
    api.post(f"/api/v1/patients/{patient.pk}/break-glass/", {"reason": f"Overdose {payload}"})
    client.force_login(privacy_officer)
    _assert_inert(client.get("/audit/break-glass/").content, payload, "review list")


def test_the_api_answers_json_that_browsers_will_not_sniff(api, patient, team_physician):
    api.force_authenticate(team_physician)
    response = api.get(f"/api/v1/patients/{patient.pk}/consents/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
