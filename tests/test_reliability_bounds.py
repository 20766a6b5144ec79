"""Bounds on lists, structured fields and planned dates (issue 11): each refusal is a 400 that
names the field and the limit, and nothing is stored. The limits live in intake/limits.py."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from intake import limits
from intake.models import Episode, Interview, PlanMedication, TreatmentPlan
from intake.services.treatment_plan import treatment_plan_create
from tests.factories import IN_60_DAYS, EpisodeFactory

pytestmark = pytest.mark.django_db

REVIEW = IN_60_DAYS
CBT = {"modality": "cbt", "setting": "outpatient", "frequency": "weekly", "targets": ["triggers"]}


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _post_plan(api, patient, **extra):
    body = {"setting": "outpatient", "review_date": REVIEW, "behavioral": [CBT], **extra}
    return api.post(f"/api/v1/patients/{patient.pk}/treatment-plans/", body, format="json")


def _bup(**extra) -> dict:
    today = timezone.localdate().isoformat()
    return {"drug": "buprenorphine-naloxone", "dose": "8", "frequency": "daily",
            "start_date": today, **extra}  # fmt: skip


# Lists ------------------------------------------------------------------------------------


def test_a_plan_with_more_behavioral_components_than_the_limit_is_refused(team_counselor, patient):
    api = _api(team_counselor)
    at_limit = _post_plan(api, patient, behavioral=[CBT] * limits.MAX_BEHAVIORAL)
    assert at_limit.status_code == 201
    response = _post_plan(api, patient, behavioral=[CBT] * (limits.MAX_BEHAVIORAL + 1))
    assert response.status_code == 400
    assert f"no more than {limits.MAX_BEHAVIORAL}" in str(response.json()["behavioral"])
    assert TreatmentPlan.objects.count() == 1


def test_a_taper_longer_than_the_limit_is_refused(team_physician, patient):
    steps = [{"day": d, "dose": "2"} for d in range(1, limits.MAX_TAPER_STEPS + 2)]
    response = _post_plan(_api(team_physician), patient, medications=[_bup(taper=steps)])
    assert response.status_code == 400
    assert "taper" in str(response.json()["medications"])
    assert not TreatmentPlan.objects.exists()


def test_the_service_refuses_too_many_medication_lines_for_pages_too(team_physician, patient):
    from django.core.exceptions import ValidationError

    data = {"setting": "outpatient", "review_date": timezone.localdate() + datetime.timedelta(30)}
    meds = [_bup() for _ in range(limits.MAX_MEDICATIONS + 1)]
    with pytest.raises(ValidationError) as refused:
        treatment_plan_create(
            actor=team_physician, patient=patient, data={**data, "medications": meds}
        )
    assert f"At most {limits.MAX_MEDICATIONS} medication lines" in str(refused.value)
    assert not TreatmentPlan.objects.exists()


def test_an_interview_with_more_substances_than_the_limit_is_refused(team_counselor, patient):
    rows = [
        {"substance": "other", "substance_name": f"substance {n}"}
        for n in range(limits.MAX_SUBSTANCES + 1)
    ]
    response = _api(team_counselor).post(
        f"/api/v1/patients/{patient.pk}/interviews/", {"substances": rows}, format="json"
    )
    assert response.status_code == 400
    assert "substances" in response.json()
    assert not Interview.objects.exists()


def test_a_lab_entry_with_more_results_than_the_limit_is_refused(team_nurse, patient):
    api = _api(team_nurse)
    order = api.post(f"/api/v1/patients/{patient.pk}/lab-orders/", {"panel": "uds"}, format="json")
    entries = [{"test": "fentanyl", "qualitative": "negative"}] * (limits.MAX_LAB_RESULTS + 1)
    response = api.post(
        f"/api/v1/lab-orders/{order.json()['id']}/results/",
        {"collected_at": timezone.now().isoformat(), "observed": True, "results": entries},
        format="json",
    )
    assert response.status_code == 400
    assert f"no more than {limits.MAX_LAB_RESULTS}" in str(response.json()["results"])


# The withdrawal-monitoring schedule has a schema ------------------------------------------


@pytest.mark.parametrize(
    "monitoring, field",
    [
        ({"instrument": "pulse", "every_hours": 4}, "instrument"),
        ({"instrument": "cows", "every_hours": 0}, "every_hours"),
        ({"instrument": "cows", "every_hours": 49}, "every_hours"),
        ({"instrument": "cows", "every_hours": "four"}, "every_hours"),
        ({"instrument": "cows", "every_hours": 4, "dose": "x" * 100_000}, "Unknown key"),
        ({"instrument": "cows", "every_hours": 4, "notes": "x" * 1001}, "notes"),
        ([1, 2, 3], "withdrawal_monitoring"),
        ("every four hours", "withdrawal_monitoring"),
    ],
)
def test_a_monitoring_schedule_of_the_wrong_shape_is_refused(
    team_physician, patient, monitoring, field
):
    response = _post_plan(
        _api(team_physician),
        patient,
        medically_supervised_detox=True,
        withdrawal_monitoring=monitoring,
    )
    assert response.status_code == 400, response.content[:300]
    assert field in str(response.json()), response.json()
    assert not TreatmentPlan.objects.exists()


@pytest.mark.parametrize("hours", [1, 48])
def test_a_monitoring_schedule_at_its_bounds_is_stored(team_physician, patient, hours):
    monitoring = {"instrument": "sows", "every_hours": hours, "notes": "overnight too"}
    response = _post_plan(
        _api(team_physician), patient, medically_supervised_detox=True,
        withdrawal_monitoring=monitoring,
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert TreatmentPlan.objects.get().withdrawal_monitoring == monitoring


def test_the_service_refuses_a_malformed_schedule_whoever_calls_it(team_physician, patient):
    from django.core.exceptions import ValidationError

    data = {
        "setting": "outpatient",
        "review_date": timezone.localdate() + datetime.timedelta(days=30),
        "withdrawal_monitoring": {"instrument": "cows", "every_hours": True},
    }
    with pytest.raises(ValidationError) as refused:
        treatment_plan_create(actor=team_physician, patient=patient, data=data)
    assert "withdrawal_monitoring.every_hours" in refused.value.message_dict
    assert not TreatmentPlan.objects.exists()


# Planned dates ----------------------------------------------------------------------------


def test_a_medication_that_starts_before_the_patient_was_born_is_refused(team_physician, patient):
    born = patient.birth_date - datetime.timedelta(days=1)
    response = _post_plan(_api(team_physician), patient, medications=[_bup(start_date=str(born))])
    assert response.status_code == 400
    assert "medications[0].start_date" in response.json()
    assert not PlanMedication.objects.exists()


def test_a_medication_ending_beyond_two_years_is_refused(team_physician, patient):
    end = timezone.localdate() + datetime.timedelta(days=365 * 2 + 2)
    response = _post_plan(_api(team_physician), patient, medications=[_bup(end_date=str(end))])
    assert response.status_code == 400
    assert "2 years ahead" in response.json()["medications[0].end_date"][0]
    assert not TreatmentPlan.objects.exists()


def test_a_medication_started_last_year_is_accepted(team_physician, patient):
    start = timezone.localdate() - datetime.timedelta(days=300)
    response = _post_plan(_api(team_physician), patient, medications=[_bup(start_date=str(start))])
    assert response.status_code == 201, response.json()
    assert PlanMedication.objects.get(plan__patient=patient).start_date == start


def test_an_objective_target_date_in_year_9999_is_refused(team_counselor, patient):
    problems = [
        {
            "code": "oud",
            "description": "Opioid use disorder",
            "goals": [{"text": "Stay abstinent", "objectives": [
                {"text": "Attend groups", "target_date": "9999-12-31"}]}],
        }
    ]  # fmt: skip
    response = _post_plan(_api(team_counselor), patient, problems=problems)
    assert response.status_code == 400
    assert "problems[0].goals[0].objectives[0].target_date" in response.json()
    assert not TreatmentPlan.objects.exists()


def test_a_discharge_in_the_future_is_refused(client, team_counselor, patient):
    episode = EpisodeFactory(patient=patient, admitted_on=timezone.localdate())
    client.force_login(team_counselor)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        f"/patients/{patient.pk}/episodes/{episode.pk}/discharge/",
        {"discharged_on": tomorrow.isoformat(), "reason": "completed"},
    )
    assert response.status_code == 200
    assert b"cannot be in the future" in response.content
    assert Episode.objects.get(pk=episode.pk).status == "active"


def test_a_last_opioid_use_before_birth_is_refused(team_counselor, patient):
    response = _api(team_counselor).post(
        f"/api/v1/patients/{patient.pk}/interviews/",
        {"last_opioid_use_at": "1901-01-01T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "before the date of birth" in response.json()["last_opioid_use_at"][0]
    assert not Interview.objects.exists()


# Atomic: a plan whose components fail validation leaves nothing behind ---------------------


def test_a_plan_whose_component_fails_is_not_half_stored(team_counselor, patient):
    from django.core.exceptions import ValidationError

    too_long = dict(CBT, frequency="w" * 101)  # the model's own max_length (100)
    data = {
        "setting": "outpatient",
        "review_date": timezone.localdate() + datetime.timedelta(days=30),
        "behavioral": [too_long],
    }
    with pytest.raises(ValidationError):
        treatment_plan_create(actor=team_counselor, patient=patient, data=data)
    assert not TreatmentPlan.objects.exists()
