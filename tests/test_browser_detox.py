"""A detox end to end in Debian's chromium (Playwright, never a downloaded browser), as the
people who do it: a signed plan (clonidine 0.1 mg four times a day, buprenorphine/naloxone 4 mg
every 4 hours as needed for withdrawal, COWS every 4 hours) puts a dose due on the nurse's
medication pass; she records low vital signs, is refused the clonidine beside its row for the
hold parameters and holds it from the keyboard, scores a COWS of 18 and gives the PRN
buprenorphine on the MAR; the physician sees the held dose on the worklist, reads the
flowsheet on the daily review and continues the plan, and the next day completes withdrawal
management and reads the completion summary on the chart
(docs/clinical-rules.md#medication-administration, docs/clinical-rules.md#withdrawal-review)."""

import datetime
from decimal import Decimal

import time_machine

from intake.models import Episode, MedicationAdministration, TeamRole, WithdrawalReview
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory, UserFactory
from tests.mar_support import at, signed_plan

pytestmark = BROWSER

D = datetime.date(2026, 11, 25)
VIEWPORT = {"width": 1280, "height": 900}
# Points chosen per COWS item (by the button's position), as tests/test_browser_assessment.py:
# a total of 18, moderate withdrawal.
COWS_CHOICES = {1: 2, 2: 1, 3: 1, 4: 2, 5: 1, 6: 2, 7: 2, 8: 1, 9: 1, 10: 2, 11: 1}


def _shot(page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"detox-{name}.png", full_page=True)


def _focused(page) -> dict:
    return page.evaluate(
        "() => ({name: document.activeElement.name, value: document.activeElement.value,"
        " tag: document.activeElement.tagName})"
    )


def _detox_patient(nurse, physician):
    patient = PatientFactory(given_name="Dario", family_name="Whitfield", sex_at_birth="male")
    CareTeamMemberFactory(patient=patient, user=nurse, team_role=TeamRole.NURSE)
    CareTeamMemberFactory(patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
    episode = EpisodeFactory(patient=patient, program="residential", admitted_on=D)
    plan = signed_plan(
        patient,
        physician,
        [
            {"drug": "clonidine", "dose": "0.1", "frequency": "qid", "start_date": D},
            {
                "drug": "buprenorphine-naloxone",
                "dose": "4",
                "route": "sublingual",
                "frequency": "q4h-prn",
                "start_date": D,
                "indication": "withdrawal",
            },
        ],
        signed_at=at(D, 7),
        episode=episode,
        withdrawal_monitoring={"instrument": "cows", "every_hours": 4},
    )
    return patient, episode, plan


def _nurse_records_low_vitals(page, base, patient) -> None:
    page.goto(f"{base}/patients/{patient.pk}/")
    page.locator("#vital-signs").get_by_role("link", name="Record vital signs").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/vital-signs/record/")
    page.get_by_label("Systolic blood pressure (mmHg)").fill("84")
    page.get_by_label("Diastolic blood pressure (mmHg)").fill("52")
    page.get_by_label("Heart rate (/min)").fill("58")
    page.get_by_role("button", name="Record vital signs").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/#vital-signs")
    latest = page.get_by_test_id("vital-signs-latest").inner_text()
    assert "84 mmHg" in latest and "Low" in latest
    _shot(page, "01-vital-signs-on-chart")


def _nurse_holds_the_clonidine(page, base, patient, plan) -> None:
    page.get_by_test_id("nav-medication-pass").click()
    page.wait_for_url(f"{base}/medication-pass/")
    row = page.locator('[data-testid="pass-dose"]', has_text="Clonidine").first
    assert "Due" in row.get_by_test_id("pass-status").inner_text()
    vitals = row.get_by_test_id("latest-vitals").inner_text()
    assert "BP 84/52" in vitals and "HR 58" in vitals
    _shot(page, "02-pass")

    # Given, from the keyboard: the status (Given, checked), Tab to the reason, Tab to Record.
    row.locator('input[name="status"]:checked').focus()
    assert _focused(page) == {"name": "status", "value": "given", "tag": "INPUT"}
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused(page)["tag"] == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    row = page.locator('[data-testid="pass-dose"]', has_text="Clonidine").first
    refusal = row.get_by_test_id("row-refusal").inner_text()
    assert "Not recorded — Vital signs under the hold parameters" in refusal
    assert "84 (hold below 90)" in refusal
    assert not MedicationAdministration.objects.filter(patient=patient).exists()
    _shot(page, "03-pass-refusal")

    # Held instead: the arrow key moves to Held, Tab to the reason, Enter records.
    row.locator('input[name="status"]:checked').focus()
    page.keyboard.press("ArrowRight")
    assert _focused(page)["value"] == "held"
    page.keyboard.press("Tab")
    page.keyboard.type("BP 84/52, HR 58: held per parameters")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Held: Clonidine — DW (MRN" in page.locator(".alert-success").inner_text()
    entry = page.get_by_test_id("pass-entry").first.inner_text()
    assert "Held by Nina Abernathy" in entry and "held per parameters" in entry
    _shot(page, "04-pass-held")
    held = MedicationAdministration.objects.get(patient=patient)
    assert (held.status, held.medication.drug, held.plan_id) == ("held", "clonidine", plan.pk)
    assert held.reason == "BP 84/52, HR 58: held per parameters"
    assert held.due_at == at(D, 9)
    assert held.dose is None


def _nurse_scores_a_cows(page, base, patient) -> None:
    page.goto(f"{base}/patients/{patient.pk}/")
    page.get_by_role("link", name="Instruments & history").click()
    page.get_by_role("link", name="Clinical Opiate Withdrawal Scale").click()
    for item, position in COWS_CHOICES.items():
        group = page.locator(f"fieldset[data-item=item_{item}]")
        group.locator("input").first.focus()
        page.keyboard.press("Space")
        for _ in range(position):
            page.keyboard.press("ArrowRight")
    assert page.get_by_test_id("running-total").inner_text() == "18"
    page.get_by_role("button", name="Score and save").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/assessments/*/")
    assert page.get_by_test_id("total").inner_text() == "18"
    assert "Moderate (13-24)" in page.get_by_test_id("band").inner_text()
    _shot(page, "05-cows")


def _nurse_gives_the_buprenorphine(page, base, patient) -> None:
    page.get_by_test_id("nav-medication-pass").click()
    prn = page.get_by_test_id("pass-prn").filter(has_text="Buprenorphine")
    assert "Available now" in prn.inner_text()
    assert "COWS 18" in prn.get_by_test_id("latest-vitals").inner_text()
    prn.get_by_role("link", name="Give on the MAR").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/mar/#prn")
    row = page.get_by_test_id("mar-prn").filter(has_text="Buprenorphine")
    assert "for withdrawal" in row.inner_text()
    row.get_by_label("Dose").fill("4")
    row.get_by_role("textbox", name="What").fill("Withdrawal, COWS 18")
    row.get_by_role("button", name="Give now").click()
    page.wait_for_load_state()
    row = page.get_by_test_id("mar-prn").filter(has_text="Buprenorphine")
    given = row.get_by_test_id("mar-entry").inner_text()
    assert "Given" in given and "4 mg" in given and "Withdrawal, COWS 18" in given
    assert "Next allowed 13:" in row.get_by_test_id("prn-limits").inner_text()
    held = page.get_by_test_id("mar-dose").filter(has_text="Clonidine").first
    assert "Held" in held.get_by_test_id("mar-status").inner_text()
    _shot(page, "06-mar-prn-given")
    dose = MedicationAdministration.objects.get(patient=patient, status="given")
    assert dose.medication.drug == "buprenorphine-naloxone"
    assert (dose.dose, dose.unit, dose.due_at) == (Decimal("4"), "mg", None)


def _physician_continues(page, base, patient) -> None:
    held = page.get_by_test_id("worklist-doses-held").inner_text()
    assert "Whitfield, Dario" in held and "Clonidine" in held
    _shot(page, "07-physician-worklist")
    page.goto(f"{base}/patients/{patient.pk}/")
    page.get_by_test_id("withdrawal-review-link").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/withdrawal-review/")
    sheet = page.get_by_test_id("review-flowsheet")
    today = sheet.locator(f'[data-testid="flowsheet-day"][data-date="{D.isoformat()}"]')
    rows = {
        r.get_attribute("data-row"): r.inner_text().lower()
        for r in today.get_by_test_id("flowsheet-row").all()
    }
    # Words are upper-cased by the style sheet; the text is read in lower case.
    assert "18 moderate (13-24)" in rows["cows"]
    assert "84/52 low" in rows["blood_pressure"] and "58 low" in rows["heart_rate"]
    assert "0.1 mg held" in rows["drug:clonidine"]
    assert "held per parameters" in rows["drug:clonidine"]
    assert "4 mg given (as needed)" in rows["drug:buprenorphine-naloxone"]
    _shot(page, "08-review-flowsheet")

    page.get_by_label("Continue the plan").check()
    assert not page.get_by_label("Outcome").is_visible()
    page.get_by_label("Review note").fill(
        "COWS 18 after the held clonidine; PRN dose given. Continue."
    )
    page.get_by_role("button", name="Sign the review").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/withdrawal-review/")
    history = page.get_by_test_id("review-history").inner_text()
    assert "Continue the plan" in history and "PRN dose given" in history
    _shot(page, "09-review-continued")


def _physician_completes(page, base, patient) -> None:
    page.goto(f"{base}/patients/{patient.pk}/withdrawal-review/")
    page.get_by_label("Withdrawal management complete").check()
    page.get_by_label("Outcome").select_option("completed")
    page.get_by_label("Review note").fill("COWS settled; detox complete.")
    page.get_by_role("button", name="Sign the review").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/withdrawal-review/")
    summary = page.get_by_test_id("withdrawal-summary").inner_text()
    assert "Completed withdrawal management" in summary
    assert "2 days from the first dose" in summary
    doses = page.get_by_test_id("withdrawal-summary-doses").inner_text()
    assert "Buprenorphine" in doses and "4 mg" in doses
    assert "Clonidine" not in doses  # held, never given
    scores = page.get_by_test_id("withdrawal-summary-scores").inner_text()
    assert "18" in scores
    _shot(page, "10-review-completed")

    page.goto(f"{base}/patients/{patient.pk}/")
    chart = page.get_by_test_id("withdrawal-summary").inner_text()
    assert "Completed withdrawal management" in chart and "2 days" in chart
    assert "Buprenorphine/naloxone (sublingual)\t1\t4 mg" in chart
    assert "Clonidine" not in chart
    assert "COWS\t18\tModerate" in chart
    assert page.get_by_test_id("withdrawal-review-link").count() == 0
    _shot(page, "11-chart-summary")


def test_a_detox_runs_end_to_end(live_server, browser):
    nurse = UserFactory(username="nina", first_name="Nina", last_name="Abernathy", role="nurse")
    physician = UserFactory(
        username="paula", first_name="Paula", last_name="Reyes", role="physician"
    )
    base = live_server.url
    # The clonidine dose of 09:00 is due; the live server's thread reads the same clock.
    with time_machine.travel(at(D, 9, 5), tick=True):
        patient, episode, plan = _detox_patient(nurse, physician)
        page = browser.new_page(viewport=VIEWPORT)
        sign_in(page, base, "nina")
        due = page.get_by_test_id("worklist-doses-due").inner_text()
        assert "Whitfield, Dario" in due and "Clonidine 0.1 mg" in due
        _shot(page, "00-nurse-worklist")
        _nurse_records_low_vitals(page, base, patient)
        _nurse_holds_the_clonidine(page, base, patient, plan)
        _nurse_scores_a_cows(page, base, patient)
        _nurse_gives_the_buprenorphine(page, base, patient)
        # The held dose is documented: no longer due on the nurse's worklist.
        page.get_by_role("link", name="Home").click()
        assert page.get_by_test_id("worklist-doses-due").get_by_test_id("work-row").count() == 0
        page.close()

        page = browser.new_page(viewport=VIEWPORT)
        sign_in(page, base, "paula")
        _physician_continues(page, base, patient)
        page.close()
    review = WithdrawalReview.objects.get(patient=patient)
    assert (review.decision, review.outcome, review.created_by) == ("continue", "", physician)
    assert review.episode == episode and review.plan == plan

    # The next morning the physician completes withdrawal management.
    with time_machine.travel(at(D + datetime.timedelta(days=1), 10), tick=True):
        page = browser.new_page(viewport=VIEWPORT)
        sign_in(page, base, "paula")
        _physician_completes(page, base, patient)
        page.close()
    reviews = list(WithdrawalReview.objects.filter(patient=patient).order_by("reviewed_at"))
    assert [(r.decision, r.outcome) for r in reviews] == [
        ("continue", ""),
        ("complete", "completed"),
    ]
    summary = Episode.objects.get(pk=episode.pk).withdrawal_summary
    assert summary["outcome"] == "completed" and summary["days"] == 2
    assert summary["doses"] == {"buprenorphine-naloxone": {"doses": 1, "total": "4", "unit": "mg"}}
    assert summary["last_scores"]["cows"]["total"] == 18
    assert summary["last_scores"]["cows"]["band"] == "moderate"
    assert MedicationAdministration.objects.filter(patient=patient).count() == 2
