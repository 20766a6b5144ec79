"""One active episode per patient, whatever the program: a second admission is refused with a
clear message (API and page), and the database refuses it too, so two concurrent admissions
cannot both succeed."""

import threading

import pytest
from django.db import IntegrityError, connections, transaction

from intake.models import Episode
from intake.services.episode import episode_admit
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db


def test_a_second_active_episode_in_another_program_is_refused(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    url = f"/api/v1/patients/{patient.pk}/episodes/"
    first = api.post(url, {"program": "outpatient", "admitted_on": "2026-11-01"}, format="json")
    assert first.status_code == 201
    second = api.post(url, {"program": "residential", "admitted_on": "2026-11-02"}, format="json")
    assert second.status_code == 400
    assert second.json() == {
        "program": [
            "The patient already has an active episode (Outpatient, admitted 2026-11-01). "
            "Discharge it before admitting the patient again."
        ]
    }
    assert Episode.objects.filter(patient=patient).count() == 1


def test_after_discharge_a_new_admission_is_accepted(api, patient, team_nurse):
    episode = EpisodeFactory(patient=patient, program="outpatient")
    episode.status, episode.discharged_on, episode.discharge_reason = (
        "discharged",
        episode.admitted_on,
        "completed",
    )
    episode.save()
    api.force_authenticate(team_nurse)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/episodes/",
        {"program": "residential", "admitted_on": "2026-11-02"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    active = Episode.objects.get(patient=patient, status="active")
    assert (active.program, active.admitted_on.isoformat()) == ("residential", "2026-11-02")


def test_the_page_shows_the_refusal(client, patient, team_counselor):
    EpisodeFactory(patient=patient, program="otp")
    client.force_login(team_counselor)
    response = client.post(
        f"/patients/{patient.pk}/episodes/new/",
        {"program": "outpatient", "admitted_on": "2026-11-02"},
    )
    assert response.status_code == 200
    assert "already has an active episode (Opioid treatment program" in response.content.decode()
    assert Episode.objects.filter(patient=patient).count() == 1


def test_the_database_refuses_two_active_episodes_in_different_programs(patient):
    EpisodeFactory(patient=patient, program="otp")
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory(patient=patient, program="residential")


def test_an_offteam_user_gets_404(api, patient, offteam_nurse):
    api.force_authenticate(offteam_nurse)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/episodes/",
        {"program": "outpatient", "admitted_on": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not Episode.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_admissions_cannot_both_succeed(patient, team_nurse):
    import datetime

    barrier = threading.Barrier(2)
    outcomes = []

    def admit(program):
        try:
            barrier.wait(timeout=10)
            episode_admit(
                actor=team_nurse,
                patient=patient,
                program=program,
                admitted_on=datetime.date(2026, 11, 1),
            )
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - the refusal is the point
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=admit, args=(p,)) for p in ("outpatient", "residential")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ValidationError", "ok"]
    assert Episode.objects.filter(patient=patient, status="active").count() == 1
