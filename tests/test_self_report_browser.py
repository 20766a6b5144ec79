"""The patient's self-report page in a real browser (Debian's chromium, Playwright): on a phone
(390 x 844), answered with the keyboard alone, nothing loaded from another host, no horizontal
scroll (docs/clinical-rules.md#self-report)."""

from urllib.parse import urlparse

from intake.models import PendingAssessment
from tests.browser_support import BROWSER
from tests.factories import CareTeamMemberFactory, PatientFactory, UserFactory
from tests.self_report_support import issue, page_path

pytestmark = BROWSER

SCREENSHOT = "/tmp/selfreport_phone.png"


def test_a_patient_answers_the_phq9_on_a_phone_with_the_keyboard_only(live_server, browser):
    nurse = UserFactory(username="noor", role="nurse")
    patient = PatientFactory(given_name="Roberta", preferred_name="Bobbie", family_name="Quist")
    CareTeamMemberFactory(patient=patient, user=nurse, team_role="nurse")
    issued = issue(nurse, patient, ["phq9"])
    base = live_server.url
    local = urlparse(base).hostname

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
    response = page.goto(base + page_path(issued))
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    page.wait_for_load_state("networkidle")
    content = page.content()
    assert "Hello, Bobbie" in content
    assert "Roberta" not in content and "Quist" not in content and patient.mrn not in content
    assert page.locator("fieldset").count() == 9
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Keyboard only: Tab into each question's radio group, an arrow key to choose the answer.
    for question in range(1, 10):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.name")
        assert focused == f"item_phq9.{question}", focused
        page.keyboard.press("ArrowDown")  # "Several days"
        if question == 9:
            page.keyboard.press("ArrowUp")  # back to "Not at all"
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Send my answers"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_test_id("self-report-thanks").inner_text() == "Thank you, Bobbie"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/selfreport_phone_thanks.png", full_page=True)

    pending = PendingAssessment.objects.get(patient=patient)
    assert pending.answers == {**{str(i): "1" for i in range(1, 9)}, "9": "0"}
    assert not pending.urgent
    assert hosts == {local}, hosts

    again = page.goto(base + page_path(issued))
    assert again.status == 410
    context.close()
