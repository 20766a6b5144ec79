"""Second factor (TOTP, django-otp): optional for every role, required for physicians and clinic
administrators; codes on the sign-in page and the token endpoint; recovery codes; lockout."""

import base64
import re
import time

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from intake.models import AuditEvent
from intake.services.mfa import mfa_recovery_codes_new, mfa_verify, totp_device_from_secret
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code(device_or_secret, steps_ahead: int = 0) -> str:
    if isinstance(device_or_secret, str):
        padded = device_or_secret + "=" * (-len(device_or_secret) % 8)
        key = base64.b32decode(padded)
    else:
        key = device_or_secret.bin_key
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _login(client, username, **extra):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD, **extra})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("role", ["physician", "clinic-admin"])
def test_required_roles_enrol_before_they_are_signed_in(client, role, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code below would delay the next one 1 s
    user = UserFactory(username="dr-new", role=role)
    page = _login(client, "dr-new")
    assert page.status_code == 200
    assert not _signed_in(client)
    html = page.content.decode()
    assert 'data-testid="totp-qr"' in html and "<svg" in html
    assert "<img" not in html  # inline SVG, nothing fetched
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html).group(1)
    wrong = client.post("/accounts/login/", {"step": "enrol", "otp_token": "000000"})
    assert b"does not match" in wrong.content
    assert not _signed_in(client)
    done = client.post("/accounts/login/", {"step": "enrol", "otp_token": code(secret)})
    assert done.status_code == 302
    assert done["Location"] == "/account/second-factor/"
    assert _signed_in(client)
    assert TOTPDevice.objects.get(user=user).confirmed
    codes_page = client.get(done["Location"])
    assert b'data-testid="recovery-codes"' in codes_page.content
    # Shown once.
    assert b'data-testid="recovery-codes"' not in client.get(done["Location"]).content


def test_other_roles_sign_in_with_a_password_alone(client, team_counselor):
    response = _login(client, "team-counselor")
    assert response.status_code == 302
    assert _signed_in(client)


def test_an_enrolled_account_needs_its_code(client, team_counselor):
    device = totp_device_from_secret(user=team_counselor, secret_base32=SECRET)
    page = _login(client, "team-counselor")
    assert page.status_code == 200
    assert b"Second step" in page.content
    assert not _signed_in(client)
    done = client.post("/accounts/login/", {"step": "otp", "otp_token": code(device)})
    assert done.status_code == 302
    assert _signed_in(client)
    assert AuditEvent.objects.filter(actor=team_counselor, action="sign-in").exists()


def test_the_code_step_cannot_be_reached_without_the_password(client, team_counselor):
    device = totp_device_from_secret(user=team_counselor, secret_base32=SECRET)
    response = client.post("/accounts/login/", {"step": "otp", "otp_token": code(device)})
    assert response.status_code == 200
    assert not _signed_in(client)


def test_wrong_codes_count_toward_lockout(client, team_counselor, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = totp_device_from_secret(user=team_counselor, secret_base32=SECRET)
    _login(client, "team-counselor")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post("/accounts/login/", {"step": "otp", "otp_token": "123456"})
        assert b"not right" in wrong.content
    locked = client.post("/accounts/login/", {"step": "otp", "otp_token": "123456"})
    assert locked.status_code == 403
    assert b"Too many failed sign-ins" in locked.content
    again = _login(client, "team-counselor")
    assert again.status_code == 403
    assert not _signed_in(client)
    assert client.post(
        "/accounts/login/", {"step": "otp", "otp_token": code(device)}
    ).status_code in (200, 403)
    assert not _signed_in(client)


def _token(api, username, **extra):
    return api.post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra}, format="json"
    )


def test_the_token_endpoint_needs_the_code_of_an_enrolled_account(api, team_counselor, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = totp_device_from_secret(user=team_counselor, secret_base32=SECRET)
    assert _token(api, "team-counselor").status_code == 401
    assert _token(api, "team-counselor", otp="000000").status_code == 401
    assert not Token.objects.filter(user=team_counselor).exists()
    current = code(device, 1)
    ok = _token(api, "team-counselor", otp=current)
    assert ok.status_code == 200 and ok.json()["token"]
    assert _token(api, "team-counselor", otp=current).status_code == 401  # no replay
    assert Token.objects.get(user=team_counselor).key == ok.json()["token"]


def test_missing_codes_count_toward_lockout_on_the_api(api, team_counselor, settings):
    device = totp_device_from_secret(user=team_counselor, secret_base32=SECRET)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _token(api, "team-counselor").status_code == 401
    assert _token(api, "team-counselor").status_code == 403
    assert _token(api, "team-counselor", otp=code(device)).status_code == 403
    assert not Token.objects.filter(user=team_counselor).exists()


@pytest.mark.parametrize("role", ["physician", "clinic-admin"])
def test_required_roles_get_no_token_before_enrolling(api, role):
    UserFactory(username="needs-mfa", role=role)
    response = _token(api, "needs-mfa")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    assert AuditEvent.objects.filter(
        action="sign-in", outcome="denied", detail__reason="mfa-enrolment-required"
    ).exists()


def test_a_recovery_code_works_once(api, team_physician, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    totp_device_from_secret(user=team_physician, secret_base32=SECRET)
    codes = mfa_recovery_codes_new(user=team_physician)
    assert _token(api, "team-physician", otp=codes[0]).status_code == 200
    first = Token.objects.get(user=team_physician).key
    assert _token(api, "team-physician", otp=codes[0]).status_code == 401
    assert Token.objects.get(user=team_physician).key == first  # the refusal changed nothing
    second = _token(api, "team-physician", otp=codes[1].upper())
    assert second.status_code == 200
    assert Token.objects.get(user=team_physician).key == second.json()["token"]


def test_create_staff_enrols_a_totp_secret(api):
    call_command(
        "create_staff",
        "dr-okafor",
        "--role",
        "physician",
        "--password",
        PASSWORD,
        "--totp-secret",
        SECRET,
    )
    assert _token(api, "dr-okafor").status_code == 401
    assert _token(api, "dr-okafor", otp=code(SECRET)).status_code == 200
    with pytest.raises(CommandError, match="base32"):
        call_command(
            "create_staff", "dr-two", "--role", "physician", "--totp-secret", "not base32!"
        )


def test_mfa_verify_is_the_re_check_for_signing(team_physician, team_nurse, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    device = totp_device_from_secret(user=team_physician, secret_base32=SECRET)
    assert not mfa_verify(team_physician, "")
    assert not mfa_verify(team_physician, "999999x")
    current = code(device)
    assert mfa_verify(team_physician, current)
    assert not mfa_verify(team_physician, current)  # each code once
    assert mfa_verify(team_physician, code(device, 1))
    assert not mfa_verify(team_nurse, code(device, 1))  # nobody else's device


def test_repeated_wrong_codes_are_throttled(team_physician, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = totp_device_from_secret(user=team_physician, secret_base32=SECRET)
    assert not mfa_verify(team_physician, "000000")
    assert not mfa_verify(team_physician, code(device))  # even the right one, for a while


def test_anyone_may_turn_it_on_and_renew_recovery_codes(client, team_nurse, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client.force_login(team_nurse)
    page = client.get("/account/second-factor/")
    assert page.status_code == 200
    secret = re.search(rb'data-testid="totp-secret">([A-Z2-7]+)<', page.content).group(1).decode()
    done = client.post("/account/second-factor/", {"action": "enrol", "otp_token": code(secret)})
    assert b'data-testid="recovery-codes"' in done.content
    refused = client.post("/account/second-factor/", {"action": "recovery", "otp_token": "1"})
    assert b"not right" in refused.content
    renewed = client.post(
        "/account/second-factor/", {"action": "recovery", "otp_token": code(secret, 1)}
    )
    assert b'data-testid="recovery-codes"' in renewed.content


def test_an_administrator_resets_a_lost_device(client, api, team_physician, clinic_admin):
    totp_device_from_secret(user=team_physician, secret_base32=SECRET)
    client.force_login(clinic_admin)
    assert client.post(f"/staff/{team_physician.pk}/mfa-reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=team_physician).exists()
    assert AuditEvent.objects.filter(
        object_type="staff-account", object_id=str(team_physician.pk), detail__change="mfa-reset"
    ).exists()
    client.logout()
    assert b"Set up your second factor" in _login(client, "team-physician").content
