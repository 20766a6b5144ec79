"""After intake, end to end in Debian's chromium (Playwright, never a downloaded browser): a
counselor follows a patient from the chart's "Reassessment" panel through a PHQ-9, an individual
session note on the plan's goals (with private counseling notes), a group, a self-report the
patient answers on a phone with the keyboard, the PHQ-9 trend with its response in words, to the
plan review a physician signs. Screenshots of each page in test-artifacts/after-intake/
(docs/clinical-rules.md#session-notes, #group-sessions, #self-report)."""

import datetime

import time_machine

from intake.models import (
    Assessment,
    CounselingNote,
    PendingAssessment,
    SessionNote,
    TeamRole,
    TreatmentPlan,
)
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import (
    PASSWORD,
    CareTeamMemberFactory,
    EpisodeFactory,
    PatientFactory,
    UserFactory,
    second_factor,
)
from tests.mar_support import at

pytestmark = BROWSER

DAY = datetime.date(2026, 11, 25)  # a Wednesday; the clinic's clock runs from 10:00
LATER = DAY + datetime.timedelta(days=28)
SHOTS = ARTIFACTS / "after-intake"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# PHQ-9 answers by position (0 "Not at all" ... 3 "Nearly every day"): 2*6 + 1*2 + 0 = 14.
PHQ9_AT_INTAKE = [2, 2, 2, 2, 2, 2, 1, 1, 0]
COUNSELING = "Ambivalence about his brother; explore the family's role in relapse next time"


def _shot(page, name: str) -> None:
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _clinic():
    from intake.services.treatment_plan import (
        treatment_plan_approve,
        treatment_plan_create,
        treatment_plan_submit,
    )

    counselor = UserFactory(username="dana", first_name="Dana", last_name="Reyes", role="counselor")
    physician = UserFactory(
        username="okafor", first_name="Elena", last_name="Okafor", role="physician"
    )
    second_factor(counselor)  # the counselor signs with an authenticator too
    patients = []
    for given, family in (("Jamal", "Washington"), ("Aiko", "Brennan")):
        patient = PatientFactory(given_name=given, family_name=family)
        EpisodeFactory(patient=patient, admitted_on=DAY - datetime.timedelta(days=30))
        CareTeamMemberFactory(patient=patient, user=counselor, team_role=TeamRole.COUNSELOR)
        CareTeamMemberFactory(patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
        patients.append(patient)
    # Set-up, not this flow (the plan's drafting and signing have their own browser test): a
    # signed plan with a CBT component, its review due in ten days.
    plan = treatment_plan_create(
        actor=physician,
        patient=patients[0],
        data={
            "setting": "outpatient",
            "review_date": DAY + datetime.timedelta(days=10),
            "behavioral": [
                {"modality": "cbt", "setting": "outpatient", "frequency": "weekly",
                 "targets": ["triggers", "coping-cravings"]},
            ],
        },
    )  # fmt: skip
    plan = treatment_plan_submit(actor=physician, plan=plan)
    ack = [{"code": w["code"], "reason": "Seen"} for w in plan.warnings]
    treatment_plan_approve(actor=physician, plan=plan, password=PASSWORD,
                           otp=second_factor(physician), acknowledged_warnings=ack)  # fmt: skip
    return counselor, physician, patients


def _labelled_and_reached_by_tab(page, form_selector: str, first: str) -> None:
    """Every visible control of the form has a label, and Tab from `first` reaches each one."""
    controls = page.locator(
        f"{form_selector} :is(input, select, textarea, button):visible"
    ).evaluate_all(
        """els => els.filter(e => e.type !== 'hidden').map(e => ({
            key: e.id || e.name || e.textContent.trim(),
            label: e.tagName === 'BUTTON' ? e.textContent.trim()
                : (e.getAttribute('aria-label')
                   || [...(e.labels || [])].map(l => l.textContent.trim()).join(' ')),
        }))"""
    )
    unlabelled = [c["key"] for c in controls if not c["label"]]
    assert not unlabelled, unlabelled
    page.locator(first).focus()
    reached = set()
    for _ in range(3 * len(controls)):
        reached.add(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.id || e.name || e.textContent.trim(); }"
            )
        )
        page.keyboard.press("Tab")
    missing = {c["key"] for c in controls} - reached
    assert not missing, missing


def _reassessment_row(page, label: str):
    return page.get_by_test_id("chart-reassessment").locator("tr", has_text=label)


def _record_phq9(page, base: str, patient) -> None:
    page.goto(f"{base}/patients/{patient.pk}/")
    assert _reassessment_row(page, "PHQ-9").get_attribute("data-status") in {"due", "overdue"}
    assert _reassessment_row(page, "GAD-7").get_attribute("data-status") in {"due", "overdue"}
    page.get_by_test_id("chart-reassessment").screenshot(path=SHOTS / "chart-reassessment-due.png")
    page.get_by_test_id("chart-reassessment").get_by_role("link", name="Record a PHQ-9").click()
    page.wait_for_selector("fieldset[data-item]")
    for item, position in enumerate(PHQ9_AT_INTAKE, start=1):
        page.locator(f"label[for=id_item_{item}_{position}]").click()
    assert page.get_by_test_id("running-total").inner_text() == "14"
    page.get_by_role("button", name="Score and save").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/assessments/*/")
    assert page.get_by_test_id("total").inner_text() == "14"
    page.goto(f"{base}/patients/{patient.pk}/")
    assert _reassessment_row(page, "PHQ-9").get_attribute("data-status") == "done"
    assert "Next due" in _reassessment_row(page, "PHQ-9").inner_text()
    page.get_by_test_id("chart-reassessment").screenshot(path=SHOTS / "chart-reassessment-done.png")


def _session_note(page, base: str, patient, counselor) -> None:
    page.goto(f"{base}/patients/{patient.pk}/")
    page.locator("#session-notes").get_by_role("link", name="New session note").click()
    page.wait_for_selector("[data-testid=session-note-form]")
    _labelled_and_reached_by_tab(page, "[data-testid=session-note-form]", "#id_kind")
    page.get_by_label("Kind of session").select_option("individual")
    page.get_by_label("Duration (minutes)").fill("50")
    page.get_by_label("Data").fill("Two cravings this week; used urge surfing both times.")
    page.get_by_label("Assessment").fill("Engaged; coping skills emerging.")
    page.get_by_label("Plan", exact=True).fill(
        "Practise urge surfing daily; next session in a week."
    )
    page.get_by_label("Coping skills for cravings", exact=True).check()
    page.locator("select[name='progress_coping-cravings']").select_option("progressing")
    page.locator("#id_counseling_notes").fill(COUNSELING)
    _shot(page, "session-note-form")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_selector("[data-testid=sign-form]")
    assert COUNSELING in page.get_by_test_id("counseling-notes").inner_text()
    _shot(page, "session-note-draft")
    sign = page.get_by_test_id("sign-form")
    sign.get_by_label("Your password (electronic signature)").fill(PASSWORD)
    sign.get_by_label("Authenticator code").fill(second_factor(counselor))
    sign.get_by_role("button", name="Sign the note").click()
    page.wait_for_selector("[data-testid=content-hash]")
    signature = page.get_by_test_id("session-note-signature").inner_text()
    assert "The note matches its signature" in signature
    assert "by Dana Reyes (Counselor)" in signature  # the role in words, not its code
    progress = page.get_by_test_id("session-note-progress").inner_text()
    assert "Coping skills for cravings" in progress and "Progressing" in progress
    _shot(page, "session-note-signed")
    note = SessionNote.objects.get(patient=patient, kind="individual")
    assert note.status == "signed"
    assert CounselingNote.objects.get(note=note).text == COUNSELING

    page.get_by_role("link", name="Back to chart").click()
    notes = page.get_by_test_id("session-note-list").inner_text()
    assert "Individual" in notes and "Signed" in notes
    page.goto(f"{base}/patients/{patient.pk}/plans/{note.plan_id}/")
    sessions = page.get_by_test_id("component-sessions").inner_text()
    assert "1 session" in sessions and "Coping skills for cravings: Progressing" in sessions
    _shot(page, "plan-with-sessions")


def _add_to_roll(page, name: str) -> None:
    page.get_by_label("Find a patient of your care teams").fill(name)
    page.get_by_role("button", name="Find").click()
    page.get_by_test_id("roll-candidates").get_by_label(name).check()
    page.get_by_role("button", name="Add to the roll").click()
    page.get_by_test_id("group-roll").locator("tr", has_text=name).wait_for()
    # Added: the search box is empty for the next member, no "nothing matches" left behind.
    assert page.get_by_label("Find a patient of your care teams").input_value() == ""
    assert "No patient of your care teams matches" not in page.content()


def _group(page, base: str, patient, other, counselor) -> None:
    page.goto(f"{base}/")
    page.get_by_test_id("home-run-group").click()
    page.wait_for_url(f"{base}/groups/new/")
    _shot(page, "group-run-empty")
    page.get_by_label("Title").fill("Wednesday relapse prevention")
    page.get_by_label("Modality").select_option("relapse-prevention")
    page.get_by_label("Date held").fill(DAY.isoformat())
    page.get_by_label("Duration (minutes)").fill("90")
    page.get_by_label("Shared summary").fill("Mapping high-risk situations; a coping card each.")
    _add_to_roll(page, "Washington, Jamal")
    _add_to_roll(page, "Brennan, Aiko")
    roll = page.get_by_test_id("group-roll")
    roll.get_by_label("Present: Brennan, Aiko").uncheck()
    roll.get_by_label("Note for Washington, Jamal").fill("Named his brother's house as a trigger.")
    _labelled_and_reached_by_tab(page, "[data-testid=run-group-form]", "#id_title")
    _shot(page, "group-run-roll")
    page.get_by_role("button", name="Record the group").click()
    page.wait_for_selector("[data-testid=sign-all]")
    rows = page.get_by_test_id("group-roll").inner_text()
    assert "Present" in rows and "Absent" in rows
    _shot(page, "group-detail-drafts")
    sign = page.get_by_test_id("sign-all")
    sign.get_by_label("Your password (electronic signature)").fill(PASSWORD)
    sign.get_by_label("Authenticator code").fill(second_factor(counselor))
    sign.get_by_role("button", name="Sign all notes").click()
    page.get_by_text("Every note of this group is signed.").wait_for()
    _shot(page, "group-detail-signed")

    page.goto(f"{base}/patients/{patient.pk}/")
    assert page.get_by_test_id("group-attendance").inner_text() == "Groups attended 1 of 1"
    _shot(page, "chart-after-group")
    assert "Group" in page.get_by_test_id("session-note-list").inner_text()
    html = page.content()
    assert other.family_name not in html and other.given_name not in html
    group_note = SessionNote.objects.get(patient=patient, kind="group")
    page.goto(f"{base}/patients/{patient.pk}/session-notes/{group_note.pk}/")
    assert "Named his brother's house as a trigger." in page.content()
    assert other.family_name not in page.content()
    # Signed with the group, hashed as a single note is: the page says it still matches.
    assert "The note matches its signature" in (
        page.get_by_test_id("session-note-signature").inner_text()
    )
    _shot(page, "group-note")


def _issue_self_report(page, base: str, patient) -> str:
    page.goto(f"{base}/patients/{patient.pk}/")
    page.get_by_test_id("self-report-issue-link").click()
    _shot(page, "self-report-issue")
    page.get_by_label("PHQ-9", exact=True).check()
    page.get_by_role("button", name="Issue the link and code").click()
    page.wait_for_selector("[data-testid=self-report-issued]")
    _shot(page, "self-report-issued")
    return page.get_by_test_id("self-report-url").input_value()


def _patient_answers_on_a_phone(browser, url: str, base: str) -> None:
    """No staff session: a context of its own, phone-sized. Six items "Several days", three
    "Not at all": a PHQ-9 of 6."""
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    assert page.goto(url).status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for question in range(1, 10):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == f"item_phq9.{question}"
        page.keyboard.press("ArrowDown" if question <= 6 else "Space")
    page.screenshot(path=SHOTS / "self-report-phone-answers.png", full_page=True)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Send my answers"
    page.keyboard.press("Enter")
    page.get_by_test_id("self-report-thanks").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SHOTS / "self-report-phone-thanks.png", full_page=True)
    page.goto(f"{base}/self-report/")
    page.screenshot(path=SHOTS / "self-report-tablet-code.png", full_page=True)
    context.close()


def _accept_and_read_the_trend(page, base: str, patient) -> None:
    page.goto(f"{base}/")
    assert (
        "Washington, Jamal" in page.get_by_test_id("worklist-self-reports-to-review").inner_text()
    )
    _shot(page, "worklist-self-report")
    page.goto(f"{base}/patients/{patient.pk}/")
    waiting = page.get_by_test_id("self-report-waiting")
    assert "total 6" in waiting.inner_text()
    page.get_by_test_id("chart-self-report").screenshot(path=SHOTS / "chart-self-report.png")
    waiting.get_by_role("link", name="Review").click()
    page.get_by_role("button", name="Accept into the record").wait_for()
    _shot(page, "self-report-review")
    page.get_by_role("button", name="Accept into the record").click()
    page.wait_for_load_state()
    assert PendingAssessment.objects.get(patient=patient).status == "accepted"
    assert sorted(Assessment.objects.filter(patient=patient).values_list("total", flat=True)) == [
        6,
        14,
    ]
    page.goto(f"{base}/patients/{patient.pk}/trends/phq9/")
    page.wait_for_function("() => window.Chart && Chart.getChart('trend')")
    drawn = page.evaluate("() => Chart.getChart('trend').data.datasets[0].data.length")
    assert drawn == 2
    outcome = page.get_by_test_id("phq9-outcome").inner_text()
    # 14 then 6: 57% lower, at least half -> a response; 6 is not below 5 -> not in remission.
    assert "Response: the latest PHQ-9 (6) is 57% below the episode's first (14)" in outcome
    assert "Not in remission: the latest PHQ-9 is 6" in outcome
    _shot(page, "phq9-trend")


def _counselor_starts_the_plan_review(page, base: str, patient) -> None:
    page.goto(f"{base}/")
    due = page.get_by_test_id("worklist-plan-reviews-due")
    assert "Washington, Jamal" in due.inner_text()
    _shot(page, "worklist-plan-review-due")
    due.get_by_test_id("work-row").filter(has_text="Washington").get_by_role("link").last.click()
    page.get_by_label("Reason for the amendment").fill(
        "Four-week review: PHQ-9 response (14 to 6), coping with cravings progressing"
    )
    page.get_by_role("button", name="Amend (new version)").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/plans/*/edit/")
    page.get_by_label("Review date").fill((LATER + datetime.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_test_id("plan-status").inner_text() == "Submitted for review"


def _physician_signs_the_review(browser, base: str, physician) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, base, "okafor")
    queue = page.get_by_test_id("worklist-plans-to-review")
    assert "Washington, Jamal" in queue.inner_text()
    queue.get_by_role("link", name="Review").click()
    page.wait_for_selector("[data-testid=evidence]")
    for reason in page.get_by_label("Reason to sign anyway").all():
        reason.fill("Reviewed with the counselor")
    page.get_by_label("Your password (electronic signature)").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(second_factor(physician))
    _shot(page, "plan-review")
    page.get_by_role("button", name="Approve and sign").click()
    page.wait_for_selector("[data-testid=signature]")
    assert page.get_by_test_id("plan-status").inner_text() == "Active (signed)"
    _shot(page, "plan-review-signed")
    page.goto(f"{base}/outcomes/")
    _shot(page, "outcomes")
    context.close()


def test_a_counselor_follows_a_patient_from_intake_to_the_plan_review(live_server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    # The live server's thread reads the same clock: a clinic morning, running.
    with time_machine.travel(at(DAY, 10), tick=True):
        counselor, physician, (patient, other) = _clinic()
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        sign_in(page, base, "dana")
        _record_phq9(page, base, patient)
        _session_note(page, base, patient, counselor)
        _group(page, base, patient, other, counselor)
        context.close()

    # Four weeks later: the patient answers a PHQ-9 in the waiting room; the plan's review is due.
    with time_machine.travel(at(LATER, 9), tick=True):
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        sign_in(page, base, "dana")
        url = _issue_self_report(page, base, patient)
        _patient_answers_on_a_phone(browser, url, base)
        _accept_and_read_the_trend(page, base, patient)
        _counselor_starts_the_plan_review(page, base, patient)
        _physician_signs_the_review(browser, base, physician)

        # The review is done: the plan's next review is 90 days away, off the worklist.
        page.goto(f"{base}/")
        reviews = page.get_by_test_id("worklist-plan-reviews-due")
        assert not reviews.count() or "Washington" not in reviews.inner_text()
        _shot(page, "worklist-after-review")
        context.close()
    plans = TreatmentPlan.objects.filter(patient=patient).order_by("version")
    assert [(p.version, p.status) for p in plans] == [(1, "superseded"), (2, "active")]
    assert plans[1].signed_by == physician
