"""End to end in Debian's chromium (Playwright, never a downloaded browser): a counselor sees
the chart's "Reassessment" panel (a PHQ-9 overdue), opens the PHQ-9 trend from the chart and
finds the scores drawn on the bands with the plan change marked (no CSP error: the data comes
by json_script), and the response stated in words. Screenshots in test-artifacts/."""

import datetime

from django.utils import timezone

from intake.models import TeamRole
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import (
    CareTeamMemberFactory,
    PatientFactory,
    UserFactory,
    mark_signed,
    methadone_plan,
)
from tests.reassessment_support import admitted, scored

pytestmark = BROWSER


def test_a_counselor_reads_the_reassessments_and_the_phq9_trend(live_server, browser):
    counselor = UserFactory(username="cora", first_name="Cora", last_name="Lind", role="counselor")
    physician = UserFactory(username="pat", role="physician")
    patient = PatientFactory(given_name="Elena", family_name="Marsh")
    CareTeamMemberFactory(patient=patient, user=counselor, team_role=TeamRole.COUNSELOR)
    today = timezone.localdate()
    admitted(patient, today - datetime.timedelta(days=100))
    now = timezone.now()
    for days, total in ((95, 21), (64, 16), (33, 9)):
        scored(patient, "phq9", now - datetime.timedelta(days=days), total=total)
    plan = methadone_plan(patient, dose="40", start_date=today - datetime.timedelta(days=70))
    mark_signed(plan, physician, signed_at=now - datetime.timedelta(days=70))
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, base, "cora")
    page.goto(f"{base}/patients/{patient.pk}/")
    panel = page.get_by_test_id("chart-reassessment")
    assert "PHQ-9 depression questionnaire" in panel.inner_text()
    assert "Overdue: due" in panel.inner_text()
    assert panel.get_by_role("link", name="Record a PHQ-9").count() == 1
    panel.screenshot(path=ARTIFACTS / "reassessment-panel.png")

    page.goto(f"{base}/patients/{patient.pk}/trends/phq9/")
    page.wait_for_function("() => window.Chart && Chart.getChart('trend')")
    drawn = page.evaluate(
        "() => { const c = Chart.getChart('trend'); return c.data.datasets[0].data.length; }"
    )
    assert drawn == 3
    outcome = page.get_by_test_id("phq9-outcome").inner_text()
    assert "Response: the latest PHQ-9 (9) is 57% below the episode's first (21)" in outcome
    assert "Not in remission" in outcome
    assert "Plan signed (version 1)" in page.get_by_test_id("plan-changes").inner_text()
    page.screenshot(path=ARTIFACTS / "phq9-trend.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
