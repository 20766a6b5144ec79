"""`GET /api/v1/patients/{id}/reassessments/`, the worklist's `reassessment-due` items and the
home page's "Reassessments due" section, and the chart's "Reassessment" panel
(docs/api.md#reassessments): what each role of the care team sees, the off-team 404, audit."""

import datetime
import uuid

import pytest

from intake.models import AuditEvent
from tests.factories import mark_signed, methadone_plan
from tests.mar_support import at
from tests.reassessment_support import TODAY, admitted, days_ago, detox_plan, on_day, scored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def url(patient_id):
    return f"/api/v1/patients/{patient_id}/reassessments/"


@pytest.fixture
def due_patient(patient, team_physician):
    """Admitted 40 days ago: PHQ-9 last 35 days ago (overdue since 2026-11-20), GAD-7 12 days
    ago (next due in 18 days), no urine screen (overdue), COWS due since 03:00 (overdue), plan
    review today."""
    admitted(patient, days_ago(40))
    scored(patient, "phq9", on_day(days_ago(35)))
    scored(patient, "gad7", on_day(days_ago(12)), band="mild")
    detox_plan(patient, team_physician, signed_at=at(TODAY, 3), review_date=TODAY)
    return patient


def test_the_team_reads_the_schedule(api, due_patient, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.get(url(due_patient.pk))
    assert response.status_code == 200
    body = response.json()
    assert {
        "kind": "instrument",
        "instrument": "phq9",
        "due_on": "2026-11-20",
        "status": "overdue",
    } in body
    assert {
        "kind": "instrument",
        "instrument": "gad7",
        "due_on": "2026-12-13",
        "status": "done",
    } in body
    assert {"kind": "urine-drug-screen", "due_on": "2026-10-16", "status": "overdue"} in body
    assert {"kind": "plan-review", "due_on": "2026-11-25", "status": "due"} in body
    cows = next(i for i in body if i.get("instrument") == "cows")
    assert cows["status"] == "overdue" and cows["due_at"] == "2026-11-25T08:00:00+00:00"
    assert AuditEvent.objects.filter(
        object_type="reassessment", patient=due_patient, action="read"
    ).exists()


def test_no_active_episode_is_an_empty_list(api, patient, team_nurse):
    admitted(
        patient,
        days_ago(90),
        status="discharged",
        discharged_on=days_ago(2),
        discharge_reason="completed",
    )
    api.force_authenticate(team_nurse)
    assert api.get(url(patient.pk)).json() == []


def test_off_team_and_unknown_are_the_same_404(api, due_patient, offteam_nurse):
    api.force_authenticate(offteam_nurse)
    outside = api.get(url(due_patient.pk))
    unknown = api.get(url(uuid.uuid4()))
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()


def test_roles_without_the_permission_and_anonymous(api, due_patient, clinic_admin):
    assert api.get(url(due_patient.pk)).status_code == 401
    api.force_authenticate(clinic_admin)
    assert api.get(url(due_patient.pk)).status_code in (403, 404)


def _reassessments(api, user):
    api.force_authenticate(user)
    response = api.get("/api/v1/worklist/")
    assert response.status_code == 200
    return [i for i in response.json()["results"] if i["kind"] == "reassessment-due"]


def test_the_worklist_gives_each_role_its_kinds(
    api, due_patient, team_counselor, team_nurse, team_physician
):
    counselor = _reassessments(api, team_counselor)
    assert {i["reassessment"] for i in counselor} == {"phq9", "plan-review"}  # GAD-7 not due
    review = next(i for i in counselor if i["reassessment"] == "plan-review")
    assert review["object_type"] == "treatment-plan" and review["severity"] == "routine"
    phq9 = next(i for i in counselor if i["reassessment"] == "phq9")
    assert phq9["object_type"] == "episode" and phq9["patient"] == str(due_patient.pk)
    assert phq9["due_at"].startswith("2026-11-20T00:00")
    nurse = _reassessments(api, team_nurse)
    assert {i["reassessment"] for i in nurse} == {"urine-drug-screen", "cows"}
    cows = next(i for i in nurse if i["reassessment"] == "cows")
    assert cows["severity"] == "urgent"  # overdue: 6 hours passed without one
    assert _reassessments(api, team_physician) == []


def test_off_team_clinicians_get_none(api, due_patient, offteam_counselor, offteam_nurse):
    assert _reassessments(api, offteam_counselor) == []
    assert _reassessments(api, offteam_nurse) == []


def test_what_is_done_leaves_the_worklist(api, due_patient, team_counselor):
    scored(due_patient, "phq9", at(TODAY, 9), total=5, band="mild")
    assert {i["reassessment"] for i in _reassessments(api, team_counselor)} == {"plan-review"}


def test_the_home_page_sections(client, due_patient, team_counselor, team_nurse):
    client.force_login(team_counselor)
    page = client.get("/").content.decode()
    assert "Reassessments due" in page
    assert "PHQ-9 depression questionnaire" in page
    assert "Overdue: due 2026-11-20 (5 days ago)" in page
    assert f"/patients/{due_patient.pk}/assessments/new/phq9/" in page
    # The plan review is in the counselor's own "Treatment plan reviews due" section.
    assert page.count("Review the plan") == 1
    client.force_login(team_nurse)
    page = client.get("/").content.decode()
    assert "Urine drug screen" in page and "COWS withdrawal score" in page
    assert f"/patients/{due_patient.pk}/labs/order/?panel=uds" in page
    assert "PHQ-9 depression questionnaire" not in page


def test_the_chart_panel_in_clinical_words(client, due_patient, team_counselor):
    client.force_login(team_counselor)
    page = client.get(f"/patients/{due_patient.pk}/").content.decode()
    panel = page[page.index('data-testid="chart-reassessment"') :]
    panel = panel[: panel.index("</section>")]
    assert "Reassessment" in panel
    assert "Overdue: due 2026-11-20 (5 days ago)" in panel
    assert "GAD-7 anxiety questionnaire" in panel and "Next due 2026-12-13" in panel
    assert "Treatment plan review" in panel and "Due today" in panel
    assert "Record a PHQ-9" in panel
    # Upcoming items show on the chart, not the worklist; overdue listed first.
    assert panel.index("PHQ-9") < panel.index("GAD-7")
    assert "phq9" not in panel.replace("/phq9/", "")  # no internal codes in the words


def test_the_chart_row_gives_the_same_schedule_as_the_api(due_patient, team_nurse):
    """The chart reads the schedule's facts with its own row (one query for the page); the
    schedule is the one the API and the worklist compute, item for item (COWS with its time,
    a screen, instruments, the plan review)."""
    from intake.selectors.patient import patient_chart
    from intake.selectors.reassessment import patient_reassessments
    from tests.reassessment_support import screen

    screen(due_patient, team_nurse, days_ago(50))
    scored(due_patient, "cows", at(TODAY, 4), total=6, band="mild")
    chart = patient_chart(patient=due_patient)
    expected = patient_reassessments(patient=due_patient)
    assert chart.reassessment is not None and expected is not None
    assert chart.reassessment.items == expected.items
    assert chart.reassessment.plan_id == expected.plan_id
    assert chart.reassessment.episode_id == expected.episode_id
    assert {i.code for i in expected.items} >= {"phq9", "gad7", "cows", "urine-drug-screen"}


def test_the_chart_panel_without_an_episode(client, patient, team_nurse):
    client.force_login(team_nurse)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "No active episode of care: nothing is scheduled." in page


def test_a_plan_review_is_cleared_by_an_amendment(api, patient, team_physician, team_counselor):
    admitted(patient, days_ago(40))
    plan = methadone_plan(patient, dose="30", start_date=days_ago(30), review_date=days_ago(1))
    mark_signed(plan, team_physician)
    api.force_authenticate(team_counselor)
    review = [i for i in api.get(url(patient.pk)).json() if i["kind"] == "plan-review"]
    assert review == [{"kind": "plan-review", "due_on": "2026-11-24", "status": "overdue"}]
    type(plan).objects.filter(pk=plan.pk).update(status="superseded")
    amended = methadone_plan(patient, dose="40", start_date=TODAY, review_date=days_ago(-60))
    mark_signed(amended, team_physician)
    review = [i for i in api.get(url(patient.pk)).json() if i["kind"] == "plan-review"]
    assert review[0]["status"] == "done"


@pytest.mark.parametrize("ahead, soon", [(14, True), (15, False)])
def test_the_chart_panel_says_a_plan_review_is_due_soon(
    client, patient, team_counselor, team_physician, ahead, soon
):
    """The plan-review worklist lists a review from 14 days ahead: the chart panel does not
    call it "Up to date" meanwhile (14 days ahead: due soon; 15: up to date)."""
    admitted(patient, days_ago(10))
    scored(patient, "phq9", on_day(days_ago(2)))
    scored(patient, "gad7", on_day(days_ago(2)), band="mild")
    review_date = TODAY + datetime.timedelta(days=ahead)
    detox_plan(patient, team_physician, signed_at=at(TODAY, 3), review_date=review_date)
    client.force_login(team_counselor)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    panel = page[page.index('data-testid="chart-reassessment"') :]
    start = panel.index("Treatment plan review")
    row = panel[panel.rindex("<tr", 0, start) : panel.index("</tr>", start)]
    assert f"(in {ahead} days)" in row
    assert ("Due soon" in row) is soon and ("Up to date" in row) is not soon
