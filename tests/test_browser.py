"""End to end in a real browser: Debian's chromium driven by Playwright (never a downloaded one)."""

from intake.models import Patient
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import UserFactory

pytestmark = BROWSER


def test_a_counselor_registers_and_finds_a_patient_another_cannot_open(live_server, browser):
    UserFactory(username="casey", first_name="Casey", last_name="Morgan", role="counselor")
    UserFactory(username="jordan", first_name="Jordan", last_name="Reyes", role="counselor")
    base = live_server.url

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "casey")
    assert "Counselor" in page.get_by_test_id("signed-in-as").inner_text()

    page.get_by_role("link", name="Register patient").click()
    page.get_by_label("Legal given name").fill("Nadia")
    page.get_by_label("Legal family name").fill("Castellano")
    page.get_by_label("Date of birth").fill("1987-05-21")
    page.get_by_label("Sex at birth").select_option("female")
    page.get_by_label("Pronouns").fill("she/her")
    page.get_by_label("Reason for seeking care").fill("Fentanyl use, wants buprenorphine")
    page.screenshot(path=ARTIFACTS / "register-form.png", full_page=True)
    page.get_by_role("button", name="Register patient").click()
    page.wait_for_url(f"{base}/patients/*/")
    assert page.get_by_test_id("patient-name").inner_text() == "Nadia Castellano"
    chart_url = page.url
    mrn = Patient.objects.get(family_name="Castellano").mrn
    assert mrn in page.content()
    assert "Nadia" not in chart_url and mrn not in chart_url
    page.screenshot(path=ARTIFACTS / "chart.png", full_page=True)

    page.get_by_role("searchbox", name="Search patients").fill("castelano")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_test_id("search-results")
    assert "Castellano, Nadia" in results.inner_text()
    assert "castelano" not in page.url
    page.screenshot(path=ARTIFACTS / "search.png", full_page=True)
    results.get_by_role("link", name="Castellano, Nadia").click()
    page.wait_for_url(chart_url)
    page.close()

    other = browser.new_page()
    sign_in(other, base, "jordan")
    response = other.goto(chart_url)
    assert response.status == 404
    assert "Castellano" not in other.content()
    other.screenshot(path=ARTIFACTS / "not-on-team.png", full_page=True)
    other.get_by_role("searchbox", name="Search patients").fill("Castellano")
    other.get_by_role("button", name="Search").click()
    assert "No patient matches" in other.content()
    other.close()
