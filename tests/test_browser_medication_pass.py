"""The medication pass and the MAR in a browser: documented from the keyboard alone (a row's
controls in Tab order, arrow keys for the status, Enter records), and both pages fit a desktop
and a tablet held upright without scrolling sideways."""

import datetime

import time_machine

from intake.models import TeamRole
from intake.services.vital_signs import vital_signs_record
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import CareTeamMemberFactory, PatientFactory, UserFactory
from tests.mar_support import at, cows, signed_plan

pytestmark = BROWSER

D = datetime.date(2026, 11, 25)
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "tablet": {"width": 768, "height": 1024}}
LINES = [
    {"drug": "ondansetron", "dose": "4", "frequency": "tid", "start_date": D},
    {"drug": "clonidine", "dose": "0.1", "frequency": "qid", "start_date": D},
    {
        "drug": "loperamide",
        "dose": "2",
        "frequency": "q6h-prn",
        "start_date": D,
        "indication": "diarrhea",
        "route": "oral",
    },
]
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _round(nurse, physician):
    patients = []
    for given, family, hr in (("Maria", "Lopez", 55), ("James", "Okonkwo", 88)):
        patient = PatientFactory(given_name=given, family_name=family)
        CareTeamMemberFactory(patient=patient, user=nurse, team_role=TeamRole.NURSE)
        CareTeamMemberFactory(patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
        signed_plan(patient, physician, LINES, signed_at=at(D, 7))
        vital_signs_record(
            actor=nurse,
            patient=patient,
            taken_at=at(D, 9, 40),
            values={"systolic": 112, "diastolic": 70, "heart_rate": hr},
        )
        cows(patient, nurse, at(D, 9, 30), 9)
        patients.append(patient)
    return patients


def _focused(page) -> dict:
    return page.evaluate(
        "() => ({name: document.activeElement.name, value: document.activeElement.value,"
        " tag: document.activeElement.tagName})"
    )


def test_the_pass_is_documented_from_the_keyboard_and_fits(live_server, browser):
    nurse = UserFactory(username="nina", first_name="Nina", last_name="Abernathy", role="nurse")
    physician = UserFactory(username="okafor", role="physician")
    with time_machine.travel(at(D, 10), tick=True):
        maria, _james = _round(nurse, physician)
        base = live_server.url
        page = browser.new_page(viewport=WIDTHS["desktop"])
        sign_in(page, base, "nina")
        page.goto(f"{base}/medication-pass/")
        for name, size in WIDTHS.items():
            page.set_viewport_size(size)
            page.screenshot(path=ARTIFACTS / f"medication-pass-{name}.png", full_page=True)
            assert page.evaluate(OVERFLOW) <= 0, name
        page.set_viewport_size(WIDTHS["desktop"])

        # The first row: its status (Given, checked), then its reason, then Record.
        first = page.locator('[data-testid="pass-dose"]').first
        first.locator('input[name="status"]:checked').focus()
        assert _focused(page) == {"name": "status", "value": "given", "tag": "INPUT"}
        page.keyboard.press("Tab")
        assert _focused(page)["name"] == "reason"
        page.keyboard.press("Tab")
        assert _focused(page)["tag"] == "BUTTON"
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        # Clonidine with a heart rate of 55: the hold rule answers beside the row.
        refusal = first.locator('[data-testid="row-refusal"]')
        assert "Vital signs under the hold parameters" in refusal.inner_text()
        page.screenshot(path=ARTIFACTS / "medication-pass-refusal.png")

        # Held instead: the arrow key moves to Held, Tab to the reason, Enter records.
        first.locator('input[name="status"]:checked').focus()
        page.keyboard.press("ArrowRight")
        assert _focused(page)["value"] == "held"
        page.keyboard.press("Tab")
        page.keyboard.type("Heart rate 55, hold per parameters")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert "Held: Clonidine — ML (MRN" in page.locator(".alert-success").inner_text()
        assert page.locator('[data-testid="pass-entry"]').count() == 1

        page.goto(f"{base}/patients/{maria.pk}/mar/")
        for name, size in WIDTHS.items():
            page.set_viewport_size(size)
            page.screenshot(path=ARTIFACTS / f"mar-{name}.png", full_page=True)
            assert page.evaluate(OVERFLOW) <= 0, name
        page.close()
