"""The second-factor bypass: after a correct password, posting `step=enrol` must not replace an
enrolled account's authenticator nor finish the sign-in (issue 10, item 1)."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import AuditEvent
from intake.services.mfa import mfa_enrol_confirm, totp_device_from_secret
from tests.factories import PASSWORD, UserFactory
from tests.test_mfa import SECRET, code

pytestmark = pytest.mark.django_db


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("role", ["physician", "counselor"])
def test_enrol_step_cannot_replace_a_confirmed_authenticator(client, role, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(username="enrolled", role=role)
    real = totp_device_from_secret(user=user, secret_base32=SECRET)
    page = client.post("/accounts/login/", {"username": "enrolled", "password": PASSWORD})
    assert b"Second step" in page.content
    # The attacker asks for an enrolment page instead of giving the code...
    attack = client.post("/accounts/login/", {"step": "enrol", "otp_token": "000000"})
    assert attack.status_code == 200
    assert not _signed_in(client)
    assert 'data-testid="totp-secret"' not in attack.content.decode()
    assert b"already has an authenticator" in attack.content
    # ...and could not confirm a device of their own with any code.
    assert list(TOTPDevice.objects.filter(user=user)) == [real]
    assert TOTPDevice.objects.get(pk=real.pk).confirmed
    assert AuditEvent.objects.filter(
        action="sign-in", outcome="denied", actor_username="enrolled"
    ).exists()
    # The real device still signs in.
    done = client.post("/accounts/login/", {"step": "otp", "otp_token": code(real)})
    assert done.status_code == 302 and _signed_in(client)


def test_the_service_never_confirms_a_second_device(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(username="enrolled2", role="physician")
    real = totp_device_from_secret(user=user, secret_base32=SECRET)
    rogue = TOTPDevice.objects.create(user=user, name="rogue", confirmed=False)
    assert mfa_enrol_confirm(user=user, device=rogue, code=code(rogue)) is None
    rogue.refresh_from_db()
    assert not rogue.confirmed
    assert TOTPDevice.objects.filter(user=user, confirmed=True).get() == real


def test_a_new_account_still_enrols_at_sign_in(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    UserFactory(username="fresh", role="physician")
    page = client.post("/accounts/login/", {"username": "fresh", "password": PASSWORD})
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    done = client.post("/accounts/login/", {"step": "enrol", "otp_token": code(secret)})
    assert done.status_code == 302 and _signed_in(client)
    assert TOTPDevice.objects.get(user__username="fresh").confirmed
