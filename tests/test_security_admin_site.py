"""The operator site /admin/ (issue item 1): superusers only, and only after the second factor
at the project's sign-in; no TOTP key, recovery code or API token ever shown there; reads of
clinical records there audited like any other read."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from intake.models import AuditEvent
from intake.services.mfa import totp_device_from_secret
from tests.factories import PASSWORD, TreatmentPlanFactory, UserFactory
from tests.test_mfa import SECRET, code

pytestmark = pytest.mark.django_db


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _superuser(username="root"):
    return UserFactory(username=username, is_superuser=True, is_staff=True)


def test_it_sends_a_visitor_to_the_projects_sign_in_not_an_admin_password_form(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/admin/")
    assert response.status_code == 200
    login = client.get("/admin/login/?next=/admin/")
    assert login.status_code == 302
    assert login["Location"].startswith("/accounts/login/")


def test_a_password_alone_does_not_open_the_admin(client):
    user = _superuser()
    client.force_login(user)  # a password-only session: no second factor proved
    assert _signed_in(client)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert b"Site administration" not in response.content


def test_a_superuser_without_an_authenticator_must_enrol_at_sign_in(client):
    _superuser()
    page = client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert page.status_code == 200
    assert 'data-testid="totp-secret"' in page.content.decode()
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_the_admin_opens_after_password_and_code(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = _superuser()
    device = totp_device_from_secret(user=user, secret_base32=SECRET)
    page = client.post(
        "/accounts/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert b"Second step" in page.content
    done = client.post("/accounts/login/", {"step": "otp", "otp_token": code(device)})
    assert done.status_code == 302
    assert done["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert b"Site administration" in index.content


def test_a_recovery_code_verifies_the_session_too(client):
    user = _superuser()
    totp_device_from_secret(user=user, secret_base32=SECRET)
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd1234")
    client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    client.post("/accounts/login/", {"step": "otp", "otp_token": "abcd1234"})
    assert client.get("/admin/").status_code == 200


def test_clinic_roles_stay_out_even_with_a_verified_device(client, clinic_admin):
    from django_otp import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.create(user=clinic_admin, name="authenticator", confirmed=True)
    client.force_login(clinic_admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/admin/", follow=True).status_code == 403


def test_a_reset_device_ends_the_admin_session(operator_client, operator):
    assert operator_client.get("/admin/").status_code == 200
    TOTPDevice.objects.filter(user=operator).delete()
    assert operator_client.get("/admin/", follow=True).status_code == 403


def _secrets(user):
    totp = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=static, token="rc0ffee9")
    token = Token.objects.create(user=user)
    return totp, static, token


def _assert_no_secret(html: str, totp, token):
    assert totp.key not in html
    assert totp.key.upper() not in html
    from intake.services.mfa import totp_secret_base32

    assert totp_secret_base32(totp) not in html
    assert "rc0ffee9" not in html
    assert token.key not in html


def test_devices_and_tokens_list_owners_not_secrets(operator_client, team_physician):
    totp, static, token = _secrets(team_physician)
    pages = [
        "/admin/",
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{totp.pk}/change/",
        "/admin/otp_static/staticdevice/",
        f"/admin/otp_static/staticdevice/{static.pk}/change/",
        "/admin/authtoken/tokenproxy/",
    ]
    for url in pages:
        response = operator_client.get(url)
        assert response.status_code == 200, url
        _assert_no_secret(response.content.decode(), totp, token)
    listing = operator_client.get("/admin/authtoken/tokenproxy/").content.decode()
    assert "team-physician" in listing
    assert (
        operator_client.get("/admin/otp_totp/totpdevice/").content.decode().count("team-physician")
    )


def test_no_page_opens_a_token_or_device_by_its_secret(operator_client, team_physician):
    totp, static, token = _secrets(team_physician)
    refused = [
        f"/admin/authtoken/tokenproxy/{team_physician.pk}/change/",
        f"/admin/authtoken/tokenproxy/{token.key}/change/",
        f"/admin/authtoken/tokenproxy/{token.key}/delete/",
        f"/admin/otp_totp/totpdevice/{totp.pk}/config/",
        f"/admin/otp_totp/totpdevice/{totp.pk}/qrcode/",
        f"/admin/otp_totp/totpdevice/{totp.pk}/delete/",
        "/admin/otp_totp/totpdevice/add/",
    ]
    for url in refused:
        response = operator_client.get(url)
        # Refused, or "no such object" (back to the index): never the page.
        assert response.status_code in (302, 403, 404), url
        followed = operator_client.get(url, follow=True)
        assert followed.redirect_chain[-1:] in ([], [("/admin/", 302)]) or (
            followed.status_code in (403, 404)
        ), url
        _assert_no_secret(followed.content.decode(), totp, token)
    change = operator_client.post(
        f"/admin/otp_totp/totpdevice/{totp.pk}/change/", {"key": "00" * 20, "confirmed": "on"}
    )
    assert change.status_code == 403
    totp.refresh_from_db()
    assert totp.key != "00" * 20


def test_search_does_not_match_secrets(operator_client, team_physician):
    totp, static, token = _secrets(team_physician)
    by_token = operator_client.get("/admin/authtoken/tokenproxy/", {"q": token.key})
    assert "team-physician" not in by_token.content.decode()
    by_key = operator_client.get("/admin/otp_totp/totpdevice/", {"q": totp.key})
    assert "team-physician" not in by_key.content.decode()
    by_code = operator_client.get("/admin/otp_static/staticdevice/", {"q": "rc0ffee9"})
    assert "team-physician" not in by_code.content.decode()


def test_treatment_plan_reads_in_the_admin_are_audited(operator_client, operator, patient):
    plan = TreatmentPlanFactory(patient=patient)
    other = TreatmentPlanFactory()
    listing = operator_client.get("/admin/intake/treatmentplan/")
    assert listing.status_code == 200
    reads = AuditEvent.objects.filter(actor=operator, action="read")
    assert {e.patient_id for e in reads} == {patient.pk, other.patient_id}
    assert all(e.actor_username == "operator" for e in reads)
    before = reads.count()
    page = operator_client.get(f"/admin/intake/treatmentplan/{plan.pk}/change/")
    assert page.status_code == 200
    opened = AuditEvent.objects.filter(actor=operator, action="read").order_by("-id")
    assert opened.count() == before + 1
    assert opened[0].patient_id == patient.pk
    assert opened[0].object_id == str(plan.pk)


def test_an_unverified_superuser_reads_nothing_and_nothing_is_audited(client, patient):
    user = _superuser()
    TreatmentPlanFactory(patient=patient)
    client.force_login(user)
    assert client.get("/admin/intake/treatmentplan/", follow=True).status_code == 403
    assert not AuditEvent.objects.filter(action="read").exists()
