"""The withdrawal flowsheet in a real browser: the grid on screen and on paper (A4 landscape,
without the navigation), screenshots in test-artifacts/ for a person to look at."""

import time_machine

from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.mar_support import at
from tests.test_withdrawal_flowsheet import D2, PAGE, detox  # noqa: F401 (a fixture)

pytestmark = BROWSER


def test_the_flowsheet_on_screen_and_on_paper(live_server, browser, patient, team_nurse, detox):  # noqa: F811
    with time_machine.travel(at(D2, 12), tick=True):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, live_server.url, team_nurse.username)
        page.goto(live_server.url + PAGE.format(patient.pk))
        days = page.get_by_test_id("flowsheet-day")
        assert days.count() == 3
        first = days.nth(0).inner_text()
        assert "Moderate (13-24)" in first and "HELD" in first.upper()
        page.screenshot(path=ARTIFACTS / "withdrawal-flowsheet.png", full_page=True)
        assert page.get_by_role("button", name="Print").is_visible()

        page.emulate_media(media="print")
        assert not page.get_by_role("button", name="Print").is_visible()
        assert not page.get_by_role("navigation", name="Days of the flowsheet").is_visible()
        page.screenshot(path=ARTIFACTS / "withdrawal-flowsheet-print.png", full_page=True)
        page.pdf(path=str(ARTIFACTS / "withdrawal-flowsheet.pdf"), prefer_css_page_size=True)
        page.close()
