"""Separation of duties (security issue, item 9): an administrator who set up an account does
not also put it on a care team; administrators' changes are reviewed by the privacy officer;
an administrator's or privacy officer's credentials are not reset by one administrator alone."""

import pytest
from django.contrib.auth import get_user_model

from intake.models import AuditEvent, CareTeamMember
from tests.factories import UserFactory, staff_fixture

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
    on_team = CareTeamMember.objects.filter(patient=patient, user__in=[own, second])
    assert set(on_team.values_list("team_role", flat=True)) == {"physician"}
    assert on_team.count() == 2


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
    assert CareTeamMember.objects.get(patient=patient, user=offteam_nurse).team_role == "nurse"


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


# 3. Administrators' and privacy officers' credentials need two administrators ----------------


second_admin = staff_fixture("second-admin", "clinic-admin")
target_admin = staff_fixture("target-admin", "clinic-admin")


def _request_password(client, admin, target):
    client.force_login(admin)
    return client.post(
        f"/staff/{target.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )


def _pending(target):
    from intake.models import StaffResetRequest

    return StaffResetRequest.objects.get(user=target, status="pending")


@pytest.mark.parametrize("role", ["clinic-admin", "privacy-officer"])
def test_a_password_reset_of_an_administrator_waits_for_a_second_one(
    client, clinic_admin, second_admin, role
):
    from rest_framework.authtoken.models import Token

    target = UserFactory(role=role)
    Token.objects.create(user=target)
    page = _request_password(client, clinic_admin, target)
    assert b"second administrator approves" in page.content
    target.refresh_from_db()
    assert not target.check_password(NEW_PASSWORD)
    assert Token.objects.filter(user=target).exists()
    reset = _pending(target)
    assert reset.password and NEW_PASSWORD not in reset.password
    # The staff page lists it; its requester cannot approve it.
    listing = client.get("/staff/")
    assert reset in listing.context["pending"]
    assert f"/staff/resets/{reset.pk}/approve/".encode() not in listing.content
    refused = client.post(f"/staff/resets/{reset.pk}/approve/", follow=True)
    assert b"Separation of duties" in refused.content
    target.refresh_from_db()
    assert not target.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        actor=clinic_admin,
        object_id=str(target.pk),
        outcome="denied",
        detail__reason="separation-of-duties",
    ).exists()
    # A second administrator approves: now it takes effect.
    client.force_login(second_admin)
    assert f"/staff/resets/{reset.pk}/approve/".encode() in client.get("/staff/").content
    assert client.post(f"/staff/resets/{reset.pk}/approve/").status_code == 302
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)
    assert not Token.objects.filter(user=target).exists()
    reset.refresh_from_db()
    assert (reset.status, reset.approved_by, reset.password) == ("approved", second_admin, "")
    events = AuditEvent.objects.filter(
        object_type="staff-account", object_id=str(target.pk), outcome="allowed"
    ).order_by("id")
    assert [(e.actor, e.detail["change"]) for e in events] == [
        (clinic_admin, "password-reset-requested"),
        (second_admin, "password-reset"),
    ]
    assert events[1].detail["requested_by"] == clinic_admin.pk
    # Approved once is approved: nobody approves it again.
    third = UserFactory(role="clinic-admin")
    client.force_login(third)
    client.post(f"/staff/resets/{reset.pk}/approve/")
    assert AuditEvent.objects.filter(actor=third, outcome="denied").exists()


def test_a_second_factor_reset_of_an_administrator_waits_for_a_second_one(
    client, clinic_admin, second_admin, target_admin
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=target_admin, name="phone", confirmed=True)
    client.force_login(clinic_admin)
    client.post(f"/staff/{target_admin.pk}/mfa-reset/")
    assert TOTPDevice.objects.filter(user=target_admin).exists()
    reset = _pending(target_admin)
    client.force_login(second_admin)
    client.post(f"/staff/resets/{reset.pk}/approve/")
    assert not TOTPDevice.objects.filter(user=target_admin).exists()
    assert AuditEvent.objects.filter(
        actor=second_admin, object_id=str(target_admin.pk), detail__change="mfa-reset"
    ).exists()


def test_the_account_holder_does_not_approve_their_own_reset(client, clinic_admin, target_admin):
    _request_password(client, clinic_admin, target_admin)
    reset = _pending(target_admin)
    client.force_login(target_admin)
    page = client.post(f"/staff/resets/{reset.pk}/approve/", follow=True)
    assert b"Separation of duties" in page.content
    target_admin.refresh_from_db()
    assert not target_admin.check_password(NEW_PASSWORD)


def test_a_pending_reset_expires(client, clinic_admin, second_admin, target_admin):
    import datetime

    from django.utils import timezone

    from intake.models import StaffResetRequest

    _request_password(client, clinic_admin, target_admin)
    reset = _pending(target_admin)
    StaffResetRequest.objects.filter(pk=reset.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(second_admin)
    assert reset not in client.get("/staff/").context["pending"]
    page = client.post(f"/staff/resets/{reset.pk}/approve/", follow=True)
    assert b"expired" in page.content
    target_admin.refresh_from_db()
    assert not target_admin.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        actor=second_admin, outcome="denied", detail__reason="expired"
    ).exists()


def test_a_reset_after_deactivation_still_needs_a_second_administrator(
    client, clinic_admin, target_admin
):
    client.force_login(clinic_admin)
    client.post(f"/staff/{target_admin.pk}/deactivate/")
    _request_password(client, clinic_admin, target_admin)
    target_admin.refresh_from_db()
    assert not target_admin.check_password(NEW_PASSWORD)
    assert _pending(target_admin)


def test_a_clinicians_reset_stays_one_step(client, clinic_admin, team_counselor):
    _request_password(client, clinic_admin, team_counselor)
    team_counselor.refresh_from_db()
    assert team_counselor.check_password(NEW_PASSWORD)


def test_the_review_lists_the_request_and_the_approval(
    client, clinic_admin, second_admin, target_admin, privacy_officer
):
    _request_password(client, clinic_admin, target_admin)
    reset = _pending(target_admin)
    client.force_login(second_admin)
    client.post(f"/staff/resets/{reset.pk}/approve/")
    client.force_login(privacy_officer)
    rows = client.get("/audit/staff-changes/").context["changes"]
    assert [(r.administrator, r.change.split(" (")[0], r.requested_by) for r in rows] == [
        ("second-admin", "Password reset", "clinic-admin"),
        ("clinic-admin", "Password reset requested", ""),
    ]
