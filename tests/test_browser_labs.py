"""End to end in Debian's chromium (Playwright, never a downloaded browser): a nurse orders a
urine drug screen, enters the whole panel with the keyboard, and sees the flags and the
drug-screen table on the chart."""

import datetime

from django.utils import timezone

from intake.models import Interview, LabOrder, LabResult, TeamRole
from intake.services.lab import lab_order_create
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import CareTeamMemberFactory, PatientFactory, UserFactory
from tests.lab_support import ecg_and_blood_history

pytestmark = BROWSER

# The keys pressed on each drug screen, down the column: n(egative) or p(ositive).
SCREEN_KEYS = [
    ("opiates", "n"),
    ("6-mam", "n"),
    ("fentanyl", "p"),
    ("norfentanyl", "p"),
    ("oxycodone", "n"),
    ("buprenorphine", "p"),
    ("norbuprenorphine", "p"),
    ("methadone", "n"),
    ("eddp", "n"),
    ("benzodiazepines", "n"),
    ("cocaine", "n"),
    ("amphetamines", "n"),
    ("thc", "n"),
    ("xylazine", "n"),
]
VALIDITY_KEYS = [
    ("specimen-temperature", "34"),
    ("creatinine", "92"),
    ("specific-gravity", "1.015"),
    ("ph", "6.5"),
]


def _focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


def _enter_the_panel_by_keyboard(page) -> None:
    # Keyboard only: collected-at is focused; tab to the specimen, to "observed", then down
    # the column of analytes.
    assert _focused(page) == "collected_at"
    for _segment in range(8):  # the date-time input takes a tab per part (day, month, ...)
        page.keyboard.press("Tab")
        if _focused(page) != "collected_at":
            break
    assert _focused(page) == "specimen_type"
    page.keyboard.press("Tab")
    assert _focused(page) == "observed"
    page.keyboard.press("Space")
    for code, key in SCREEN_KEYS:
        page.keyboard.press("Tab")
        assert _focused(page) == f"result-{code}"
        page.keyboard.press(key)
    for code, text in VALIDITY_KEYS:
        page.keyboard.press("Tab")
        assert _focused(page) == f"result-{code}"
        page.keyboard.type(text)
    assert page.get_by_label("Collection was observed").is_checked()
    assert page.get_by_label("Buprenorphine", exact=True).input_value() == "positive"
    assert page.get_by_label("Opiates (morphine, codeine)").input_value() == "negative"
    page.screenshot(path=ARTIFACTS / "lab-entry.png", full_page=True)


def _check_the_chart_lab_section(page, base: str, patient) -> None:
    """Back on the chart: the drug screen table, the latest results and the drawn trends."""
    page.get_by_role("link", name="Back to chart").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/#labs")
    table = page.get_by_test_id("lab-drug-screens")
    assert table.is_visible()
    assert table.locator("td.lab-unexpected").count() == 2  # fentanyl, norfentanyl
    latest = page.get_by_test_id("lab-latest").inner_text()
    assert "QTc interval" in latest and "High" in latest
    # The trends are drawn: Chart.js has sized both canvases.
    page.wait_for_function(
        "document.querySelectorAll('canvas[data-lab-trend]').length === 2 && "
        "Array.from(document.querySelectorAll('canvas[data-lab-trend]'))"
        ".every(c => window.Chart && Chart.getChart(c))"
    )
    page.locator("#labs").screenshot(path=ARTIFACTS / "lab-chart-section.png")
    page.screenshot(path=ARTIFACTS / "lab-chart.png", full_page=True)


def test_it_lets_a_nurse_order_a_uds_and_enter_the_panel_by_keyboard(live_server, browser):
    nurse = UserFactory(username="nina", first_name="Nina", last_name="Okafor", role="nurse")
    patient = PatientFactory(given_name="Dario", family_name="Whitfield", sex_at_birth="male")
    CareTeamMemberFactory(patient=patient, user=nurse, team_role=TeamRole.NURSE)
    Interview.objects.create(
        patient=patient,
        author=nurse,
        interviewed_on=datetime.date(2026, 10, 1),
        current_medications="Suboxone 16 mg/4 mg SL daily",
    )
    ecg_and_blood_history(patient, nurse)
    base = live_server.url

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "nina")
    page.goto(f"{base}/patients/{patient.pk}/")
    page.locator("#labs").get_by_role("link", name="Order a lab").click()
    page.get_by_label("Panel").select_option("uds")
    page.get_by_label("Routine").check()
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/labs/*/")
    order = LabOrder.objects.get(patient=patient, panel_id="uds")
    assert order.status == "ordered"

    page.get_by_role("link", name="Enter results").first.click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/labs/{order.pk}/results/")
    # No screen starts out with a reading: an unread line must not be saved as negative.
    assert page.get_by_label("Fentanyl", exact=True).input_value() == ""

    _enter_the_panel_by_keyboard(page)
    page.keyboard.press("Enter")  # submits the form from the last field

    page.wait_for_url(f"{base}/patients/{patient.pk}/labs/{order.pk}/")
    assert "Results saved" in page.content()
    results = page.get_by_test_id("lab-results")
    assert "Unexpected" in results.get_by_test_id("result-fentanyl").inner_text()
    assert "Expected" in results.get_by_test_id("result-buprenorphine").inner_text()
    assert page.get_by_test_id("specimen-status").inner_text() == "Valid"
    page.screenshot(path=ARTIFACTS / "lab-order-resulted.png", full_page=True)
    order.refresh_from_db()
    assert (order.status, order.observed, order.specimen_status) == ("resulted", True, "valid")
    assert LabResult.objects.get(order=order, test_id="fentanyl").expected is False

    _check_the_chart_lab_section(page, base, patient)
    page.close()


def test_a_screen_line_nobody_read_is_recorded_as_not_tested(live_server, browser):
    """Issue 12: no line defaults to negative; the nurse says "Not tested" for the strip that
    was missing, and the chart shows it as not tested, never as a negative."""
    nurse = UserFactory(username="noor", first_name="Noor", last_name="Haddad", role="nurse")
    patient = PatientFactory(given_name="Elias", family_name="Brandt", sex_at_birth="male")
    CareTeamMemberFactory(patient=patient, user=nurse, team_role=TeamRole.NURSE)
    order = lab_order_create(actor=nurse, patient=patient, panel="uds")
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "noor")
    page.goto(f"{base}/patients/{patient.pk}/labs/{order.pk}/results/")
    page.locator("[name=collected_at]").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    readings = {code: "negative" for code, _key in SCREEN_KEYS}
    readings["xylazine"] = "not-tested"
    # Saving with one line unread is refused and names the line; nothing is stored.
    for code, reading in readings.items():
        if code != "thc":
            page.locator(f"[name='result-{code}']").select_option(reading)
    for code, text in VALIDITY_KEYS:
        page.locator(f"[name='result-{code}']").fill(text)
    page.get_by_role("button", name="Save results").click()
    assert "Say what this line showed, or choose Not tested." in page.content()
    assert not LabResult.objects.filter(order=order).exists()
    page.locator("[name='result-thc']").select_option("negative")
    page.screenshot(path=ARTIFACTS / "lab-entry-not-tested.png", full_page=True)
    page.get_by_role("button", name="Save results").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/labs/{order.pk}/")
    row = page.get_by_test_id("lab-results").get_by_test_id("result-xylazine").inner_text()
    assert "Not tested" in row and "Negative" not in row and "Expected" not in row
    stored = LabResult.objects.get(order=order, test_id="xylazine")
    assert (stored.interpretation, stored.expected) == ("not-tested", None)
    page.goto(f"{base}/patients/{patient.pk}/#labs")
    cell = page.get_by_test_id("lab-drug-screens").locator("td[title^='Xylazine']").first
    assert cell.inner_text().strip() == "n/t"
    page.close()
