"""Any change to a medication line by a non-prescriber is refused (issue 10, item 8): route,
unit and indication as well as drug and dose."""

import pytest

from intake.models import PlanMedication
from tests.test_treatment_plan_workflow import BUP, NALOXONE, _create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change",
    [{"route": "intravenous"}, {"indication": "pain"}, {"unit": "mcg"}, {"dose": "16"}],
)
def test_a_counselor_cannot_change_any_part_of_a_medication_line(
    api, patient, team_physician, team_counselor, change
):
    api.force_authenticate(team_physician)
    plan = _create(api, patient, medications=[BUP, NALOXONE])
    stored = PlanMedication.objects.get(plan_id=plan["id"], drug=BUP["drug"])
    before = (stored.route, stored.unit, stored.indication, stored.dose)
    api.force_authenticate(team_counselor)
    edited = api.patch(
        f"/api/v1/treatment-plans/{plan['id']}/",
        {"revision": plan["revision"], "medications": [{**BUP, **change}, NALOXONE]},
        format="json",
    )
    assert edited.status_code in (400, 403), edited.json()
    stored.refresh_from_db()
    assert (stored.route, stored.unit, stored.indication, stored.dose) == before


def test_a_counselor_may_still_resend_the_lines_unchanged(
    api, patient, team_physician, team_counselor
):
    api.force_authenticate(team_physician)
    plan = _create(api, patient, medications=[BUP, NALOXONE])
    api.force_authenticate(team_counselor)
    edited = api.patch(
        f"/api/v1/treatment-plans/{plan['id']}/",
        {"revision": plan["revision"], "medications": [BUP, NALOXONE], "goals": "Stay in care"},
        format="json",
    )
    assert edited.status_code == 200, edited.json()
    lines = PlanMedication.objects.filter(plan_id=plan["id"])
    assert sorted(lines.values_list("drug", flat=True)) == sorted([BUP["drug"], NALOXONE["drug"]])
