"""End to end in Debian's chromium: a physician enrols a second factor at first sign-in, records
a consent and prints a disclosure; a nurse outside the team breaks the glass from the 404 page;
the privacy officer reviews it; the clinic administrator sees the staff list."""

import datetime

from django.utils import timezone

from intake.models import BreakGlassGrant, Disclosure, TeamRole
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory, UserFactory

pytestmark = BROWSER


def _record_a_consent_then_disclose(page, base: str, patient) -> None:
    """A consent missing 42 CFR 2.31 elements is refused, a full one recorded, then disclosed."""
    page.goto(f"{base}/patients/{patient.pk}/consents/new/")
    page.get_by_role("button", name="Record consent").click()
    assert "Missing element of a 42 CFR 2.31 consent" in page.content()
    page.screenshot(path=ARTIFACTS / "consent-missing-elements.png", full_page=True)
    page.get_by_label("Who may disclose").fill("Riverside Opioid Treatment Program")
    page.get_by_label("To whom").fill("Dr. Ada Primary, Northside Family Practice")
    page.get_by_label("What information, and how much").fill(
        "Substance use disorder diagnosis and current treatment plan"
    )
    page.get_by_label("Patient summary (registration, episodes, diagnoses)").check()
    page.get_by_label("Purpose of the disclosure").fill("Coordination of care")
    page.get_by_label("Expires on", exact=True).fill(
        (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    )
    page.get_by_label("The patient was told of the right to revoke").check()
    page.get_by_label("Date signed").fill(timezone.localdate().isoformat())
    page.get_by_label("Signed by").fill("Marcus Delgado")
    page.get_by_role("button", name="Record consent").click()
    page.get_by_test_id("consents").wait_for()
    page.screenshot(path=ARTIFACTS / "consent-list.png", full_page=True)

    page.get_by_role("link", name="Make a disclosure").click()
    page.screenshot(path=ARTIFACTS / "disclosure-form.png", full_page=True)
    page.get_by_role("button", name="Disclose and print").click()
    page.get_by_test_id("redisclosure-notice").wait_for()
    assert "42 CFR part 2" in page.get_by_test_id("redisclosure-notice").inner_text()
    page.screenshot(path=ARTIFACTS / "disclosure-printable.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=ARTIFACTS / "disclosure-print-preview.png", full_page=True)
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Accounting of disclosures").click()
    page.screenshot(path=ARTIFACTS / "disclosure-accounting.png", full_page=True)
    assert Disclosure.objects.count() == 1


def _nurse_off_the_team_breaks_the_glass(browser, base: str, patient) -> None:
    nurse = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(nurse, base, "priya")
    assert nurse.goto(f"{base}/patients/{patient.pk}/").status == 404
    assert "Delgado" not in nurse.content()
    nurse.screenshot(path=ARTIFACTS / "break-glass-404.png", full_page=True)
    nurse.get_by_label("The emergency").fill("Unresponsive in the lobby, naloxone given")
    nurse.get_by_role("button", name="Request emergency access").click()
    nurse.get_by_test_id("emergency-banner").wait_for()
    nurse.screenshot(path=ARTIFACTS / "break-glass-chart.png", full_page=True)
    nurse.close()


def _privacy_officer_reviews_the_access(browser, base: str) -> None:
    officer = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(officer, base, "lee")
    officer.goto(f"{base}/audit/?break_glass=on")
    officer.screenshot(path=ARTIFACTS / "audit-break-glass.png", full_page=True)
    officer.get_by_test_id("break-glass-review-link").click()
    officer.screenshot(path=ARTIFACTS / "break-glass-review.png", full_page=True)
    officer.get_by_label("Outcome of the review").select_option("appropriate")
    officer.get_by_role("button", name="Mark reviewed").click()
    officer.get_by_text("Marked as reviewed.").wait_for()
    assert BreakGlassGrant.objects.get().reviewed_at is not None
    officer.close()


def test_consent_disclosure_emergency_access_and_review(live_server, browser):
    physician = UserFactory(
        username="okafor", first_name="Elena", last_name="Okafor", role="physician"
    )
    UserFactory(username="priya", first_name="Priya", last_name="Shah", role="nurse")
    UserFactory(username="lee", first_name="Lee", last_name="Tanaka", role="privacy-officer")
    UserFactory(username="sam", first_name="Sam", last_name="Whitaker", role="clinic-admin")
    patient = PatientFactory(given_name="Marcus", family_name="Delgado")
    CareTeamMemberFactory(patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
    EpisodeFactory(patient=patient, program="otp", admitted_on=datetime.date(2026, 9, 1))
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    # First sign-in of a physician: enrolment with a QR code.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("okafor")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("totp-qr").wait_for()
    page.screenshot(path=ARTIFACTS / "mfa-enrol.png", full_page=True)
    page.goto(f"{base}/accounts/login/")
    sign_in(page, base, "okafor")  # plays the authenticator app

    _record_a_consent_then_disclose(page, base, patient)
    page.close()

    # A nurse outside the care team: 404, then emergency access from that page.
    _nurse_off_the_team_breaks_the_glass(browser, base, patient)

    _privacy_officer_reviews_the_access(browser, base)

    admin = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(admin, base, "sam")
    admin.goto(f"{base}/staff/")
    admin.screenshot(path=ARTIFACTS / "staff-list.png", full_page=True)
    admin.goto(f"{base}/account/second-factor/")
    admin.screenshot(path=ARTIFACTS / "mfa-settings.png", full_page=True)
    admin.close()
