"""Authentication safeguards, role by role: second factor where required, lockout across the
page and the API, idle session expiry for pages and the session-authenticated API, no caching
of the privacy pages."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from intake.models import Role
from tests.factories import PASSWORD, PURPOSE, RECIPIENT, UserFactory, make_consent

pytestmark = pytest.mark.django_db

MFA_REQUIRED = {Role.PHYSICIAN, Role.CLINIC_ADMIN}


@pytest.mark.parametrize("role", list(Role))
def test_a_password_alone_signs_in_only_roles_without_required_mfa(client, api, role):
    UserFactory(username="someone", role=role.value)
    page = client.post("/accounts/login/", {"username": "someone", "password": PASSWORD})
    token = api.post(
        "/api/v1/auth/token/", {"username": "someone", "password": PASSWORD}, format="json"
    )
    if role in MFA_REQUIRED:
        assert page.status_code == 200 and b"Set up your second factor" in page.content
        assert "_auth_user_id" not in client.session
        assert token.status_code == 403
    else:
        assert page.status_code == 302
        assert "_auth_user_id" in client.session
        assert token.status_code == 200


def test_failures_on_page_and_api_add_up_to_one_lockout(client, api, team_nurse, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        client.post("/accounts/login/", {"username": "team-nurse", "password": "wrong"})
    api.post("/api/v1/auth/token/", {"username": "team-nurse", "password": "no"}, format="json")
    api.post("/api/v1/auth/token/", {"username": "team-nurse", "password": "no"}, format="json")
    ok = api.post(
        "/api/v1/auth/token/", {"username": "team-nurse", "password": PASSWORD}, format="json"
    )
    assert ok.status_code == 403
    page = client.post("/accounts/login/", {"username": "team-nurse", "password": PASSWORD})
    assert page.status_code == 403
    assert "_auth_user_id" not in client.session


def test_an_idle_session_ends_for_pages_and_the_api(client, api, team_nurse, patient):
    client.force_login(team_nurse)
    assert client.get(f"/patients/{patient.pk}/consents/").status_code == 200
    assert client.get(f"/api/v1/patients/{patient.pk}/consents/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    page = client.get(f"/patients/{patient.pk}/consents/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert client.get(f"/api/v1/patients/{patient.pk}/consents/").status_code == 401


def test_privacy_pages_are_never_cached(client, team_nurse, patient):
    consent = make_consent(patient, team_nurse)
    client.force_login(team_nurse)
    made = client.post(
        f"/patients/{patient.pk}/disclosures/new/",
        {
            "consent": str(consent.pk),
            "recipient": RECIPIENT,
            "purpose": PURPOSE,
            "content": "patient-summary",
        },
    )
    for url in (made["Location"], f"/patients/{patient.pk}/disclosures/"):
        assert "no-store" in client.get(url)["Cache-Control"]
