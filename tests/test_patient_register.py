import datetime
import re

import pytest

from intake.models import AuditEvent, CareTeamMember, Patient
from tests.factories import CareTeamMemberFactory, PatientFactory

pytestmark = pytest.mark.django_db

FORM = {
    "given_name": "Jonah",
    "family_name": "Whitfield",
    "preferred_name": "",
    "birth_date": "1990-04-12",
    "sex_at_birth": "male",
    "gender_identity": "",
    "pronouns": "he/him",
    "phone": "555-0100",
    "address": "1 Main St",
    "emergency_contact_name": "",
    "emergency_contact_phone": "",
    "preferred_language": "English",
    "referral_source": "Self",
    "reason_for_visit": "Wants to stop using fentanyl",
}


def test_it_registers_a_patient_and_puts_the_counselor_on_the_team(client, team_counselor):
    client.force_login(team_counselor)
    response = client.post("/patients/new/", FORM)
    patient = Patient.objects.get(family_name="Whitfield")
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/"
    assert re.fullmatch(r"\d{8}", patient.mrn)
    assert CareTeamMember.objects.filter(patient=patient, user=team_counselor).exists()
    assert AuditEvent.objects.filter(
        patient=patient, action="create", actor=team_counselor
    ).exists()
    chart = client.get(response["Location"])
    assert b"Jonah Whitfield" in chart.content
    assert patient.mrn.encode() in chart.content


def test_it_assigns_distinct_mrns(client, team_counselor):
    client.force_login(team_counselor)
    client.post("/patients/new/", FORM)
    client.post(
        "/patients/new/",
        {**FORM, "given_name": "Other", "family_name": "Person", "birth_date": "1970-01-01"},
    )
    assert Patient.objects.values("mrn").distinct().count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"family_name": ""}, "family_name"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "not a date"}, "birth_date"),
        ({"sex_at_birth": "robot"}, "sex_at_birth"),
    ],
)
def test_it_refuses_bad_input_and_stores_nothing(client, team_counselor, change, field):
    client.force_login(team_counselor)
    response = client.post("/patients/new/", {**FORM, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    # What was typed is kept in the form for correction.
    assert b"Whitfield" in response.content or field == "family_name"
    assert Patient.objects.count() == 0


def test_it_warns_of_a_likely_duplicate_the_clinician_may_see(client, team_counselor):
    existing = PatientFactory(
        given_name="Jonah", family_name="Whitfeld", birth_date=datetime.date(1990, 4, 12)
    )
    CareTeamMemberFactory(patient=existing, user=team_counselor)
    client.force_login(team_counselor)
    response = client.post("/patients/new/", FORM)
    assert response.status_code == 200
    assert b"Possible duplicate" in response.content
    assert b"Whitfeld" in response.content
    assert Patient.objects.count() == 1
    confirmed = client.post(
        "/patients/new/", {**FORM, "checked_duplicates": "1", "confirm_not_duplicate": "on"}
    )
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_a_duplicate_on_another_team_is_not_disclosed_but_sent_for_merge_review(
    client, team_counselor
):
    """Issue 10, item 11: the warning itself would tell the counselor that a patient with this
    name and birth date is in treatment elsewhere (a Part 2 disclosure)."""
    other = PatientFactory(
        given_name="Jonah", family_name="Whitfeld", birth_date=datetime.date(1990, 4, 12)
    )
    client.force_login(team_counselor)
    response = client.post("/patients/new/", FORM)
    assert response.status_code == 302
    assert Patient.objects.count() == 2
    new = Patient.objects.exclude(pk=other.pk).get()
    assert AuditEvent.objects.filter(
        patient=other, object_type="merge-candidate", object_id=str(new.pk)
    ).exists()


def test_it_does_not_warn_for_same_birthday_different_name(client, team_counselor):
    PatientFactory(given_name="Alice", family_name="Brown", birth_date=datetime.date(1990, 4, 12))
    client.force_login(team_counselor)
    assert client.post("/patients/new/", FORM).status_code == 302
    assert Patient.objects.filter(given_name="Jonah", family_name="Whitfield").count() == 1


def test_it_refuses_registration_to_administrators(client, clinic_admin, privacy_officer):
    for user in (clinic_admin, privacy_officer):
        client.force_login(user)
        assert client.get("/patients/new/").status_code == 403
        assert client.post("/patients/new/", FORM).status_code == 403
    assert Patient.objects.count() == 0


def test_it_edits_details_and_refuses_a_stale_edit(client, patient, team_nurse):
    client.force_login(team_nurse)
    form = client.get(f"/patients/{patient.pk}/edit/").context["form"]
    data = {k: (v if v is not None else "") for k, v in form.initial.items() if k in FORM}
    data["birth_date"] = patient.birth_date.isoformat()
    data["version"] = patient.version
    first = client.post(f"/patients/{patient.pk}/edit/", {**data, "phone": "555-0199"})
    assert first.status_code == 302
    stale = client.post(f"/patients/{patient.pk}/edit/", {**data, "phone": "555-0111"})
    assert stale.status_code == 200
    assert b"Someone else saved" in stale.content
    patient.refresh_from_db()
    assert patient.phone == "555-0199"
    assert patient.version == 2


@pytest.mark.parametrize(
    "existing_birth, warns",
    [
        (datetime.date(1990, 12, 4), True),  # day and month swapped (FORM: 1990-04-12)
        (datetime.date(1990, 4, 13), True),  # one digit
        (datetime.date(1980, 4, 12), True),  # one digit of the year
        (datetime.date(1991, 5, 12), False),  # two digits
        (datetime.date(1990, 4, 21), False),  # two digits (a transposition within the day)
    ],
)
def test_it_warns_of_the_same_name_with_a_birth_date_one_slip_away(
    client, team_counselor, existing_birth, warns
):
    existing = PatientFactory(
        given_name="Jonah", family_name="Whitfield", birth_date=existing_birth
    )
    CareTeamMemberFactory(patient=existing, user=team_counselor)
    client.force_login(team_counselor)
    response = client.post("/patients/new/", FORM)
    assert (b"Possible duplicate" in response.content) is warns
    assert Patient.objects.count() == (1 if warns else 2)
    if warns:
        confirmed = client.post(
            "/patients/new/", {**FORM, "checked_duplicates": "1", "confirm_not_duplicate": "on"}
        )
        assert confirmed.status_code == 302
        assert Patient.objects.count() == 2


def test_a_near_birth_date_with_a_merely_similar_name_is_not_a_duplicate(client, team_counselor):
    existing = PatientFactory(
        given_name="Jona", family_name="Whitworth", birth_date=datetime.date(1990, 4, 13)
    )
    CareTeamMemberFactory(patient=existing, user=team_counselor)
    client.force_login(team_counselor)
    assert client.post("/patients/new/", FORM).status_code == 302
    assert Patient.objects.filter(given_name="Jonah", family_name="Whitfield").count() == 1
