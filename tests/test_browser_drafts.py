"""In Debian's chromium: a counselor types into an intake interview; the page keeps the typing
as a draft, warns before the idle session ends and "Stay signed in" keeps it; the session then
ends anyway, Save lands on the sign-in page, and after the password and the second factor the
counselor is back on the interview with what they had typed."""

import datetime

from django.contrib.sessions.models import Session
from django.utils import timezone

from intake.models import FormDraft, Interview, TeamRole
from intake.services.mfa import totp_device_from_secret
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import (
    PASSWORD,
    CareTeamMemberFactory,
    EpisodeFactory,
    InterviewFactory,
    PatientFactory,
    UserFactory,
)
from tests.test_mfa import SECRET, code

pytestmark = BROWSER

TYPED = "Prescribed oxycodone after a car crash in 2018; switched to street fentanyl in 2021."


def _session_expires_in(seconds_at_least: int) -> bool:
    soonest = timezone.now() + datetime.timedelta(seconds=seconds_at_least)
    return Session.objects.filter(expire_date__gt=soonest).exists()


def _warned_then_stay_signed_in(page):
    """The warning, about 15 s after the last page view (autosaving did not push it back), and
    "Stay signed in" renewing the session. Returns the warning."""
    warning = page.get_by_test_id("session-warning")
    warning.wait_for(state="visible", timeout=30_000)
    assert "you will be signed out in" in warning.inner_text()
    page.screenshot(path=ARTIFACTS / "drafts-session-warning.png")
    warning.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden", timeout=5_000)
    assert _session_expires_in(120)  # renewed: the full idle time again
    return warning


def _sign_in_again(page, base: str, device) -> None:
    page.wait_for_url(f"{base}/accounts/login/**")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The code of the next time step: the one used a moment ago cannot be used twice.
    page.get_by_label("Code from your authenticator app").fill(code(device, steps_ahead=1))
    page.get_by_role("button", name="Verify and sign in").click()


def test_typing_survives_the_end_of_the_session(live_server, browser, settings):
    # A short idle timeout, so the warning (two minutes before the end) comes within seconds.
    settings.SESSION_COOKIE_AGE = 135
    settings.SESSION_WARNING_SECONDS = 120
    casey = UserFactory(username="casey", first_name="Casey", last_name="Morgan", role="counselor")
    device = totp_device_from_secret(user=casey, secret_base32=SECRET)
    patient = PatientFactory(
        given_name="Nadia", family_name="Castellano", birth_date=datetime.date(1987, 5, 21)
    )
    CareTeamMemberFactory(patient=patient, user=casey, team_role=TeamRole.COUNSELOR)
    EpisodeFactory(patient=patient, program="otp", admitted_on=timezone.localdate())
    interview = InterviewFactory(patient=patient, author=casey)
    base = live_server.url
    edit = f"{base}/patients/{patient.pk}/interviews/{interview.pk}/edit/"

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, base, "casey")
    page.goto(edit)
    page.get_by_label("Notes on how use began").fill(TYPED)
    status = page.get_by_test_id("draft-status")
    status.get_by_text("Typing kept at").wait_for(timeout=10_000)
    assert "not yet saved to the record" in status.inner_text()
    assert FormDraft.objects.get(owner=casey).fields["onset_notes"] == TYPED

    warning = _warned_then_stay_signed_in(page)

    # Then the session ends (idle, another tab signed out, ...) and Save is pressed.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    # The page finds out at its next background request and says so, with the way back.
    page.get_by_label("Patient's goals").fill("Keep her job.")
    warning.get_by_text("You were signed out").wait_for(timeout=10_000)
    assert "What you typed up to" in warning.inner_text()
    again = warning.get_by_role("link", name="Sign in again")
    assert again.get_attribute("href") == (
        f"/accounts/login/?next=%2Fpatients%2F{patient.pk}%2Finterviews%2F{interview.pk}%2Fedit%2F"
    )
    page.screenshot(path=ARTIFACTS / "drafts-signed-out.png")
    page.get_by_role("button", name="Save draft").click()
    _sign_in_again(page, base, device)

    page.wait_for_url(edit)
    notice = page.get_by_test_id("draft-notice")
    notice.wait_for(timeout=10_000)
    assert "Brought back what you typed up to" in notice.inner_text()
    assert page.get_by_label("Notes on how use began").input_value() == TYPED
    page.screenshot(path=ARTIFACTS / "drafts-restored.png", full_page=True)

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(edit)
    assert Interview.objects.get(pk=interview.pk).onset_notes == TYPED
    assert not FormDraft.objects.exists()  # in the record now
    assert not errors, errors


def test_a_form_sent_while_the_database_is_away_can_be_sent_again(live_server, browser):
    from unittest import mock

    from tests.test_reliability_db_errors import _db_error

    casey = UserFactory(username="casey", first_name="Casey", last_name="Morgan", role="counselor")
    patient = PatientFactory(given_name="Nadia", family_name="Castellano")
    CareTeamMemberFactory(patient=patient, user=casey, team_role=TeamRole.COUNSELOR)
    interview = InterviewFactory(patient=patient, author=casey)
    base = live_server.url
    edit = f"{base}/patients/{patient.pk}/interviews/{interview.pk}/edit/"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "casey")
    page.goto(edit)
    page.get_by_label("Notes on how use began").fill(TYPED)
    with mock.patch(
        "intake.views.interview.interview_update", side_effect=_db_error(None, "connection refused")
    ):
        page.get_by_role("button", name="Save draft").click()
        page.get_by_test_id("kept-notice").wait_for()
    assert "nothing was saved" in page.get_by_test_id("kept-notice").inner_text()
    page.get_by_text("Show what you typed").click()
    shown = page.get_by_role("textbox", name="What you typed")
    assert shown.filter(has_text=TYPED).count() == 1
    # The free texts to copy, not the codes of the choices ticked.
    assert "family-history-addiction" not in " ".join(shown.all_inner_texts())
    page.screenshot(path=ARTIFACTS / "drafts-unavailable.png", full_page=True)
    page.get_by_role("button", name="Send again").click()  # the database is back
    page.wait_for_url(edit)
    assert "Draft saved at" in page.content()
    assert Interview.objects.get(pk=interview.pk).onset_notes == TYPED
