"""Rows of the plan and interview forms are added and removed in place (formsets.js), and a draft
naming rows the page does not have yet brings them back (drafts.js)."""

import datetime

from django.utils import timezone

from intake.models import Interview, TeamRole, TreatmentPlan
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import (
    CareTeamMemberFactory,
    EpisodeFactory,
    PatientFactory,
    UserFactory,
    in_days,
)

pytestmark = BROWSER


def _fill_medication(row, drug, dose, start="2026-12-01"):
    row.locator("select[name$='-drug']").select_option(drug)
    row.locator("input[name$='-dose']").fill(dose)
    row.locator("select[name$='-frequency']").select_option("daily")
    row.locator("input[name$='-start_date']").fill(start)


def test_medication_rows_are_added_and_removed_in_place_then_saved(live_server, browser):
    okafor = UserFactory(
        username="okafor", first_name="Elena", last_name="Okafor", role="physician"
    )
    patient = PatientFactory(given_name="Jamal", family_name="Washington")
    CareTeamMemberFactory(patient=patient, user=okafor, team_role=TeamRole.PHYSICIAN)
    base = live_server.url

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, base, "okafor")
    page.goto(f"{base}/patients/{patient.pk}/plans/new/")
    rows = page.get_by_test_id("medication-row")
    assert rows.count() == 2  # the server's empty rows
    # The tick boxes are the no-script way; with the script, Remove buttons.
    assert not rows.nth(0).get_by_label("Remove this row").is_visible()
    page.get_by_label("Review date").fill(in_days(43))
    _fill_medication(rows.nth(0), "buprenorphine-naloxone", "16")
    _fill_medication(rows.nth(1), "clonidine", "0.1")

    page.get_by_role("button", name="+ Add another medication").click()
    assert rows.count() == 3
    third = rows.nth(2)
    assert third.locator("select[name$='-drug']").evaluate("el => el === document.activeElement")
    assert third.locator("select[name$='-drug']").get_attribute("name") == "med-2-drug"
    assert page.locator("input[name=med-TOTAL_FORMS]").input_value() == "3"
    _fill_medication(third, "lofexidine", "0.54")

    # A row added here and removed again is gone, as if never added.
    page.get_by_role("button", name="+ Add another medication").click()
    assert rows.count() == 4
    rows.nth(3).get_by_role("button", name="Remove medication").click()
    assert rows.count() == 3
    assert page.locator("input[name=med-TOTAL_FORMS]").input_value() == "3"

    # A filled row removed: hidden, ticked for the server, and can be undone.
    rows.nth(1).get_by_role("button", name="Remove medication").click()
    assert rows.nth(1).get_by_text("Medication removed").is_visible()
    assert not rows.nth(1).locator("select[name$='-drug']").is_visible()
    assert rows.nth(1).locator("input[name=med-1-DELETE]").is_checked()
    rows.nth(1).get_by_role("button", name="Undo").click()
    assert rows.nth(1).locator("select[name$='-drug']").is_visible()
    rows.nth(1).get_by_role("button", name="Remove medication").click()
    # Behavioral rows follow the plan's setting until a modality is chosen.
    assert page.locator("select[name=beh-0-setting]").input_value() == "outpatient"
    page.locator("#id_setting").select_option("inpatient")
    assert page.locator("select[name=beh-0-setting]").input_value() == "inpatient"
    page.get_by_role("button", name="+ Add another behavioral component").click()
    assert page.locator("select[name=beh-1-setting]").input_value() == "inpatient"
    page.locator("#id_setting").select_option("outpatient")
    page.screenshot(path=ARTIFACTS / "plan-rows.png", full_page=True)

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/plans/*/")
    plan = TreatmentPlan.objects.get(patient=patient)
    assert sorted((m.drug, str(m.dose.normalize())) for m in plan.medications.all()) == [
        ("buprenorphine-naloxone", "16"),
        ("lofexidine", "0.54"),
    ]
    page.close()


def test_a_draft_with_more_rows_than_the_page_adds_them_before_restoring(live_server, browser):
    okafor = UserFactory(
        username="okafor", first_name="Elena", last_name="Okafor", role="physician"
    )
    patient = PatientFactory(given_name="Jamal", family_name="Washington")
    CareTeamMemberFactory(patient=patient, user=okafor, team_role=TeamRole.PHYSICIAN)
    base = live_server.url
    url = f"{base}/patients/{patient.pk}/plans/new/"

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, base, "okafor")
    page.goto(url)
    page.get_by_role("button", name="+ Add another medication").click()
    page.get_by_role("button", name="+ Add another problem").click()
    _fill_medication(page.get_by_test_id("medication-row").nth(2), "methadone", "30")
    page.locator("select[name=prob-1-code]").select_option("oud")
    page.get_by_test_id("draft-status").get_by_text("Typing kept at").wait_for(timeout=10_000)

    page.goto(url)  # the server sends two medication rows and one problem row again
    page.get_by_test_id("draft-notice").wait_for(timeout=10_000)
    assert page.get_by_test_id("medication-row").count() == 3
    assert page.locator("select[name=med-2-drug]").input_value() == "methadone"
    assert page.locator("input[name=med-2-dose]").input_value() == "30"
    assert page.locator("select[name=prob-1-code]").input_value() == "oud"
    assert page.locator("input[name=med-TOTAL_FORMS]").input_value() == "3"
    assert page.locator("input[name=prob-TOTAL_FORMS]").input_value() == "2"
    page.close()


def test_substance_rows_are_added_and_removed_in_place_then_saved(live_server, browser):
    casey = UserFactory(username="casey", first_name="Casey", last_name="Morgan", role="counselor")
    patient = PatientFactory(given_name="Nadia", family_name="Castellano")
    CareTeamMemberFactory(patient=patient, user=casey, team_role=TeamRole.COUNSELOR)
    EpisodeFactory(patient=patient, program="otp", admitted_on=timezone.localdate())
    base = live_server.url
    last_use = (timezone.localtime() - datetime.timedelta(hours=14)).strftime("%Y-%m-%dT%H:%M")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "casey")
    page.goto(f"{base}/patients/{patient.pk}/interviews/new/")
    page.get_by_label("Presenting problem").fill("Smoking fentanyl daily; wants to stop.")
    page.get_by_label("Last opioid use (date and time)").fill(last_use)
    rows = page.get_by_test_id("substance-row")
    rows.nth(0).locator("select[name$='-substance']").select_option("alcohol")
    page.get_by_role("button", name="+ Add another substance").click()
    rows.nth(1).locator("select[name$='-substance']").select_option("fentanyl")
    rows.nth(1).get_by_label("Smoked").check()
    page.get_by_role("button", name="+ Add another substance").click()
    rows.nth(2).locator("select[name$='-substance']").select_option("stimulant")
    rows.nth(2).get_by_label("Name (e.g. oxycodone)").fill("methamphetamine")
    # The first row was a mistake: removed in place, the numbers follow.
    rows.nth(0).get_by_role("button", name="Remove substance").click()
    assert not rows.nth(0).locator("select[name$='-substance']").is_visible()
    assert rows.nth(1).get_by_text("Substance 1").is_visible()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/interviews/*/edit/")
    interview = Interview.objects.get(patient=patient)
    assert sorted(s.substance for s in interview.substances.all()) == ["fentanyl", "stimulant"]
    page.close()
