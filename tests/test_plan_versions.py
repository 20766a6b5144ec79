"""Plan versions number one lineage per patient: a new plan drafted beside an active v2 is v3
(it supersedes v2 when signed), not a second v1; an amendment is n + 1 unless a draft took it."""

import pytest

from intake.models import TreatmentPlan
from intake.services.treatment_plan import (
    treatment_plan_amend,
    treatment_plan_approve,
    treatment_plan_create,
    treatment_plan_submit,
)
from tests.factories import IN_60_DAYS, PASSWORD

pytestmark = pytest.mark.django_db

DATA = {
    "setting": "outpatient",
    "review_date": IN_60_DAYS,
    "behavioral": [
        {"modality": "cbt", "setting": "outpatient", "frequency": "weekly", "targets": ["triggers"]}
    ],
}


def _sign(plan, counselor):
    treatment_plan_submit(actor=counselor, plan=plan)
    return treatment_plan_approve(actor=counselor, plan=plan, password=PASSWORD)


def _active_v2(patient, counselor):
    v1 = _sign(treatment_plan_create(actor=counselor, patient=patient, data=DATA), counselor)
    v2 = treatment_plan_amend(actor=counselor, plan=v1, reason="New goal")
    return _sign(v2, counselor)


def test_a_new_plan_beside_an_active_v2_is_v3(api, client, patient, team_counselor):
    v2 = _active_v2(patient, team_counselor)
    assert (v2.version, v2.status) == (2, "active")
    api.force_authenticate(team_counselor)
    response = api.post(f"/api/v1/patients/{patient.pk}/treatment-plans/", DATA, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 3

    client.force_login(team_counselor)
    page = client.get(f"/patients/{patient.pk}/plans/").content.decode()
    assert page.count("<td>v1</td>") == 1
    assert page.count("<td>v3</td>") == 1


def test_an_amendment_does_not_reuse_a_number_a_new_draft_took(patient, team_counselor):
    v2 = _active_v2(patient, team_counselor)
    fresh = treatment_plan_create(actor=team_counselor, patient=patient, data=DATA)
    assert fresh.version == 3
    amended = treatment_plan_amend(actor=team_counselor, plan=v2, reason="Dose change")
    assert amended.version == 4
    versions = list(TreatmentPlan.objects.filter(patient=patient).values_list("version", flat=True))
    assert sorted(versions) == [1, 2, 3, 4]


def test_the_first_plan_is_v1_and_an_amendment_is_v2(patient, team_counselor):
    v1 = _sign(
        treatment_plan_create(actor=team_counselor, patient=patient, data=DATA), team_counselor
    )
    assert v1.version == 1
    assert treatment_plan_amend(actor=team_counselor, plan=v1, reason="x").version == 2


def test_versions_are_per_patient(patient, team_counselor):
    from tests.factories import CareTeamMemberFactory, PatientFactory

    other = PatientFactory()
    CareTeamMemberFactory(patient=other, user=team_counselor)
    _active_v2(patient, team_counselor)
    assert treatment_plan_create(actor=team_counselor, patient=other, data=DATA).version == 1
