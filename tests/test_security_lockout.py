"""Lockout that cannot be used against others (issue 10, item 4): failures lock the pair
(account, client address); an account is locked everywhere only after many failures across
addresses, until a clinic administrator unlocks it; an address is throttled only at a much
higher count; a successful API sign-in resets the count; the client address is the one the
trusted proxy reports, for the lockout and the audit log alike."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from intake.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def _page(username, password, address):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _api(username, password, address, **extra):
    return APIClient().post(
        TOKEN,
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **extra,
    )


def signs_in(username, address) -> bool:
    return _page(username, PASSWORD, address).status_code == 302


def test_failures_lock_the_account_only_from_that_address(team_counselor, team_nurse, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _page("team-counselor", "wrong", "198.51.100.7")
    locked = _page("team-counselor", PASSWORD, "198.51.100.7")
    assert locked.status_code == 403 and b"Too many failed sign-ins" in locked.content
    # The owner elsewhere, and a colleague behind the same address, are not locked out.
    assert signs_in("team-counselor", "203.0.113.20")
    assert signs_in("team-nurse", "198.51.100.7")


def test_guessing_other_peoples_passwords_does_not_lock_a_shared_address(team_nurse, settings):
    for name in ("a-user", "b-user", "c-user", "d-user", "e-user", "f-user"):
        _page(name, "wrong", "198.51.100.7")
    assert signs_in("team-nurse", "198.51.100.7")


def test_an_account_is_locked_everywhere_after_many_failures_and_an_admin_unlocks_it(
    team_counselor, clinic_admin, settings, client
):
    settings.LOCKOUT_ACCOUNT_FAILURES = 12
    for n in range(12):  # 3 per address: no pair reaches its own limit
        _page("team-counselor", "wrong", f"198.51.100.{n // 3 + 1}")
    refused = _page("team-counselor", PASSWORD, "203.0.113.99")
    assert refused.status_code == 403
    assert b"A clinic administrator can unlock it" in refused.content
    api_refused = _api("team-counselor", PASSWORD, "203.0.113.98")
    assert api_refused.status_code == 403
    assert "administrator can unlock" in api_refused.json()["detail"]

    client.force_login(clinic_admin)
    page = client.get("/staff/lockouts/").content.decode()
    assert "team-counselor" in page and "12" in page
    assert client.post(f"/staff/{team_counselor.pk}/unlock/").status_code == 302
    assert AuditEvent.objects.filter(
        actor=clinic_admin,
        object_type="staff-account",
        object_id=str(team_counselor.pk),
        detail__change="lockout-cleared",
    ).exists()
    assert "team-counselor" not in client.get("/staff/lockouts/").content.decode()
    assert signs_in("team-counselor", "203.0.113.99")


def test_only_clinic_administrators_see_and_unlock_locked_accounts(
    client, team_counselor, team_nurse, settings
):
    settings.LOCKOUT_ACCOUNT_FAILURES = 4
    for n in range(4):
        _page("team-counselor", "wrong", f"198.51.100.{n + 1}")
    client.force_login(team_nurse)
    assert client.get("/staff/lockouts/").status_code == 403
    assert client.post(f"/staff/{team_counselor.pk}/unlock/").status_code == 403
    assert not signs_in("team-counselor", "203.0.113.5")


def test_an_address_is_throttled_only_at_a_much_higher_count(team_nurse, settings):
    settings.LOCKOUT_ADDRESS_FAILURES = 12
    for n in range(12):
        _page(f"user-{n}", "wrong", "198.51.100.7")
    assert _page("team-nurse", PASSWORD, "198.51.100.7").status_code == 403
    assert signs_in("team-nurse", "203.0.113.20")


def test_a_successful_api_sign_in_resets_the_count(team_counselor, settings):
    address = "198.51.100.7"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _api("team-counselor", "wrong", address)
    assert _api("team-counselor", PASSWORD, address).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _api("team-counselor", "wrong", address)
    issued = _api("team-counselor", PASSWORD, address)
    assert issued.status_code == 200
    assert Token.objects.get(user=team_counselor).key == issued.json()["token"]


def test_the_client_address_is_the_one_the_trusted_proxy_reports(
    team_counselor, team_nurse, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    # What the client wrote itself (the left part of the header) is ignored.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            LOGIN,
            {"username": "team-counselor", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7",
        )
    behind_proxy = Client()
    ok = behind_proxy.post(
        LOGIN,
        {"username": "team-counselor", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.20",
    )
    assert ok.status_code == 302  # another client behind the same proxy
    event = AuditEvent.objects.filter(action="sign-in", outcome="allowed").latest("id")
    assert event.ip_address == "203.0.113.20"
    denied = AuditEvent.objects.filter(action="sign-in", outcome="denied").latest("id")
    assert denied.ip_address == "198.51.100.7"
    locked = Client().post(
        LOGIN,
        {"username": "team-counselor", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7",
    )
    assert locked.status_code == 403


def test_without_a_trusted_proxy_the_header_is_ignored(team_counselor, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    Client().post(
        LOGIN,
        {"username": "team-counselor", "password": "wrong"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.20",
    )
    event = AuditEvent.objects.filter(action="sign-in", outcome="denied").latest("id")
    assert event.ip_address == "198.51.100.7"


def test_a_malformed_forwarded_header_falls_back_to_the_peer(team_counselor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    Client().post(
        LOGIN,
        {"username": "team-counselor", "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="not-an-address\x00",
    )
    event = AuditEvent.objects.filter(action="sign-in", outcome="denied").latest("id")
    assert event.ip_address == "10.0.0.2"


def test_an_unknown_account_gets_the_same_answer_as_a_known_one(settings):
    UserFactory(username="known-user", role="nurse")
    for name in ("known-user", "no-such-user"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _page(name, "wrong", "198.51.100.7")
    known = _page("known-user", PASSWORD, "198.51.100.7")
    unknown = _page("no-such-user", PASSWORD, "198.51.100.7")
    assert known.status_code == unknown.status_code == 403
    assert known.content == unknown.content
