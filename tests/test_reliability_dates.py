"""Dates are plausible (issue 11): what happened is not before the patient's birth or 1900 and
not in the future; a plan's review date is from today to two years ahead. Each refusal is a
400 stating the window; nothing is stored."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import Assessment, Consent, Episode, LabResult, TreatmentPlan
from tests.factories import consent_payload
from tests.lab_support import uds_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def counselor_api(team_counselor):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(team_counselor)
    return client


def _before_birth(patient) -> str:
    return (patient.birth_date - datetime.timedelta(days=1)).isoformat()


def test_an_assessment_before_the_patient_was_born_is_refused(counselor_api, patient):
    response = counselor_api.post(
        f"/api/v1/patients/{patient.pk}/assessments/",
        {
            "instrument": "phq9",
            "answers": {str(n): 0 for n in range(1, 10)},
            "administered_at": f"{_before_birth(patient)}T12:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "date of birth" in response.json()["administered_at"][0]
    assert not Assessment.objects.exists()


def test_a_specimen_collected_in_1899_is_refused(patient, team_nurse):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(team_nurse)
    order = api.post(f"/api/v1/patients/{patient.pk}/lab-orders/", {"panel": "uds"}, format="json")
    response = api.post(
        f"/api/v1/lab-orders/{order.json()['id']}/results/",
        {"collected_at": "1899-06-01T08:00:00Z", "observed": True, "results": uds_entries()},
        format="json",
    )
    assert response.status_code == 400
    assert "cannot be before" in response.json()["collected_at"][0]
    assert not LabResult.objects.exists()


def test_an_admission_in_year_one_is_refused(counselor_api, patient):
    response = counselor_api.post(
        f"/api/v1/patients/{patient.pk}/episodes/",
        {"program": "outpatient", "admitted_on": "0001-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "admitted_on" in response.json()
    assert not Episode.objects.exists()


def test_a_consent_signed_in_1850_is_refused(counselor_api, patient):
    response = counselor_api.post(
        f"/api/v1/patients/{patient.pk}/consents/",
        consent_payload(signed_on="1850-01-01"),
        format="json",
    )
    assert response.status_code == 400
    assert "1900" in response.json()["signed_on"][0]
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    "days, ok", [(-1, False), (0, True), (365 * 2, True), (365 * 2 + 2, False)]
)
def test_a_plan_review_date_is_from_today_to_two_years_ahead(counselor_api, patient, days, ok):
    review = (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
    response = counselor_api.post(
        f"/api/v1/patients/{patient.pk}/treatment-plans/",
        {"setting": "outpatient", "review_date": review, "behavioral": []},
        format="json",
    )
    assert (response.status_code == 201) is ok, response.content[:200]
    if not ok:
        assert "from today" in response.json()["review_date"][0]
    assert TreatmentPlan.objects.exists() is ok
