import pytest

from intake.models import AuditEvent, CareTeamMember

pytestmark = pytest.mark.django_db


def test_it_lets_an_administrator_add_a_member(api, patient, clinic_admin, offteam_nurse):
    api.force_authenticate(clinic_admin)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/care-team/",
        {"username": "offteam-nurse", "role": "nurse"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["role"] == "nurse"
    # The new member now sees the chart.
    api.force_authenticate(offteam_nurse)
    assert api.get(f"/api/v1/patients/{patient.pk}/").status_code == 200


def test_it_lets_the_team_physician_manage_the_team(
    api, patient, team_physician, offteam_counselor
):
    api.force_authenticate(team_physician)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/care-team/",
        {"username": "offteam-counselor", "role": "counselor"},
        format="json",
    )
    assert response.status_code == 201
    members = api.get(f"/api/v1/patients/{patient.pk}/care-team/").json()
    assert {m["username"] for m in members} >= {"offteam-counselor", "team-physician"}


def test_it_refuses_counselors_and_nurses_managing_the_team(
    api, patient, team_counselor, team_nurse
):
    before = CareTeamMember.objects.filter(patient=patient).count()
    for user in (team_counselor, team_nurse):
        api.force_authenticate(user)
        response = api.post(
            f"/api/v1/patients/{patient.pk}/care-team/",
            {"username": "clinic-admin", "role": "nurse"},
            format="json",
        )
        assert response.status_code == 403
    assert CareTeamMember.objects.filter(patient=patient).count() == before


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"username": "nobody-here", "role": "nurse"}, "username"),
        ({"username": "offteam-nurse", "role": "surgeon"}, "role"),
        ({"username": "offteam-nurse", "role": "physician"}, "role"),
        ({"username": "team-nurse", "role": "nurse"}, "username"),
        ({"username": "privacy-officer", "role": "nurse"}, "username"),
    ],
)
def test_it_refuses_bad_members(
    api, patient, clinic_admin, offteam_nurse, privacy_officer, payload, field
):
    api.force_authenticate(clinic_admin)
    before = CareTeamMember.objects.count()
    response = api.post(f"/api/v1/patients/{patient.pk}/care-team/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert CareTeamMember.objects.count() == before


def test_it_ends_access_when_a_member_is_removed(client, patient, clinic_admin, team_nurse):
    member = CareTeamMember.objects.get(patient=patient, user=team_nurse)
    client.force_login(clinic_admin)
    response = client.post(f"/patients/{patient.pk}/care-team/{member.pk}/remove/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ended_at is not None  # kept, with its end date, for the record
    client.force_login(team_nurse)
    assert client.get(f"/patients/{patient.pk}/").status_code == 404
    assert AuditEvent.objects.filter(object_id=str(member.pk), action="update").exists()


def test_it_shows_the_team_on_the_page_and_adds_from_it(
    client, patient, clinic_admin, offteam_nurse
):
    client.force_login(clinic_admin)
    page = client.get(f"/patients/{patient.pk}/care-team/")
    assert page.status_code == 200
    assert b"team-physician" in page.content
    response = client.post(
        f"/patients/{patient.pk}/care-team/", {"user": offteam_nurse.pk, "team_role": "nurse"}
    )
    assert response.status_code == 302
    assert CareTeamMember.objects.filter(patient=patient, user=offteam_nurse).exists()


def test_it_does_not_show_the_chart_to_administrators(client, patient, clinic_admin):
    client.force_login(clinic_admin)
    assert client.get(f"/patients/{patient.pk}/").status_code == 403
