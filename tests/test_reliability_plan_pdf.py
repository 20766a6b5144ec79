"""The PDF of every stored signed plan renders (issue 11): every plan the generator builds, at
small scale, and a plan whose texts carry markup characters the PDF library would otherwise
read as its own tags."""

import io

import pytest
from django.core.management import call_command

from intake.models import TreatmentPlan
from intake.plan_pdf import render_plan_pdf

pytestmark = pytest.mark.django_db


def test_every_generated_signed_plan_renders_as_a_pdf():
    call_command("generate_data", patients=60, seed=5, stdout=io.StringIO())
    plans = TreatmentPlan.objects.filter(status__in=["active", "superseded", "closed"])
    plans = plans.select_related("patient", "signed_by")
    assert plans.count() > 5
    for plan in plans:
        pdf = render_plan_pdf(plan)
        assert pdf.startswith(b"%PDF-") and len(pdf) > 1000, plan.pk


def test_a_plan_with_markup_characters_in_its_texts_renders(api, patient, team_counselor):
    from tests.factories import PASSWORD
    from tests.test_treatment_plan_workflow import _create

    api.force_authenticate(team_counselor)
    tricky = "<b>Craving</b> & <font size=99>relapse</font> <unclosed"
    plan = _create(
        api,
        patient,
        problems=[
            {
                "code": "F11.20",
                "description": tricky,
                "goals": [
                    {
                        "text": tricky,
                        "objectives": [{"text": tricky}],
                        "interventions": [{"text": tricky, "responsible": "<i>counselor"}],
                    }
                ],
            }
        ],
    )
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    approved = api.post(
        f"/api/v1/treatment-plans/{plan['id']}/approve/",
        {"password": PASSWORD, "acknowledged_warnings": []},
        format="json",
    )
    assert approved.status_code == 200, approved.json()
    pdf = render_plan_pdf(TreatmentPlan.objects.get(pk=plan["id"]))
    assert pdf.startswith(b"%PDF-")
