"""Bad input is a 400 naming the field or rule, and stores nothing (issue 11): NUL bytes in
query strings, forms and JSON keys or values; JSON nested too deep; lists too long; wrong JSON
types; text over its maximum."""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from intake.models import Assessment, Interview, TreatmentPlan
from tests.factories import IN_60_DAYS

# Dates relative to today, so the review-date window (today to two years ahead) holds
# whenever the suite runs.

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_counselor(team_counselor):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(team_counselor)
    return client


def _interviews(patient):
    return f"/api/v1/patients/{patient.pk}/interviews/"


def _raw(api, url, text):
    return api.generic("POST", url, text, content_type="application/json")


@pytest.mark.parametrize(
    "body, says",
    [
        ({"impressions": "a\x00b"}, "impressions"),
        ({"impr\x00essions": "x"}, "NUL"),
        ({"impressions": 123}, "impressions"),
        ({"impressions": ["a"]}, "impressions"),
        ({"impressions": {"a": 1}}, "impressions"),
        ({"impressions": True}, "impressions"),
        ({"impressions": "x" * 10_001}, "impressions"),
    ],
)
def test_a_bad_interview_draft_is_refused_and_nothing_stored(api_counselor, patient, body, says):
    response = api_counselor.post(_interviews(patient), body, format="json")
    assert response.status_code == 400, response.content[:200]
    assert says in response.content.decode()
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    "text, says",
    [
        ("[" * 100_000 + "]" * 100_000, "nested"),
        ('{"a":' * 50 + "1" + "}" * 50, "nested"),
        ('{"impressions": NaN}', "NaN"),
        ('{"impressions": "x"', "JSON parse error"),
        ("\xff\xfe", "JSON parse error"),
    ],
)
def test_malformed_json_is_a_400(api_counselor, patient, text, says):
    response = _raw(api_counselor, _interviews(patient), text)
    assert response.status_code == 400
    assert says in response.json()["detail"]
    assert not Interview.objects.exists()


def test_a_list_past_its_limit_is_refused(api_counselor, patient):
    behavioral = [
        {"modality": "cbt", "setting": "outpatient", "frequency": "weekly", "targets": ["triggers"]}
    ] * 501
    response = api_counselor.post(
        f"/api/v1/patients/{patient.pk}/treatment-plans/",
        {"setting": "outpatient", "review_date": IN_60_DAYS, "behavioral": behavioral},
        format="json",
    )
    assert response.status_code == 400
    assert "behavioral: at most 500 items" in response.json()["detail"]
    assert not TreatmentPlan.objects.exists()


def test_an_assessment_with_wrong_types_is_refused(api_counselor, patient):
    url = f"/api/v1/patients/{patient.pk}/assessments/"
    for body in ([1, 2], {"instrument": 9, "answers": {}}, {"instrument": "phq9", "answers": "x"}):
        response = api_counselor.post(url, body, format="json")
        assert response.status_code == 400, (body, response.content[:200])
    assert not Assessment.objects.exists()


def test_a_nul_in_the_query_string_is_a_400_not_a_500(api_counselor, client, team_counselor):
    response = api_counselor.get("/api/v1/patients/?q=a%00b")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    client.force_login(team_counselor)
    assert client.get("/patients/?q=a%00b").status_code == 400


def test_a_nul_in_a_form_is_a_400(client, team_counselor):
    client.force_login(team_counselor)
    response = client.post(
        "/patients/new/",
        {"given_name": "Ro\x00sa", "family_name": "Ortiz", "birth_date": "1984-03-02"},
    )
    assert response.status_code == 400
    from intake.models import Patient

    assert not Patient.objects.exists()


def test_an_otp_sent_as_a_number_is_still_accepted(api, team_counselor):
    """Text is strict, but a code of digits may come as a JSON number (docs/api.md#conventions)."""
    response = api.post(
        "/api/v1/auth/token/",
        json.dumps({"username": "team-counselor", "password": "wrong", "otp": 123456}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Token.objects.filter(user=team_counselor).exists()


def test_a_huge_username_at_sign_in_is_a_wrong_sign_in_not_a_500(client):
    response = client.post("/accounts/login/", {"username": "x" * 10_000, "password": "x"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def test_a_json_body_over_the_upload_limit_is_a_400_naming_the_limit(
    api_counselor, patient, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = '{"impressions": "' + "x" * 200_000 + '"}'
    response = _raw(api_counselor, _interviews(patient), body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "larger than the limit of 0.1 MB" in response.json()["detail"]
    assert not Interview.objects.exists()


def test_a_form_over_the_upload_limit_is_a_400_page_naming_the_limit(
    client, team_counselor, settings
):
    from intake.models import Patient

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client.force_login(team_counselor)
    response = client.post(
        "/patients/new/",
        {"given_name": "x" * 200_000, "family_name": "Ortiz", "birth_date": "1984-03-02"},
    )
    assert response.status_code == 400
    assert b"larger than the limit of 0.1 MB" in response.content
    assert not Patient.objects.filter(family_name="Ortiz").exists()


def test_a_multipart_api_body_with_too_many_fields_is_json(api_counselor, patient, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api_counselor.post(
        f"/api/v1/patients/{patient.pk}/consents/",
        {f"field{n}": "x" for n in range(20)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "more fields than the limit" in response.json()["detail"]


@pytest.mark.parametrize(
    "text",
    [
        '{"impressions": "\\ud800"}',
        '{"\\udfff": "x"}',
        '{"substances": [{"substance": "\\ud83d"}]}',
    ],
)
def test_an_unpaired_surrogate_is_a_400_not_a_500(api_counselor, patient, text):
    response = _raw(api_counselor, _interviews(patient), text)
    assert response.status_code == 400
    assert "unpaired surrogate" in response.json()["detail"]
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    "text, says",
    [
        ('{"key": "interview:new", "fields": {"a": "\\ud800"}}', "unpaired surrogate"),
        ('{"key": "interview:new", "fields": ' + "[" * 5000 + "]" * 5000 + "}", "nested"),
    ],
)
def test_a_form_draft_with_a_surrogate_or_deep_nesting_is_a_400(
    client, team_counselor, patient, text, says
):
    from intake.models import FormDraft

    client.force_login(team_counselor)
    response = client.generic(
        "POST", f"/patients/{patient.pk}/drafts/", text, content_type="application/json"
    )
    assert response.status_code == 400
    assert says in json.dumps(response.json())
    assert not FormDraft.objects.exists()
