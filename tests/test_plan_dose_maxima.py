"""Doses above a drug's absolute maximum (docs/clinical-rules.md#absolute-dose-maxima) are refused
when a plan is saved, through the API and the page, on create and update (and an amendment's
draft cannot be submitted or signed with one): at the maximum accepted, just above refused."""

from decimal import Decimal as D

import pytest

from intake.formulary import ABSOLUTE_MAXIMA, DRUGS, TIMES_PER_DAY, dose_refusal
from intake.models import PlanMedication, TreatmentPlan
from intake.services.treatment_plan import treatment_plan_submit
from tests.factories import IN_60_DAYS, PASSWORD, medication_row, methadone_plan, second_factor

pytestmark = pytest.mark.django_db

BASE = {"setting": "outpatient", "review_date": IN_60_DAYS}
NALOXONE = {"drug": "naloxone", "dose": "4", "frequency": "once", "start_date": "2026-11-25"}

# (drug, frequency, dose at the maximum, dose just above it)
BOUNDARIES = [
    ("buprenorphine", "bid", "16", "16.001"),  # 32 mg a day
    ("buprenorphine-naloxone", "daily", "32", "32.001"),
    ("buprenorphine-xr", "monthly", "300", "300.001"),  # a dose
    ("methadone", "daily", "500", "500.001"),
    ("naltrexone", "tid", "50", "50.001"),  # 150 mg a day
    ("naltrexone-xr", "q4w", "380", "380.001"),  # a dose
    ("lofexidine", "qid", "0.72", "0.721"),  # 2.88 a day and 0.72 a dose
    ("clonidine", "qid", "0.6", "0.601"),  # 2.4 a day
    ("ondansetron", "q6h-prn", "8", "8.001"),  # prn counts at its maximum: 4 a day
    ("loperamide", "bid", "8", "8.001"),  # 16 mg a day
    ("ibuprofen", "q8h-prn", "1066.666", "1066.667"),  # 3 a day: 3200 mg
    ("acetaminophen", "qid", "1000", "1000.001"),
    ("naloxone", "once", "8", "8.001"),  # a dose
    ("hydroxyzine", "qid", "100", "100.001"),  # 400 mg a day
    ("trazodone", "bid", "200", "200.001"),  # 400 mg a day
    ("dicyclomine", "qid", "40", "40.001"),  # 160 mg a day
    ("methocarbamol", "qid", "2000", "2000.001"),  # 8000 mg a day
]


def test_every_formulary_drug_has_an_absolute_maximum():
    assert set(DRUGS) <= set(ABSOLUTE_MAXIMA)


@pytest.mark.parametrize(("drug", "frequency", "at_max", "above"), BOUNDARIES)
def test_the_maximum_is_accepted_and_just_above_refused(drug, frequency, at_max, above):
    assert dose_refusal(drug, D(at_max), frequency) is None
    assert dose_refusal(drug, D(above), frequency) is not None


def test_lofexidine_is_refused_above_its_single_dose_even_within_the_daily_maximum():
    assert "a dose" in dose_refusal("lofexidine", D("0.8"), "bid")
    assert "a day" in dose_refusal("lofexidine", D("0.72"), "q4h-prn")  # 4.32 a day


def test_the_api_refuses_99999_mg_of_methadone_naming_the_line(api, patient, team_physician):
    api.force_authenticate(team_physician)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/treatment-plans/",
        {
            **BASE,
            "medications": [
                NALOXONE,
                {
                    "drug": "methadone",
                    "dose": "99999",
                    "frequency": "daily",
                    "start_date": "2026-11-25",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "medications[1].dose": ["Methadone: 99999 mg a day is above the maximum of 500 mg a day."]
    }
    assert TreatmentPlan.objects.count() == 0


def test_the_api_accepts_methadone_at_500_mg_and_refuses_a_taper_step_above(
    api, patient, team_physician
):
    api.force_authenticate(team_physician)
    url = f"/api/v1/patients/{patient.pk}/treatment-plans/"
    med = {"drug": "methadone", "dose": "500", "frequency": "daily", "start_date": "2026-11-25"}
    assert api.post(url, {**BASE, "medications": [med]}, format="json").status_code == 201
    response = api.post(
        url,
        {**BASE, "medications": [{**med, "dose": "40", "taper": [{"day": 2, "dose": "501"}]}]},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["medications[0].taper"]


def test_an_update_above_the_maximum_is_refused_and_changes_nothing(api, patient, team_physician):
    api.force_authenticate(team_physician)
    med = {"drug": "clonidine", "dose": "0.1", "frequency": "tid", "start_date": "2026-11-25"}
    plan = api.post(
        f"/api/v1/patients/{patient.pk}/treatment-plans/",
        {**BASE, "medications": [med]},
        format="json",
    ).json()
    response = api.patch(
        f"/api/v1/treatment-plans/{plan['id']}/",
        {"revision": 1, "medications": [{**med, "dose": "0.9"}]},  # 2.7 mg a day
        format="json",
    )
    assert response.status_code == 400
    assert "medications[0].dose" in response.json()
    stored = TreatmentPlan.objects.get(pk=plan["id"])
    assert stored.revision == 1
    assert [m.dose for m in stored.medications.all()] == [D("0.1")]


@pytest.mark.parametrize("dose", [True, "lots", None, [], "NaN", "1e9"])
def test_wrong_dose_types_are_400(api, patient, team_physician, dose):
    api.force_authenticate(team_physician)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/treatment-plans/",
        {
            **BASE,
            "medications": [
                {
                    "drug": "methadone",
                    "dose": dose,
                    "frequency": "daily",
                    "start_date": "2026-11-25",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert TreatmentPlan.objects.count() == 0


def test_the_page_puts_the_refusal_on_the_dose_field(client, patient, team_physician):
    client.force_login(team_physician)
    response = client.post(
        f"/patients/{patient.pk}/plans/new/",
        {
            **BASE,
            "med-TOTAL_FORMS": "2",
            "med-INITIAL_FORMS": "0",
            "beh-TOTAL_FORMS": "1",
            "beh-INITIAL_FORMS": "0",
            "prob-TOTAL_FORMS": "1",
            "prob-INITIAL_FORMS": "0",
            **medication_row(1, "methadone", "99999"),
        },
    )
    assert response.status_code == 200
    meds = response.context["meds"]
    assert meds.forms[1].errors["dose"] == [
        "Methadone: 99999 mg a day is above the maximum of 500 mg a day."
    ]
    assert TreatmentPlan.objects.count() == 0


def test_a_draft_stored_above_the_maximum_cannot_be_submitted_or_signed(
    api, patient, team_physician
):
    api.force_authenticate(team_physician)
    plan = api.post(
        f"/api/v1/patients/{patient.pk}/treatment-plans/",
        {**BASE, "medications": [NALOXONE]},
        format="json",
    ).json()
    api.post(f"/api/v1/treatment-plans/{plan['id']}/submit/", {}, format="json")
    # A line written before the maxima were enforced (or by SQL) is caught at signing too.
    PlanMedication.objects.filter(plan_id=plan["id"]).update(dose=D("12"))
    response = api.post(
        f"/api/v1/treatment-plans/{plan['id']}/approve/",
        {"password": PASSWORD, "otp": second_factor(team_physician)},
        format="json",
    )
    assert response.status_code == 400
    assert "medications[0].dose" in response.json()
    assert TreatmentPlan.objects.get(pk=plan["id"]).status == "submitted"

    draft = methadone_plan(patient, dose=600, start_date="2026-11-25")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        treatment_plan_submit(actor=team_physician, plan=draft)


def test_times_per_day_used_for_the_maxima_match_the_reference():
    assert TIMES_PER_DAY["q4h-prn"] == 6 and TIMES_PER_DAY["q6h-prn"] == 4
    assert TIMES_PER_DAY["q8h-prn"] == 3
