"""A counselor drafts and submits a detox plan; the physician approves it from the review
queue, acknowledging the warning, and the signed plan prints."""

import datetime

from django.utils import timezone

from intake.models import TeamRole, TreatmentPlan
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import (
    PASSWORD,
    CareTeamMemberFactory,
    PatientFactory,
    UserFactory,
    in_days,
    second_factor,
)

# Dates relative to today, so the review-date window (today to two years ahead) holds
# whenever the suite runs.
IN_43_DAYS = in_days(43)

pytestmark = BROWSER


def _counselor_drafts_and_submits(browser, base: str, patient) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, base, "casey")
    page.goto(f"{base}/patients/{patient.pk}/plans/new/")
    page.locator("#id_setting").select_option("inpatient")
    page.get_by_label("ASAM level of care").select_option("3.7")
    page.get_by_label("Medically supervised detox").check()
    page.get_by_label("Review date").fill(IN_43_DAYS)
    page.locator("#id_prob-0-code").select_option("oud")
    page.locator("#id_prob-0-description").fill("Opioid use disorder, severe (fentanyl)")
    page.locator("#id_prob-0-goal").fill("Complete withdrawal safely")
    page.locator("#id_beh-0-modality").select_option("cbt")
    page.locator("#id_beh-0-setting").select_option("inpatient")
    page.locator("#id_beh-0-frequency").fill("daily")
    for target in ("triggers", "coping-cravings", "relapse-plan", "emotional-discomfort"):
        page.locator(f"input[name=beh-0-targets][value={target}]").check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/plans/*/")
    page.screenshot(path=ARTIFACTS / "plan-draft.png", full_page=True)
    page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_test_id("plan-status").inner_text() == "Submitted for review"
    page.close()


def test_counselor_submits_a_detox_plan_and_the_physician_signs_it(live_server, browser):
    counselor = UserFactory(
        username="casey", first_name="Casey", last_name="Morgan", role="counselor"
    )
    physician = UserFactory(
        username="okafor", first_name="Elena", last_name="Okafor", role="physician"
    )
    patient = PatientFactory(given_name="Jamal", family_name="Washington")
    CareTeamMemberFactory(patient=patient, user=counselor, team_role=TeamRole.COUNSELOR)
    CareTeamMemberFactory(patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
    base = live_server.url

    _counselor_drafts_and_submits(browser, base, patient)

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, base, "okafor")
    queue = page.get_by_test_id("worklist-plans-to-review")
    assert "Washington, Jamal" in queue.inner_text()
    assert "No naloxone rescue kit" in queue.inner_text()
    page.screenshot(path=ARTIFACTS / "review-queue.png", full_page=True)
    queue.get_by_role("link", name="Review").click()
    page.wait_for_selector("[data-testid=evidence]")
    # Signing without acknowledging the warning is refused, the plan stays submitted.
    page.get_by_label("Your password (electronic signature)").fill(PASSWORD)
    page.get_by_role("button", name="Approve and sign").click()
    assert "Acknowledge each warning" in page.content()
    page.get_by_label("Reason to sign anyway").fill("Naloxone kit handed over at admission")
    page.get_by_label("Your password (electronic signature)").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(second_factor(physician))
    page.screenshot(path=ARTIFACTS / "plan-review.png", full_page=True)
    page.get_by_role("button", name="Approve and sign").click()
    page.wait_for_selector("[data-testid=signature]")
    assert page.get_by_test_id("plan-status").inner_text() == "Active (signed)"
    assert "content verified" in page.get_by_test_id("signature").inner_text()
    page.screenshot(path=ARTIFACTS / "plan-signed.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=ARTIFACTS / "plan-print.png", full_page=True)
    plan = TreatmentPlan.objects.get(patient=patient)
    assert (plan.status, plan.signed_by_id) == ("active", physician.pk)
    with page.expect_download() as download:
        page.emulate_media(media="screen")
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"plan-{plan.pk}-v1.pdf"
    page.close()


def test_the_physician_amends_a_dose_and_sees_what_changed_in_words(live_server, browser):
    from intake.services.treatment_plan import (
        treatment_plan_approve,
        treatment_plan_create,
        treatment_plan_submit,
    )

    physician = UserFactory(username="osei", first_name="Ama", last_name="Osei", role="physician")
    patient = PatientFactory(given_name="Rosa", family_name="Delgado")
    CareTeamMemberFactory(patient=patient, user=physician, team_role=TeamRole.PHYSICIAN)
    today = timezone.localdate()
    meds = [
        {"drug": "buprenorphine-naloxone", "dose": "8", "frequency": "daily", "start_date": today},
        {"drug": "naloxone", "dose": "4", "frequency": "once", "start_date": today},
    ]
    v1 = treatment_plan_create(
        actor=physician,
        patient=patient,
        data={"setting": "outpatient", "review_date": today + datetime.timedelta(days=90),
              "medications": meds},
    )  # fmt: skip
    v1 = treatment_plan_submit(actor=physician, plan=v1)
    ack = [{"code": w["code"], "reason": "Seen"} for w in v1.warnings]
    treatment_plan_approve(actor=physician, plan=v1, password=PASSWORD,
                           otp=second_factor(physician), acknowledged_warnings=ack)  # fmt: skip
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, base, "osei")
    page.goto(f"{base}/patients/{patient.pk}/plans/{v1.pk}/")
    page.get_by_label("Reason for the amendment").fill("Cravings persist at 8 mg")
    page.get_by_role("button", name="Amend (new version)").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/plans/*/edit/")
    page.locator("#id_med-0-dose").fill("16")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_selector("[data-testid=diff]")
    changed = page.get_by_test_id("diff-changed").inner_text()
    assert "Buprenorphine/naloxone (sublingual)" in changed
    assert "Dose: 8 mg → 16 mg" in changed
    page.get_by_test_id("diff").screenshot(path=ARTIFACTS / "plan-diff.png")
    page.close()
