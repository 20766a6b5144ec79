"""Emergency access from the search page: a clinician whose search finds nothing on their teams
names the patient exactly (legal name, date of birth) and states the emergency. Nothing before
the request is recorded tells whether such a patient exists."""

import datetime
import re

import pytest

from intake.models import AuditEvent, BreakGlassGrant
from tests.factories import CareTeamMemberFactory, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/patients/emergency-access/"
REASON = "Found unresponsive in the lobby, suspected overdose; need medication list"


@pytest.fixture
def outsider_patient(offteam_counselor):
    p = PatientFactory(
        given_name="Rosa", family_name="Delgado", birth_date=datetime.date(1984, 5, 17)
    )
    CareTeamMemberFactory(patient=p, user=offteam_counselor)
    return p


def _page(response) -> str:
    """The page without what differs between any two responses (CSRF tokens, and the seconds
    left in the session, which tick between two requests)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'data-session-seconds="\d+"', "", html)
    return re.sub(r'csrf[^"]*"[^"]*"', "", html)


def _ask(client, **changes):
    data = {
        "given_name": "Rosa",
        "family_name": "Delgado",
        "birth_date": "1984-05-17",
        "category": "medical-emergency",
        "reason": REASON,
    } | changes
    return client.post(URL, data)


def test_the_search_page_offers_emergency_access_the_same_whether_or_not_anyone_matches(
    client, team_nurse, outsider_patient
):
    client.force_login(team_nurse)
    existing = client.post("/patients/", {"q": "Delgado"})
    nobody = client.post("/patients/", {"q": "Zzyzxova"})
    assert existing.status_code == nobody.status_code == 200
    assert 'data-testid="emergency-offer"' in existing.content.decode()
    assert _page(existing).replace("Delgado", "Q") == _page(nobody).replace("Zzyzxova", "Q")
    assert "No patient matches among those you may see." in nobody.content.decode()


def test_the_form_refuses_bad_input_the_same_way_whether_or_not_the_patient_exists(
    client, team_nurse, outsider_patient
):
    client.force_login(team_nurse)
    assert client.get(URL).status_code == 200
    for bad in ({"reason": "help"}, {"birth_date": "1984-13-40"}, {"category": "party"}):
        real = _ask(client, **bad)
        fake = _ask(client, family_name="Zzyzxova", **bad)
        assert real.status_code == fake.status_code == 400, bad
        assert _page(real).replace("Delgado", "Q") == _page(fake).replace("Zzyzxova", "Q")
    assert not BreakGlassGrant.objects.exists()


def test_an_exact_match_opens_emergency_access_to_the_chart(client, team_nurse, outsider_patient):
    client.force_login(team_nurse)
    assert client.get(f"/patients/{outsider_patient.pk}/").status_code == 404
    response = _ask(client, given_name="  rosa ", family_name="DELGADO")
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{outsider_patient.pk}/"
    grant = BreakGlassGrant.objects.get(user=team_nurse, patient=outsider_patient)
    assert grant.reason == REASON and grant.category == "medical-emergency"
    assert AuditEvent.objects.filter(
        actor=team_nurse, patient=outsider_patient, object_type="break-glass", break_glass=True
    ).exists()
    chart = client.get(response["Location"])
    assert chart.status_code == 200 and 'data-testid="emergency-banner"' in chart.content.decode()


def test_no_match_is_answered_only_after_the_request_is_recorded(
    client, team_nurse, outsider_patient
):
    client.force_login(team_nurse)
    for changes in (
        {"family_name": "Zzyzxova"},
        {"birth_date": "1984-05-18"},
        {"given_name": "Ros"},
    ):
        before = AuditEvent.objects.filter(object_type="break-glass", outcome="denied").count()
        response = _ask(client, **changes)
        assert response.status_code == 404, changes
        assert "No chart was opened" in response.content.decode()
        refused = AuditEvent.objects.filter(object_type="break-glass", outcome="denied")
        assert refused.count() == before + 1
        event = refused.latest("at")
        assert event.actor == team_nurse and event.detail["reason"] == "no-match"
        # What the clinician typed is not kept in the audit detail.
        assert "Zzyzxova" not in str(event.detail) and "Ros" not in str(event.detail)
    assert not BreakGlassGrant.objects.exists()


def test_several_records_with_the_same_name_and_birth_date_need_the_mrn(
    client, team_nurse, outsider_patient, offteam_counselor
):
    twin = PatientFactory(
        given_name="Rosa", family_name="Delgado", birth_date=datetime.date(1984, 5, 17)
    )
    client.force_login(team_nurse)
    response = _ask(client)
    nobody = _ask(client, family_name="Zzyzxova")
    # Several records read exactly as none: "several" would say this person is a patient here.
    assert response.status_code == nobody.status_code == 404
    assert _page(response).replace("Delgado", "Q") == _page(nobody).replace("Zzyzxova", "Q")
    assert "add the MRN if you know it" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    # The privacy officer sees whose records were asked for: the refusal is on each of them.
    refused = AuditEvent.objects.filter(
        object_type="break-glass", outcome="denied", detail__reason="several-matches"
    )
    assert set(refused.values_list("patient_id", flat=True)) == {outsider_patient.pk, twin.pk}
    response = _ask(client, mrn=str(int(twin.mrn)))
    assert response.status_code == 302
    assert BreakGlassGrant.objects.get().patient == twin


def test_a_care_team_member_is_sent_to_the_chart_without_a_grant(client, patient, team_nurse):
    client.force_login(team_nurse)
    response = _ask(
        client, given_name="Maria", family_name="Lopez", birth_date=patient.birth_date.isoformat()
    )
    assert response.status_code == 302 and response["Location"] == f"/patients/{patient.pk}/"
    assert not BreakGlassGrant.objects.exists()


def test_only_clinicians_may_ask(client, clinic_admin, privacy_officer, outsider_patient):
    for user in (clinic_admin, privacy_officer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert _ask(client).status_code == 403
        assert (
            'data-testid="emergency-offer"'
            not in client.post("/patients/", {"q": "x"}).content.decode()
        )
    assert not BreakGlassGrant.objects.exists()


def test_it_refuses_hostile_input_with_a_4xx_and_stores_nothing(
    client, team_nurse, outsider_patient
):
    client.force_login(team_nurse)
    for changes in (
        {"family_name": "Del\x00gado"},
        {"given_name": "R" * 5000},
        {"birth_date": "9999-01-01"},
        {"birth_date": "1850-01-01"},
        {"mrn": "12ab"},
        {"reason": "x" * 5000},
    ):
        response = _ask(client, **changes)
        assert 400 <= response.status_code < 500, changes
    assert client.get(URL + "?given_name=Rosa").status_code == 200  # GET never looks anyone up
    assert not BreakGlassGrant.objects.exists()
