"""A counselor completes a COWS in the browser, with the keyboard, and sees its band."""

from intake.models import Assessment, TeamRole
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import CareTeamMemberFactory, PatientFactory, UserFactory

pytestmark = BROWSER

# Points chosen per COWS item (by the button's position): 2+1+1+2+1+2+2+1+1+2+3 = 18 moderate.
CHOICES = {1: 2, 2: 1, 3: 1, 4: 2, 5: 1, 6: 2, 7: 2, 8: 1, 9: 1, 10: 2, 11: 1}


def test_a_counselor_completes_a_cows_and_sees_its_band(live_server, browser):
    counselor = UserFactory(
        username="casey", first_name="Casey", last_name="Morgan", role="counselor"
    )
    patient = PatientFactory(given_name="Dan", family_name="Kowalski")
    CareTeamMemberFactory(patient=patient, user=counselor, team_role=TeamRole.COUNSELOR)
    base = live_server.url

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "casey")
    page.get_by_role("link", name="Kowalski, Dan").click()
    page.get_by_role("link", name="Instruments & history").click()
    page.get_by_role("link", name="Clinical Opiate Withdrawal Scale").click()
    for item, position in CHOICES.items():
        group = page.locator(f"fieldset[data-item=item_{item}]")
        # Keyboard: focus the group's first option, arrow to the wanted one.
        group.locator("input").first.focus()
        page.keyboard.press("Space")
        for _ in range(position):
            page.keyboard.press("ArrowRight")
    assert page.get_by_test_id("running-total").inner_text() == "18"
    page.screenshot(path=ARTIFACTS / "cows-form.png", full_page=True)
    page.get_by_role("button", name="Score and save").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/assessments/*/")
    assert page.get_by_test_id("total").inner_text() == "18"
    assert "Moderate (13-24)" in page.get_by_test_id("band").inner_text()
    page.screenshot(path=ARTIFACTS / "cows-result.png", full_page=True)
    stored = Assessment.objects.get(patient=patient)
    assert (stored.total, stored.band) == (18, "moderate")

    page.get_by_role("link", name="Trend of Clinical Opiate Withdrawal Scale").click()
    page.wait_for_selector("canvas#trend")
    page.screenshot(path=ARTIFACTS / "cows-trend.png", full_page=True)
    page.close()
