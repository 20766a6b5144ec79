"""Signing in: pages and tokens, lockout, idle timeout, token expiry, no caching."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.authtoken.models import Token

from intake.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_signs_in_and_shows_name_and_role(client, team_counselor):
    response = client.post(
        "/accounts/login/", {"username": "team-counselor", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert b"Counselor" in response.content
    assert AuditEvent.objects.filter(
        actor=team_counselor, action="sign-in", outcome="allowed"
    ).exists()


def test_it_records_a_failed_sign_in(client, team_counselor):
    client.post("/accounts/login/", {"username": "team-counselor", "password": "nope"})
    event = AuditEvent.objects.get(action="sign-in", outcome="denied")
    assert event.actor_username == "team-counselor"


def test_it_locks_an_account_after_repeated_failures(client, team_counselor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "team-counselor", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "team-counselor", "password": PASSWORD})
    assert response.status_code == 403
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_it_issues_a_token_and_refuses_bad_credentials(api, team_counselor):
    bad = api.post(
        "/api/v1/auth/token/", {"username": "team-counselor", "password": "x"}, format="json"
    )
    assert bad.status_code in (400, 401)
    assert not Token.objects.filter(user=team_counselor).exists()
    ok = api.post(
        "/api/v1/auth/token/", {"username": "team-counselor", "password": PASSWORD}, format="json"
    )
    assert ok.status_code == 200
    token = ok.json()["token"]
    assert Token.objects.get(user=team_counselor).key == token
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/patients/").status_code == 200


def test_it_locks_token_sign_in_too(api, team_counselor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(
            "/api/v1/auth/token/",
            {"username": "team-counselor", "password": "wrong"},
            format="json",
        )
    locked = api.post(
        "/api/v1/auth/token/", {"username": "team-counselor", "password": PASSWORD}, format="json"
    )
    assert locked.status_code == 403
    assert "token" not in locked.json()


def test_it_expires_tokens(api, team_counselor, settings):
    token = Token.objects.create(user=team_counselor)
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS, minutes=1)
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/patients/").status_code == 401


def test_it_ends_idle_sessions(client, team_counselor, settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    client.force_login(team_counselor)
    assert client.get("/").status_code == 200
    # Activity slides the expiry forward.
    session = Session.objects.get()
    session.expire_date = timezone.now() + datetime.timedelta(minutes=1)
    session.save()
    settings.SESSION_RENEW_SECONDS = 0
    assert client.get("/").status_code == 200
    assert Session.objects.get().expire_date > timezone.now() + datetime.timedelta(minutes=14)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_forbids_caching_of_pages(client, team_counselor):
    client.force_login(team_counselor)
    assert "no-store" in client.get("/")["Cache-Control"]


def test_it_signs_out_with_post(client, team_counselor):
    client.force_login(team_counselor)
    signed_in = client.session.session_key
    assert Session.objects.filter(session_key=signed_in).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=signed_in).exists()
    assert client.get("/").status_code == 302
