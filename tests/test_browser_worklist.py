"""End to end in Debian's chromium: each role's worklist on the home page with a critical
result on the team (and another team's never shown), screenshots at desktop and tablet width,
the physician acknowledging from the worklist, and a nurse reaching an outside patient's chart
through emergency access from the search page."""

import datetime

import pytest

from intake.models import BreakGlassGrant, LabAlert, TeamRole
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory, UserFactory
from tests.worklist_support import (
    adulterated_uds,
    critical_qtc,
    draft_interview,
    open_order,
    plan,
    suicide_risk_phq9,
)

pytestmark = BROWSER

WIDTHS = {"desktop": 1280, "tablet": 768}


@pytest.fixture
def clinic():
    physician = UserFactory(
        username="okafor", first_name="Elena", last_name="Okafor", role="physician"
    )
    nurse = UserFactory(username="priya", first_name="Priya", last_name="Shah", role="nurse")
    counselor = UserFactory(username="dana", first_name="Dana", last_name="Reyes", role="counselor")
    outsider = UserFactory(username="omar", first_name="Omar", last_name="Hale", role="physician")
    team = []
    for given, family in (("Jamal", "Washington"), ("Aiko", "Brennan"), ("Luis", "Ferreira")):
        p = PatientFactory(given_name=given, family_name=family)
        EpisodeFactory(patient=p, program="outpatient", admitted_on=datetime.date(2026, 10, 1))
        for user, role in (
            (physician, TeamRole.PHYSICIAN),
            (nurse, TeamRole.NURSE),
            (counselor, TeamRole.COUNSELOR),
        ):
            CareTeamMemberFactory(patient=p, user=user, team_role=role)
        team.append(p)
    washington, brennan, ferreira = team
    critical_qtc(washington, nurse)
    open_order(brennan, nurse, panel="intake-blood", priority="stat")
    adulterated_uds(ferreira, nurse)
    suicide_risk_phq9(brennan, counselor)
    draft_interview(ferreira, counselor)
    plan(washington, counselor, status="submitted")
    plan(
        ferreira,
        counselor,
        status="active",
        review_date=datetime.date.today() + datetime.timedelta(days=5),
    )
    elsewhere = PatientFactory(
        given_name="Rosa", family_name="Delgado", birth_date=datetime.date(1984, 5, 17)
    )
    CareTeamMemberFactory(patient=elsewhere, user=outsider, team_role=TeamRole.PHYSICIAN)
    critical_qtc(elsewhere, outsider, qtc=540)
    return {
        "physician": physician,
        "nurse": nurse,
        "counselor": counselor,
        "washington": washington,
        "elsewhere": elsewhere,
    }


def _shoot(page, name: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 1000})
        page.screenshot(path=ARTIFACTS / f"worklist-{name}-{label}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 1000})


def _no_horizontal_scroll(page) -> None:
    page.set_viewport_size({"width": WIDTHS["tablet"], "height": 1000})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 1000})


def test_each_role_sees_its_worklist_with_the_critical_result(live_server, browser, clinic):
    base = live_server.url

    # Physician: the critical QTc first, acknowledged from the worklist.
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, base, "okafor")
    results = page.get_by_test_id("worklist-results-to-acknowledge")
    text = results.inner_text()
    assert "Washington, Jamal" in text and "Critical value" in text and "520 ms" in text
    assert "Delgado" not in page.content()  # the other team's critical result
    assert page.get_by_test_id("nav-worklist-urgent").inner_text() == "1 urgent"
    assert "Washington, Jamal" in page.get_by_test_id("worklist-plans-to-review").inner_text()
    assert page.get_by_test_id("critical-flag").count() == 1
    _no_horizontal_scroll(page)
    _shoot(page, "physician")
    results.get_by_role("link", name="Acknowledge").click()
    page.get_by_label("Acknowledgement note").fill("Methadone held; cardiology consult today.")
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_url(f"{base}/patients/{clinic['washington'].pk}/#labs")
    assert not LabAlert.objects.filter(
        patient=clinic["washington"], acknowledged_at__isnull=True
    ).exists()
    page.goto(f"{base}/")
    assert "No critical or unexpected results waiting." in page.content()
    assert page.get_by_test_id("nav-worklist-urgent").count() == 0
    page.close()

    # Nurse: orders waiting (the STAT one first) and the adulterated specimen to recollect.
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, base, "priya")
    orders = page.get_by_test_id("worklist-orders-awaiting-results").inner_text()
    assert "Brennan, Aiko" in orders and "STAT" in orders
    recollect = page.get_by_test_id("worklist-specimens-to-recollect").inner_text()
    assert "Ferreira, Luis" in recollect and "adulterated" in recollect
    assert page.get_by_test_id("worklist-results-to-acknowledge").count() == 0
    _no_horizontal_scroll(page)
    _shoot(page, "nurse")
    page.get_by_test_id("worklist-orders-awaiting-results").get_by_role(
        "link", name="Enter results"
    ).first.click()
    page.wait_for_url(f"{base}/patients/*/labs/*/results/")
    page.close()

    # Counselor: the suicide-risk item first, their draft, the plan review due.
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, base, "dana")
    safety = page.get_by_test_id("worklist-safety-follow-ups").inner_text()
    assert "Brennan, Aiko" in safety and "Suicide risk on item 9 of the PHQ-9" in safety
    assert "Ferreira, Luis" in page.get_by_test_id("worklist-drafts").inner_text()
    assert "Review due" in page.get_by_test_id("worklist-plan-reviews-due").inner_text()
    _no_horizontal_scroll(page)
    _shoot(page, "counselor")
    page.get_by_test_id("worklist-safety-follow-ups").get_by_role(
        "link", name="Assess safety"
    ).click()
    page.wait_for_url(f"{base}/patients/*/assessments/*/")
    page.close()


def test_emergency_access_from_a_search_that_finds_nobody(live_server, browser, clinic):
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, base, "priya")
    page.get_by_label("Search patients").first.fill("Delgado")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url(f"{base}/patients/")
    assert "No patient matches among those you may see." in page.content()
    page.screenshot(path=ARTIFACTS / "emergency-search-nothing.png", full_page=True)
    page.get_by_role("link", name="Ask for emergency access").click()
    page.wait_for_url(f"{base}/patients/emergency-access/")
    page.get_by_label("Given name (legal)").fill("Rosa")
    page.get_by_label("Family name (legal)").fill("Delgado")
    page.get_by_label("Date of birth").fill("1984-05-17")
    page.get_by_label("Kind of emergency").select_option("overdose")
    page.get_by_label("The emergency").fill("Found unresponsive in the lobby, naloxone given")
    page.screenshot(path=ARTIFACTS / "emergency-search-form.png", full_page=True)
    page.get_by_role("button", name="Request emergency access").click()
    page.wait_for_url(f"{base}/patients/{clinic['elsewhere'].pk}/")
    assert page.get_by_test_id("emergency-banner").is_visible()
    assert "Emergency access is open until" in page.content()
    # The open critical result is the first thing on the chart.
    first = page.get_by_test_id("open-alerts").inner_text()
    assert "Critical value" in first and "540 ms" in first
    page.screenshot(path=ARTIFACTS / "emergency-search-chart.png", full_page=True)
    grant = BreakGlassGrant.objects.get(user=clinic["nurse"])
    assert grant.patient == clinic["elsewhere"] and grant.category == "overdose"
