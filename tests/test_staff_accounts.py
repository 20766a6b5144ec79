"""Account hygiene: clinic administrators list, create, deactivate (never delete) and reset
staff accounts; nobody else may; operators' superuser accounts are out of reach."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from intake.local_time import format_local
from intake.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"


def test_it_lists_staff_with_their_last_sign_in(client, clinic_admin, team_nurse):
    client.post("/accounts/login/", {"username": "team-nurse", "password": PASSWORD})
    team_nurse.refresh_from_db()
    client.force_login(clinic_admin)
    page = client.get("/staff/")
    assert page.status_code == 200
    assert b"team-nurse" in page.content
    assert format_local(team_nurse.last_login).encode() in page.content


def test_only_clinic_administrators_manage_accounts(client, team_physician, privacy_officer):
    for user in (team_physician, privacy_officer):
        client.force_login(user)
        assert client.get("/staff/").status_code == 403
        assert client.post(f"/staff/{user.pk}/deactivate/").status_code == 403


def test_it_creates_an_account_with_a_strong_password(client, clinic_admin):
    client.force_login(clinic_admin)
    form = {
        "username": "new-nurse",
        "first_name": "Noor",
        "last_name": "Haddad",
        "role": "nurse",
        "license_type": "rn",
        "password1": "short",
        "password2": "short",
    }
    refused = client.post("/staff/new/", form)
    assert refused.status_code == 200
    assert b"at least 12 characters" in refused.content
    assert not get_user_model().objects.filter(username="new-nurse").exists()
    done = client.post(
        "/staff/new/", {**form, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    user = get_user_model().objects.get(username="new-nurse")
    assert user.groups.get().name == "Nurse"
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        object_type="staff-account", object_id=str(user.pk), action="create"
    ).exists()


def test_deactivation_signs_the_account_out_everywhere(client, api, clinic_admin, team_nurse):
    token = Token.objects.create(user=team_nurse)
    nurse_browser = client.__class__()
    nurse_browser.force_login(team_nurse)
    assert nurse_browser.get("/").status_code == 200
    client.force_login(clinic_admin)
    assert client.post(f"/staff/{team_nurse.pk}/deactivate/").status_code == 302
    team_nurse.refresh_from_db()
    assert not team_nurse.is_active
    assert get_user_model().objects.filter(pk=team_nurse.pk).exists()  # never deleted
    assert nurse_browser.get("/").status_code == 302
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/patients/").status_code == 401
    refused = client.__class__().post(
        "/accounts/login/", {"username": "team-nurse", "password": PASSWORD}
    )
    assert refused.status_code == 200  # the form again, not signed in
    assert client.post(f"/staff/{team_nurse.pk}/reactivate/").status_code == 302
    team_nurse.refresh_from_db()
    assert team_nurse.is_active


def test_an_administrator_cannot_deactivate_themselves(client, clinic_admin):
    client.force_login(clinic_admin)
    client.post(f"/staff/{clinic_admin.pk}/deactivate/")
    clinic_admin.refresh_from_db()
    assert clinic_admin.is_active


def test_it_resets_a_password(client, clinic_admin, team_counselor):
    Token.objects.create(user=team_counselor)
    client.force_login(clinic_admin)
    url = f"/staff/{team_counselor.pk}/password/"
    assert client.get(url).status_code == 200
    mismatch = client.post(url, {"password1": NEW_PASSWORD, "password2": "different-one-12"})
    assert b"differ" in mismatch.content
    assert client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == (
        302
    )
    team_counselor.refresh_from_db()
    assert team_counselor.check_password(NEW_PASSWORD)
    assert not Token.objects.filter(user=team_counselor).exists()


def test_superuser_accounts_are_out_of_reach(client, clinic_admin):
    root = UserFactory(username="operator", is_superuser=True, is_staff=True)
    client.force_login(clinic_admin)
    assert b"operator" not in client.get("/staff/").content
    assert client.get(f"/staff/{root.pk}/password/").status_code == 404
    assert client.post(f"/staff/{root.pk}/deactivate/").status_code == 404
    root.refresh_from_db()
    assert root.is_active and root.check_password(PASSWORD)
