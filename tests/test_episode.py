import datetime

import pytest
from django.db import IntegrityError, transaction

from intake.models import Episode
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db


def test_it_admits_and_discharges_through_the_pages(client, patient, team_counselor):
    client.force_login(team_counselor)
    response = client.post(
        f"/patients/{patient.pk}/episodes/new/", {"program": "otp", "admitted_on": "2026-11-02"}
    )
    assert response.status_code == 302
    episode = Episode.objects.get(patient=patient)
    chart = client.get(f"/patients/{patient.pk}/")
    assert b"Opioid treatment program" in chart.content
    response = client.post(
        f"/patients/{patient.pk}/episodes/{episode.pk}/discharge/",
        {"discharged_on": "2026-11-20", "reason": "completed"},
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == "discharged"
    assert episode.discharged_on == datetime.date(2026, 11, 20)


def test_it_refuses_a_discharge_before_admission(client, patient, team_counselor):
    episode = EpisodeFactory(patient=patient, admitted_on=datetime.date(2026, 11, 10))
    client.force_login(team_counselor)
    response = client.post(
        f"/patients/{patient.pk}/episodes/{episode.pk}/discharge/",
        {"discharged_on": "2026-11-01", "reason": "completed"},
    )
    assert response.status_code == 200
    assert b"before admission" in response.content
    episode.refresh_from_db()
    assert episode.status == "active"


def test_it_admits_through_the_api_and_refuses_a_second_active_episode(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    url = f"/api/v1/patients/{patient.pk}/episodes/"
    first = api.post(url, {"program": "outpatient", "admitted_on": "2026-11-01"}, format="json")
    assert first.status_code == 201
    assert first.json()["status"] == "active"
    second = api.post(url, {"program": "outpatient", "admitted_on": "2026-11-02"}, format="json")
    assert second.status_code == 400
    assert "program" in second.json()
    bad = api.post(url, {"program": "spa", "admitted_on": "2026-11-02"}, format="json")
    assert bad.status_code == 400
    listing = api.get(url).json()
    assert listing["count"] == 1


def test_the_database_enforces_episode_rules(patient):
    EpisodeFactory(patient=patient, program="otp")
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory(patient=patient, program="otp")
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory(patient=patient, program="residential", status="discharged")
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory(patient=patient, program="nonsense")
