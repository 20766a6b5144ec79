"""Separation of duties (security issue, item 9): an administrator who set up an account does
not also put it on a care team; administrators' changes are reviewed by the privacy officer;
an administrator's or privacy officer's credentials are not reset by one administrator alone."""

import pytest
from django.contrib.auth import get_user_model

from intake.models import AuditEvent, CareTeamMember
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"


def _create_physician(client, admin, username="own-physician"):
    client.force_login(admin)
    response = client.post(
        "/staff/new/",
        {
            "username": username,
            "first_name": "Sam",
            "last_name": "Self",
            "role": "physician",
            "license_type": "md",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    return get_user_model().objects.get(username=username)


def _add(api, actor, patient, username, role="physician"):
    api.force_authenticate(actor)
    return api.post(
        f"/api/v1/patients/{patient.pk}/care-team/",
        {"username": username, "role": role},
        format="json",
    )


# 1. Whoever set up an account does not add it to a care team ------------------------------


def test_it_refuses_an_administrator_adding_an_account_they_created(
    client, api, patient, clinic_admin
):
    own = _create_physician(client, clinic_admin)
    response = _add(api, clinic_admin, patient, own.username)
    assert response.status_code == 403
    assert "Separation of duties" in response.json()["detail"]
    assert not CareTeamMember.objects.filter(patient=patient, user=own).exists()
    denied = AuditEvent.objects.get(actor=clinic_admin, outcome="denied", patient=patient)
    assert denied.action == "create"
    assert denied.detail == {"reason": "separation-of-duties", "user": str(own.pk)}
    # Nor does the account reach the chart.
    api.force_authenticate(own)
    assert api.get(f"/api/v1/patients/{patient.pk}/").status_code == 404


def test_it_lets_another_administrator_or_the_team_physician_add_it(
    client, api, patient, clinic_admin, team_physician
):
    own = _create_physician(client, clinic_admin)
    other_admin = UserFactory(role="clinic-admin")
    assert _add(api, other_admin, patient, own.username).status_code == 201
    second = _create_physician(client, clinic_admin, username="second-physician")
    assert _add(api, team_physician, patient, second.username).status_code == 201


@pytest.mark.parametrize("change", ["password", "mfa-reset", "reactivate"])
def test_it_refuses_an_account_whose_credentials_they_changed(
    client, patient, clinic_admin, offteam_physician, change
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(clinic_admin)
    url = f"/staff/{offteam_physician.pk}/"
    if change == "password":
        client.post(url + "password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    elif change == "mfa-reset":
        TOTPDevice.objects.create(user=offteam_physician, name="phone", confirmed=True)
        client.post(url + "mfa-reset/")
    else:
        client.post(url + "deactivate/")
        client.post(url + "reactivate/")
    page = client.post(
        f"/patients/{patient.pk}/care-team/",
        {"user": offteam_physician.pk, "team_role": "physician"},
    )
    assert page.status_code == 200
    assert b"Separation of duties" in page.content
    assert not CareTeamMember.objects.filter(patient=patient, user=offteam_physician).exists()
    assert AuditEvent.objects.filter(
        actor=clinic_admin, outcome="denied", detail__reason="separation-of-duties"
    ).exists()


def test_it_still_lets_an_administrator_add_an_account_they_never_touched(
    api, patient, clinic_admin, offteam_nurse
):
    assert _add(api, clinic_admin, patient, offteam_nurse.username, "nurse").status_code == 201


def test_the_rule_lives_in_access(client, patient, clinic_admin, offteam_physician):
    from intake import access

    assert access.can_add_to_care_team(clinic_admin, patient, offteam_physician)
    own = _create_physician(client, clinic_admin)
    assert not access.can_add_to_care_team(clinic_admin, patient, own)
    assert access.can_add_to_care_team(UserFactory(role="clinic-admin"), patient, own)


# 2. The privacy officer reviews every change an administrator made ------------------------


def _admin_changes(client, api, admin, patient, offteam_nurse, team_counselor):
    own = _create_physician(client, admin)
    client.post(
        f"/staff/{team_counselor.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.post(f"/staff/{team_counselor.pk}/deactivate/")
    client.post(f"/staff/{team_counselor.pk}/reactivate/")
    assert _add(api, admin, patient, offteam_nurse.username, "nurse").status_code == 201
    member = CareTeamMember.objects.get(patient=patient, user=offteam_nurse)
    client.post(f"/patients/{patient.pk}/care-team/{member.pk}/remove/")
    return own


def test_it_lists_administrators_changes_for_the_privacy_officer(
    client,
    api,
    patient,
    clinic_admin,
    privacy_officer,
    offteam_nurse,
    team_counselor,
    team_physician,
    offteam_counselor,
):
    own = _admin_changes(client, api, clinic_admin, patient, offteam_nurse, team_counselor)
    # A team physician's own care-team change is no administrator's change.
    assert (
        _add(api, team_physician, patient, offteam_counselor.username, "counselor").status_code
        == 201
    )
    client.force_login(privacy_officer)
    page = client.get("/audit/staff-changes/")
    assert page.status_code == 200
    rows = page.context["changes"]
    assert [(r.administrator, r.change, r.account, r.mrn) for r in rows] == [
        ("clinic-admin", "Care-team member removed", "offteam-nurse", patient.mrn),
        ("clinic-admin", "Care-team member added", "offteam-nurse", patient.mrn),
        ("clinic-admin", "Reactivated", "team-counselor", ""),
        ("clinic-admin", "Deactivated", "team-counselor", ""),
        ("clinic-admin", "Password reset", "team-counselor", ""),
        ("clinic-admin", "Account created", own.username, ""),
    ]
    body = page.content.decode()
    assert patient.mrn in body
    # MRN only: no name, no clinical content.
    assert patient.family_name not in body
    # Showing the patient is a read of them, audited.
    assert (
        AuditEvent.objects.filter(
            actor=privacy_officer, patient=patient, action="read", object_type="staff-change-review"
        ).count()
        == 1
    )


def test_only_privacy_officers_open_the_review(client, clinic_admin, team_physician):
    for user in (clinic_admin, team_physician):
        client.force_login(user)
        assert client.get("/audit/staff-changes/").status_code == 403


def test_the_privacy_officer_home_links_to_the_review(client, privacy_officer):
    client.force_login(privacy_officer)
    home = client.get("/")
    assert b'href="/audit/staff-changes/"' in home.content
