"""A refusal speaks of the clinic's policy, not of a setting; a button is offered only to
someone who may press it (decided once, by intake/access.py, in the view); and a refused action
never loses what was typed: the form comes back with its values and the reason."""

import pytest

from intake.models import Diagnosis, TreatmentPlan
from tests.factories import AssessmentFactory
from tests.test_treatment_plan_workflow import BUP, NALOXONE, _create

pytestmark = pytest.mark.django_db

SETTING_NAMES = ("COUNSELOR_MAY_DIAGNOSE", "may-diagnose", "setting")


def _diagnosis_url(patient, assessment):
    return f"/patients/{patient.pk}/assessments/{assessment.pk}/diagnosis/"


def test_a_counselor_refused_a_diagnosis_reads_the_clinic_policy(
    client, api, patient, team_counselor, settings
):
    settings.COUNSELOR_MAY_DIAGNOSE = False
    assessment = AssessmentFactory(patient=patient)
    client.force_login(team_counselor)
    api.force_authenticate(team_counselor)
    for may_diagnose, words in ((False, "not recorded as licensed"), (True, "policy does not")):
        team_counselor.staff_profile.may_diagnose = may_diagnose
        team_counselor.staff_profile.save()
        page = client.get(_diagnosis_url(patient, assessment))
        assert page.status_code == 403
        text = page.content.decode().replace("&#x27;", "'")
        assert words in text and "clinic's policy" in text
        detail = api.post(
            f"/api/v1/patients/{patient.pk}/diagnoses/",
            {"assessment": str(assessment.pk)},
            format="json",
        ).json()["detail"]
        assert "clinic's policy" in detail
        for name in SETTING_NAMES:
            assert name not in text and name not in detail


def test_a_refused_diagnosis_comes_back_with_what_was_chosen(client, patient, team_counselor):
    assessment = AssessmentFactory(patient=patient)
    client.force_login(team_counselor)
    response = client.post(
        _diagnosis_url(patient, assessment),
        {"remission": "early", "on_maintenance_therapy": "on"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert '<option value="early" selected>' in html
    assert 'name="on_maintenance_therapy"' in html
    assert response.context["form"]["on_maintenance_therapy"].value() is True
    assert "licensed to diagnose" in html
    assert ">Record diagnosis</button>" not in html
    assert Diagnosis.objects.count() == 0


@pytest.fixture
def medication_plan(api, patient, team_physician):
    """A submitted plan with medication: a physician's to approve."""
    api.force_authenticate(team_physician)
    plan = _create(api, patient, medications=[BUP, NALOXONE])
    submitted = api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    return TreatmentPlan.objects.get(pk=plan["id"])


def test_approve_and_sign_is_offered_only_to_whoever_may_sign(
    client, patient, medication_plan, team_counselor, team_physician
):
    detail = f"/patients/{patient.pk}/plans/{medication_plan.pk}/"
    review = f"{detail}review/"
    client.force_login(team_counselor)
    assert "Review and sign" not in client.get(detail).content.decode()
    page = client.get(review)
    assert page.status_code == 200
    html = page.content.decode()
    assert ">Approve and sign</button>" not in html
    assert ">Request changes</button>" not in html
    assert "approved by a physician" in html
    client.force_login(team_physician)
    assert "Review and sign" in client.get(detail).content.decode()
    html = client.get(review).content.decode()
    assert ">Approve and sign</button>" in html and ">Request changes</button>" in html


def test_a_refused_approval_keeps_the_reasons_typed(
    client, patient, medication_plan, team_counselor, monkeypatch
):
    warning = {"code": "no-naloxone", "message": "No naloxone."}
    monkeypatch.setattr(
        "intake.services.treatment_plan.treatment_plan_check", lambda plan, now=None: [warning]
    )
    monkeypatch.setattr(
        "intake.views.treatment_plan.treatment_plan_check", lambda plan, now=None: [warning]
    )
    client.force_login(team_counselor)
    response = client.post(
        f"/patients/{patient.pk}/plans/{medication_plan.pk}/review/",
        {"password": "whatever-was-typed", "ack_no-naloxone": "Kit given at the front desk"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert 'value="Kit given at the front desk"' in html
    assert "approved by a physician" in html
    medication_plan.refresh_from_db()
    assert medication_plan.status == "submitted" and medication_plan.signed_at is None


def test_a_refused_request_for_changes_keeps_the_comment(
    client, patient, medication_plan, team_counselor
):
    client.force_login(team_counselor)
    response = client.post(
        f"/patients/{patient.pk}/plans/{medication_plan.pk}/request-changes/",
        {"comment": "Lower the starting dose, please"},
    )
    assert response.status_code == 403
    assert "Lower the starting dose, please" in response.content.decode()
    medication_plan.refresh_from_db()
    assert medication_plan.status == "submitted" and medication_plan.review_comment == ""
