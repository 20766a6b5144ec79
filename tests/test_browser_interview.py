"""A counselor records an intake interview in Debian's chromium: fills it in, saves a draft,
leaves, resumes it from the chart, reviews and signs it, then sees it read-only."""

import datetime

from django.utils import timezone

from intake.models import Interview, TeamRole
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory, UserFactory

pytestmark = BROWSER


def _fill_new_interview(page, last_use: str) -> None:
    """The first sections, two substance rows (the second added in place) and a few ticks."""
    page.get_by_label("Presenting problem").fill("Smoking fentanyl daily; wants to stop.")
    page.get_by_label("Primary substance").select_option("fentanyl")
    page.get_by_label("Opioid last used").select_option("fentanyl")
    page.get_by_label("Last opioid use (date and time)").fill(last_use)
    row = page.get_by_test_id("substance-row").nth(0)
    row.locator("select[name$='-substance']").select_option("fentanyl")
    row.get_by_label("Smoked").check()
    row.get_by_label("Frequency").select_option("several-daily")
    row.get_by_label("Age at first use").fill("24")
    row.get_by_label("Tolerance").select_option("true")
    # A second substance row, added in place and focused for the keyboard.
    page.get_by_role("button", name="+ Add another substance").click()
    second = page.get_by_test_id("substance-row").nth(1)
    assert second.locator("select[name$='-substance']").evaluate(
        "el => el === document.activeElement"
    )
    second.locator("select[name$='-substance']").select_option("stimulant")
    second.get_by_label("Name (e.g. oxycodone)").fill("methamphetamine")
    page.get_by_label("Family history of addiction").check()
    page.get_by_label("Needle marks").check()
    page.get_by_label("Housing").select_option("unstable")


def _resume_review_and_sign(page, chart_url: str, interview) -> None:
    # Leave, come back from the chart, and carry on.
    page.goto(chart_url)
    interviews = page.get_by_test_id("interview-list")
    assert "Draft" in interviews.inner_text()
    page.screenshot(path=ARTIFACTS / "interview-chart.png", full_page=True)
    interviews.get_by_role("link", name="Continue draft").click()
    page.wait_for_url(f"{chart_url}interviews/{interview.pk}/edit/")
    assert page.get_by_label("Presenting problem").input_value().startswith("Smoking fentanyl")
    assert page.get_by_label("Needle marks").is_checked()
    page.get_by_label("Clinician impressions").fill("Severe OUD likely; plan buprenorphine.")
    page.get_by_role("button", name="Save and review for signing").click()
    page.wait_for_url(f"{chart_url}interviews/{interview.pk}/sign/")
    assert "Severe OUD likely" in page.content()
    assert "Behavioral signs" in page.get_by_test_id("empty-sections").inner_text()
    page.screenshot(path=ARTIFACTS / "interview-review.png", full_page=True)
    page.get_by_label("I conducted this interview").check()
    page.get_by_role("button", name="Sign interview").click()
    page.wait_for_url(f"{chart_url}interviews/{interview.pk}/")


def _add_an_addendum(page, chart_url: str, interview) -> None:
    page.get_by_label("Reason for the addendum").fill("Late entry")
    page.get_by_label("Addendum*", exact=True).fill("Also uses alprazolam on weekends.")
    page.get_by_role("button", name="Sign and add addendum").click()
    page.wait_for_url(f"{chart_url}interviews/{interview.pk}/#addenda")
    assert "Also uses alprazolam on weekends." in page.get_by_test_id("addendum").inner_text()
    page.screenshot(path=ARTIFACTS / "interview-addendum.png", full_page=True)


def test_a_counselor_drafts_resumes_and_signs_an_interview(live_server, browser):
    casey = UserFactory(username="casey", first_name="Casey", last_name="Morgan", role="counselor")
    patient = PatientFactory(
        given_name="Nadia", family_name="Castellano", birth_date=datetime.date(1987, 5, 21)
    )
    CareTeamMemberFactory(patient=patient, user=casey, team_role=TeamRole.COUNSELOR)
    EpisodeFactory(patient=patient, program="otp", admitted_on=timezone.localdate())
    base = live_server.url
    chart_url = f"{base}/patients/{patient.pk}/"
    last_use = (timezone.localtime() - datetime.timedelta(hours=14)).strftime("%Y-%m-%dT%H:%M")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "casey")
    page.goto(chart_url)
    page.get_by_role("link", name="New interview").click()
    page.wait_for_url(f"{chart_url}interviews/new/")
    assert page.get_by_label("Episode of care").input_value()  # the active episode, preselected

    _fill_new_interview(page, last_use)
    page.screenshot(path=ARTIFACTS / "interview-new.png", full_page=True)
    page.screenshot(path=ARTIFACTS / "interview-new-viewport.png")  # the sticky save bar
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"{chart_url}interviews/*/edit/")
    assert "Draft saved at" in page.content()
    interview = Interview.objects.get()
    assert interview.status == "draft" and interview.substances.count() == 2
    page.screenshot(path=ARTIFACTS / "interview-draft-saved.png", full_page=True)

    _resume_review_and_sign(page, chart_url, interview)

    banner = page.get_by_test_id("signed-banner")
    assert "Signed" in banner.inner_text() and "Casey Morgan" in banner.inner_text()
    interview.refresh_from_db()
    assert page.get_by_test_id("content-hash").inner_text() == interview.content_hash
    assert "Verified" in page.get_by_test_id("hash-status").inner_text()
    assert page.get_by_role("link", name="Continue editing").count() == 0
    assert page.locator("#section-presenting input, #section-presenting textarea").count() == 0
    page.screenshot(path=ARTIFACTS / "interview-signed.png", full_page=True)

    _add_an_addendum(page, chart_url, interview)

    # The edit page is closed for good.
    page.goto(f"{chart_url}interviews/{interview.pk}/edit/")
    page.wait_for_url(f"{chart_url}interviews/{interview.pk}/")
    assert "can no longer be edited" in page.content()
    page.close()
