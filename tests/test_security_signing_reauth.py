"""Signing re-authentication counts toward the sign-in lockout (issue 10, item 3): wrong
passwords or codes at plan approval are audited as denied signatures, and after the limit the
account cannot sign even with the right password."""

import pytest

from intake.models import AuditEvent, TreatmentPlan
from tests.factories import PASSWORD
from tests.test_treatment_plan_workflow import _create

pytestmark = pytest.mark.django_db


def _submitted_plan(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    plan = _create(api, patient)
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    return f"/api/v1/treatment-plans/{plan['id']}/approve/", plan["id"]


def test_wrong_signing_passwords_lock_the_account(api, patient, team_counselor, settings):
    url, plan_id = _submitted_plan(api, patient, team_counselor)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = api.post(url, {"password": "not-my-password"}, format="json")
        assert wrong.status_code == 400 and "password" in wrong.json()
    # The failure that reaches the limit is answered with the lockout itself.
    last = api.post(url, {"password": "not-my-password"}, format="json")
    assert last.status_code == 403
    denied = AuditEvent.objects.filter(action="sign", outcome="denied", object_id=plan_id)
    assert denied.count() == settings.AXES_FAILURE_LIMIT
    # The next attempt, with the right password, is refused: the account is locked.
    locked = api.post(url, {"password": PASSWORD}, format="json")
    assert locked.status_code == 403
    assert "locked" in str(locked.json()).lower()
    assert TreatmentPlan.objects.get(pk=plan_id).status == "submitted"
    # ...and so is signing in with the password on the sign-in page.
    api.logout()
    page = api.post("/accounts/login/", {"username": team_counselor.username, "password": PASSWORD})
    assert page.status_code == 403


def test_a_right_password_below_the_limit_still_signs(api, patient, team_counselor, settings):
    url, plan_id = _submitted_plan(api, patient, team_counselor)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api.post(url, {"password": "not-my-password"}, format="json")
    ok = api.post(url, {"password": PASSWORD}, format="json")
    assert ok.status_code == 200, ok.json()
    assert TreatmentPlan.objects.get(pk=plan_id).status == "active"
