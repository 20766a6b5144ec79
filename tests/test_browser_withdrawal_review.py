"""End to end in Debian's chromium (Playwright, never a downloaded browser): the team's
physician opens the daily withdrawal review from the chart, sees the detox plan beside the
form, is asked for the outcome only when completing, completes with "started maintenance"
and reads the summary on the review page and on the chart."""

import datetime
from decimal import Decimal

from django.utils import timezone

from intake.models import MedicationAdministration, TeamRole
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory, UserFactory
from tests.mar_support import cows, signed_plan

pytestmark = BROWSER


def _detox(patient, physician, nurse):
    """A three-day clonidine detox: two doses a day given, COWS falling."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=2)
    episode = EpisodeFactory(patient=patient, program="residential", admitted_on=start)
    plan = signed_plan(
        patient,
        physician,
        [
            {"drug": "clonidine", "dose": "0.1", "frequency": "bid", "start_date": start},
            {
                "drug": "loperamide",
                "dose": "2",
                "route": "oral",
                "frequency": "q6h-prn",
                "start_date": start,
                "indication": "Diarrhea",
            },
        ],
        signed_at=timezone.now() - datetime.timedelta(days=2, hours=3),
        episode=episode,
        withdrawal_monitoring={"instrument": "cows", "every_hours": 4},
    )
    clonidine = plan.medications.get(drug="clonidine")
    for days_ago, score in ((2, 15), (1, 9)):
        for hours in (0, 12):
            MedicationAdministration.objects.create(
                patient=patient,
                plan=plan,
                medication=clonidine,
                status="given",
                dose=Decimal("0.1"),
                unit="mg",
                route="oral",
                given_at=timezone.now() - datetime.timedelta(days=days_ago, hours=hours),
                created_by=nurse,
            )
        cows(patient, nurse, timezone.now() - datetime.timedelta(days=days_ago), score)
    cows(patient, nurse, timezone.now() - datetime.timedelta(hours=2), 3)
    return plan


def test_a_physician_completes_withdrawal_management(live_server, browser):
    physician = UserFactory(
        username="paula", first_name="Paula", last_name="Reyes", role="physician"
    )
    nurse = UserFactory(username="nate", first_name="Nate", last_name="Hale", role="nurse")
    patient = PatientFactory(given_name="Dario", family_name="Whitfield", sex_at_birth="male")
    CareTeamMemberFactory(patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
    CareTeamMemberFactory(patient=patient, user=nurse, team_role=TeamRole.NURSE)
    _detox(patient, physician, nurse)
    base = live_server.url

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "paula")
    page.goto(f"{base}/patients/{patient.pk}/")
    page.get_by_test_id("withdrawal-review-link").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/withdrawal-review/")
    medications = page.get_by_test_id("review-medications").inner_text()
    assert "Clonidine" in medications and "0.1 mg oral" in medications
    assert "Twice a day" in medications
    assert "Loperamide" in medications

    outcome = page.get_by_label("Outcome")
    page.get_by_label("Continue the plan").check()
    assert not outcome.is_visible()
    page.get_by_label("Withdrawal management complete").check()
    assert outcome.is_visible()
    outcome.select_option("started-maintenance")
    page.get_by_label("Review note").fill("COWS 3, sleeping and eating; starting naltrexone.")
    page.screenshot(path=ARTIFACTS / "withdrawal-review-form.png", full_page=True)
    page.get_by_role("button", name="Sign the review").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/withdrawal-review/")

    summary = page.get_by_test_id("withdrawal-summary").inner_text()
    assert "Started maintenance treatment" in summary
    assert "3 days from the first dose" in summary
    doses = page.get_by_test_id("withdrawal-summary-doses").inner_text()
    assert "Clonidine" in doses and "4" in doses and "0.4 mg" in doses
    scores = page.get_by_test_id("withdrawal-summary-scores").inner_text()
    assert "3" in scores
    history = page.get_by_test_id("review-history").inner_text()
    assert "starting naltrexone" in history
    page.screenshot(path=ARTIFACTS / "withdrawal-review-completed.png", full_page=True)

    page.goto(f"{base}/patients/{patient.pk}/")
    assert "Started maintenance treatment" in page.get_by_test_id("withdrawal-summary").inner_text()
    assert page.get_by_test_id("withdrawal-review-link").count() == 0
    page.locator("#episodes").screenshot(path=ARTIFACTS / "withdrawal-summary-chart.png")
    page.close()
