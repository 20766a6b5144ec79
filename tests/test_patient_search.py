import datetime

import pytest

from intake.models import AuditEvent, TeamRole
from tests.factories import CareTeamMemberFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseload(team_counselor):
    people = [
        PatientFactory(
            given_name="Maria", family_name="Lopez", birth_date=datetime.date(1985, 2, 3)
        ),
        PatientFactory(
            given_name="Mario", family_name="Lopes", birth_date=datetime.date(1979, 6, 7)
        ),
        PatientFactory(
            given_name="Ann",
            family_name="Smith",
            preferred_name="Annie",
            birth_date=datetime.date(1990, 1, 1),
        ),
    ]
    for p in people:
        CareTeamMemberFactory(patient=p, user=team_counselor, team_role=TeamRole.COUNSELOR)
    # Someone else's patient with a matching name: never found by this counselor.
    PatientFactory(given_name="Maria", family_name="Lopez", birth_date=datetime.date(1960, 1, 1))
    return people


def _search(client, q):
    response = client.post("/patients/", {"q": q})
    assert response.status_code == 200
    return response.context["results"]


def test_it_finds_by_name_fragment_fuzzy_dob_and_mrn(client, team_counselor, caseload):
    maria, mario, ann = caseload
    client.force_login(team_counselor)
    assert _search(client, "lopez")[0] == maria
    assert set(_search(client, "lop")) == {maria, mario}
    assert maria in _search(client, "Lopaz")  # a typo still finds her (trigram)
    assert _search(client, "annie") == [ann]
    assert _search(client, "maria lopez")[0] == maria
    assert _search(client, "1985-02-03") == [maria]
    assert _search(client, "02/03/1985") == [maria]
    assert _search(client, mario.mrn) == [mario]


def test_it_only_searches_patients_the_person_may_see(client, offteam_counselor, caseload):
    client.force_login(offteam_counselor)
    assert _search(client, "lopez") == []


def test_it_lets_administrators_find_anyone_for_care_team_work(client, clinic_admin, caseload):
    client.force_login(clinic_admin)
    results = _search(client, "maria lopez")
    assert [p.given_name for p in results[:2]] == ["Maria", "Maria"]
    response = client.post("/patients/", {"q": "lopez"})
    # Links go to the care team page, not the chart.
    assert f"/patients/{results[0].pk}/care-team/".encode() in response.content
    assert f'href="/patients/{results[0].pk}/"'.encode() not in response.content


def test_it_keeps_the_search_out_of_the_url(client, team_counselor, caseload):
    client.force_login(team_counselor)
    response = client.get("/patients/", {"q": "lopez"})
    assert response.context["results"] is None


def test_it_audits_each_patient_shown(client, team_counselor, caseload):
    client.force_login(team_counselor)
    results = _search(client, "lop")
    events = AuditEvent.objects.filter(actor=team_counselor, object_type="patient-search-result")
    assert {e.patient_id for e in events} == {p.pk for p in results}


def test_it_searches_through_the_api(api, team_counselor, caseload):
    maria = caseload[0]
    api.force_authenticate(team_counselor)
    body = api.get("/api/v1/patients/", {"q": "lopez"}).json()
    assert body["count"] >= 1
    assert body["results"][0]["id"] == str(maria.pk)
    assert set(body) >= {"count", "next", "previous", "results"}
    assert api.get("/api/v1/patients/").json()["count"] == 3
