"""The clinic administrators' queue of possible duplicates (issue 10, item 11): registration on
one team of a patient already treated on another is not disclosed to the clinician but sent
here, with both records' registration headers, newest first; reading it is audited."""

import datetime

import pytest

from intake.models import AuditEvent, Patient
from tests.factories import PatientFactory
from tests.test_patient_register import FORM

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicate_pair(client, team_counselor):
    other = PatientFactory(
        given_name="Jonah",
        family_name="Whitfeld",
        birth_date=datetime.date(1990, 4, 12),
        phone="555-0177",
        reason_for_visit="Fentanyl use, wants buprenorphine",
    )
    client.force_login(team_counselor)
    assert client.post("/patients/new/", FORM).status_code == 302
    client.logout()
    return Patient.objects.exclude(pk=other.pk).get(), other


def test_it_shows_the_administrator_the_pair(client, duplicate_pair, clinic_admin):
    new, existing = duplicate_pair
    client.force_login(clinic_admin)
    home = client.get("/")
    assert b"/admin-tools/merge-candidates/" in home.content
    response = client.get("/admin-tools/merge-candidates/")
    assert response.status_code == 200
    rows = response.content.decode().split('data-testid="merge-candidates"')[1]
    assert new.mrn in rows and existing.mrn in rows
    assert "Whitfeld" in rows and "1990-04-12" in rows and "team-counselor" in rows
    assert "555-0177" not in rows and "buprenorphine" not in rows


def test_it_lists_the_newest_first(client, duplicate_pair, team_nurse, clinic_admin):
    first_new, _ = duplicate_pair
    client.force_login(team_nurse)
    assert client.post("/patients/new/", {**FORM, "given_name": "Jona"}).status_code == 302
    second_new = Patient.objects.get(given_name="Jona")
    client.force_login(clinic_admin)
    body = client.get("/admin-tools/merge-candidates/").content.decode()
    assert body.index(second_new.mrn) < body.index(first_new.mrn)


def test_reading_the_queue_is_audited(client, duplicate_pair, clinic_admin):
    new, existing = duplicate_pair
    client.force_login(clinic_admin)
    client.get("/admin-tools/merge-candidates/")
    for p in (new, existing):
        assert (
            AuditEvent.objects.filter(
                patient=p, action="read", object_type="merge-candidates", actor=clinic_admin
            ).count()
            == 1
        )


def test_it_refuses_clinicians_and_privacy_officers(
    client, duplicate_pair, team_counselor, team_physician, privacy_officer
):
    for user in (team_counselor, team_physician, privacy_officer):
        client.force_login(user)
        response = client.get("/admin-tools/merge-candidates/")
        assert response.status_code in (403, 404), user
        assert duplicate_pair[1].mrn.encode() not in response.content
        assert b"/admin-tools/merge-candidates/" not in client.get("/").content
