"""Plan pages: drafting with formsets, the conflict message, review evidence, amendment diff,
print and PDF."""

import pytest

from intake.models import AuditEvent, TreatmentPlan
from intake.services.treatment_plan import (
    treatment_plan_amend,
    treatment_plan_approve,
    treatment_plan_create,
    treatment_plan_submit,
    treatment_plan_update,
)
from tests.factories import IN_60_DAYS, PASSWORD, in_days, medication_row, second_factor

# Dates relative to today, so the review-date window (today to two years ahead) holds
# whenever the suite runs.
IN_88_DAYS = in_days(88)
IN_122_DAYS = in_days(122)

pytestmark = pytest.mark.django_db

EMPTY_SETS = {
    "med-TOTAL_FORMS": "1",
    "med-INITIAL_FORMS": "0",
    "beh-TOTAL_FORMS": "1",
    "beh-INITIAL_FORMS": "0",
    "prob-TOTAL_FORMS": "1",
    "prob-INITIAL_FORMS": "0",
}
BASE = {"setting": "outpatient", "review_date": IN_60_DAYS, **EMPTY_SETS}
BEHAVIORAL = [
    {
        "modality": "cbt",
        "setting": "outpatient",
        "frequency": "weekly",
        "targets": ["triggers"],
        "goals": [],
    }
]


def _signed_plan(patient, physician, dose="8"):
    plan = treatment_plan_create(
        actor=physician,
        patient=patient,
        data={
            "setting": "outpatient",
            "review_date": IN_60_DAYS,
            "behavioral": BEHAVIORAL,
            "medications": [
                {
                    "drug": "buprenorphine-naloxone",
                    "dose": dose,
                    "frequency": "daily",
                    "start_date": "2026-11-25",
                },
                {"drug": "naloxone", "dose": "4", "frequency": "once", "start_date": "2026-11-25"},
            ],
        },
    )
    treatment_plan_submit(actor=physician, plan=plan)
    return treatment_plan_approve(
        actor=physician,
        plan=plan,
        password=PASSWORD,
        otp=second_factor(physician),
        acknowledged_warnings=[
            {"code": "buprenorphine-induction-cows", "reason": "COWS 9 by phone"}
        ],
    )


def test_a_counselor_drafts_a_plan_on_the_page(client, patient, team_counselor):
    client.force_login(team_counselor)
    response = client.post(
        f"/patients/{patient.pk}/plans/new/",
        {
            **BASE,
            "beh-0-modality": "group-counseling",
            "beh-0-setting": "outpatient",
            "beh-0-frequency": "twice weekly",
            "beh-0-targets": ["coping-cravings", "relapse-plan"],
            "prob-0-code": "oud",
            "prob-0-description": "OUD, moderate",
            "prob-0-objective": "Attend 8 of 8 groups",
            "prob-0-target_date": "2026-12-31",
        },
    )
    assert response.status_code == 302
    plan = TreatmentPlan.objects.get()
    assert plan.behavioral.get().targets == ["coping-cravings", "relapse-plan"]
    assert plan.problems[0]["goals"][0]["objectives"][0]["target_date"] == "2026-12-31"


def test_a_counselor_cannot_add_medication_on_the_page(client, patient, team_counselor):
    client.force_login(team_counselor)
    response = client.post(
        f"/patients/{patient.pk}/plans/new/",
        {
            **BASE,
            **medication_row(0, "methadone", "30"),
        },
    )
    assert response.status_code == 200
    assert b"Only a prescriber" in response.content
    assert TreatmentPlan.objects.count() == 0


def test_a_bad_taper_is_refused_with_a_clear_error(client, patient, team_physician):
    client.force_login(team_physician)
    response = client.post(
        f"/patients/{patient.pk}/plans/new/",
        {
            **BASE,
            **medication_row(0, "methadone", "30", taper="day one eight"),
        },
    )
    assert response.status_code == 200
    assert b"day:dose pairs" in response.content
    assert TreatmentPlan.objects.count() == 0


def test_the_second_editor_sees_the_conflict_and_keeps_their_input(
    client, patient, team_counselor, team_nurse
):
    plan = treatment_plan_create(
        actor=team_counselor,
        patient=patient,
        data={"setting": "outpatient", "review_date": IN_60_DAYS, "behavioral": BEHAVIORAL},
    )
    treatment_plan_update(
        actor=team_counselor, plan=plan, data={"review_date": IN_88_DAYS}, revision=1
    )
    client.force_login(team_nurse)
    response = client.post(
        f"/patients/{patient.pk}/plans/{plan.pk}/edit/",
        {
            **BASE,
            "revision": "1",
            "review_date": IN_122_DAYS,
            "beh-0-modality": "cbt",
            "beh-0-setting": "outpatient",
            "beh-0-frequency": "weekly",
            "beh-0-targets": ["triggers"],
        },
    )
    assert response.status_code == 200
    assert b'data-testid="conflict"' in response.content
    assert IN_122_DAYS.encode() in response.content  # what the nurse typed is still there
    plan.refresh_from_db()
    assert plan.review_date.isoformat() == IN_88_DAYS


def test_review_shows_warnings_and_signing_needs_the_password(client, patient, team_physician):
    plan = treatment_plan_create(
        actor=team_physician,
        patient=patient,
        data={
            "setting": "outpatient",
            "review_date": IN_60_DAYS,
            "medications": [
                {
                    "drug": "methadone",
                    "dose": "30",
                    "frequency": "daily",
                    "start_date": "2026-11-25",
                }
            ],
        },
    )
    treatment_plan_submit(actor=team_physician, plan=plan)
    client.force_login(team_physician)
    page = client.get(f"/patients/{patient.pk}/plans/{plan.pk}/review/")
    assert page.status_code == 200
    assert b"methadone-qtc" in page.content and b"no-naloxone" in page.content
    acks = {"ack_methadone-qtc": "ECG ordered today", "ack_no-naloxone": "Kit given"}
    wrong = client.post(
        f"/patients/{patient.pk}/plans/{plan.pk}/review/", {"password": "wrong", **acks}
    )
    assert b"Incorrect password" in wrong.content
    ok = client.post(
        f"/patients/{patient.pk}/plans/{plan.pk}/review/",
        {"password": PASSWORD, "otp": second_factor(team_physician), **acks},
    )
    assert ok.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "active"


def test_amendment_shows_the_differences_and_version_1_prints(client, patient, team_physician):
    v1 = _signed_plan(patient, team_physician)
    v2 = treatment_plan_amend(actor=team_physician, plan=v1, reason="Dose increase")
    treatment_plan_update(
        actor=team_physician,
        plan=v2,
        revision=1,
        data={
            "medications": [
                {
                    "drug": "buprenorphine-naloxone",
                    "dose": "16",
                    "frequency": "daily",
                    "start_date": "2026-11-25",
                },
                {"drug": "naloxone", "dose": "4", "frequency": "once", "start_date": "2026-11-25"},
            ]
        },
    )
    client.force_login(team_physician)
    page = client.get(f"/patients/{patient.pk}/plans/{v2.pk}/")
    assert b'data-testid="diff"' in page.content
    assert b"16" in page.content
    v1_page = client.get(f"/patients/{patient.pk}/plans/{v1.pk}/")
    assert b"content verified" in v1_page.content
    pdf = client.get(f"/patients/{patient.pk}/plans/{v1.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_id=str(v1.pk), action="export").exists()
    # A draft does not print.
    draft_pdf = client.get(f"/patients/{patient.pk}/plans/{v2.pk}/pdf/")
    assert draft_pdf.status_code == 302
    assert draft_pdf["Location"] == f"/patients/{patient.pk}/plans/{v2.pk}/"


def test_signed_plans_are_read_only_in_the_admin(operator_client, patient, team_physician):
    admin_client = operator_client
    v1 = _signed_plan(patient, team_physician)
    response = admin_client.get(f"/admin/intake/treatmentplan/{v1.pk}/change/")
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    post = admin_client.post(
        f"/admin/intake/treatmentplan/{v1.pk}/change/", {"setting": "inpatient"}
    )
    assert post.status_code == 403
    v1.refresh_from_db()
    assert v1.setting == "outpatient"


def test_progress_notes_add_to_the_active_plan_without_changing_it(
    client, patient, team_physician, team_counselor
):
    plan = _signed_plan(patient, team_physician)
    component = plan.behavioral.get()
    client.force_login(team_counselor)
    url = f"/patients/{patient.pk}/plans/{plan.pk}/behavioral/{component.pk}/notes/"
    response = client.post(
        url, {"progress": "progressing", "text": "Named three triggers; used urge surfing twice."}
    )
    assert response.status_code == 302
    page = client.get(f"/patients/{patient.pk}/plans/{plan.pk}/")
    assert b"urge surfing" in page.content
    plan.refresh_from_db()
    from intake.services.treatment_plan import treatment_plan_verify

    assert treatment_plan_verify(plan)  # the signed content is untouched
    assert client.post(url, {"progress": "bogus", "text": "x"}).status_code == 302
    assert component.progress_notes.count() == 1
    draft = treatment_plan_amend(actor=team_physician, plan=plan, reason="Dose change")
    draft_component = draft.behavioral.get()
    client.post(
        f"/patients/{patient.pk}/plans/{draft.pk}/behavioral/{draft_component.pk}/notes/",
        {"progress": "achieved", "text": "On a draft"},
    )
    assert draft_component.progress_notes.count() == 0
