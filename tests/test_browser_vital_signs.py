"""End to end in Debian's chromium (Playwright, never a downloaded browser): a nurse records
vital signs from the chart with a critical systolic pressure, sees it first on the chart with
the flags in words and the trends drawn beside the lab card, acknowledges it, and marks an
older set as entered in error."""

import datetime

from django.utils import timezone

from intake.models import TeamRole, VitalSignAlert
from intake.services.vital_signs import vital_signs_record
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import CareTeamMemberFactory, PatientFactory, UserFactory
from tests.lab_support import ecg_and_blood_history

pytestmark = BROWSER


def _history(patient, nurse) -> None:
    """Four sets over the last day: the trends have something to draw."""
    for hours, (sys, dia, hr, rr, temp, spo2) in zip(
        (24, 18, 12, 6),
        (
            (132, 84, 92, 16, 37.1, 97),
            (138, 88, 98, 18, 37.6, 96),
            (146, 92, 104, 20, 38.1, 95),
            (152, 96, 112, 22, 38.4, 94),
        ),
        strict=True,
    ):
        vital_signs_record(
            actor=nurse,
            patient=patient,
            taken_at=timezone.now() - datetime.timedelta(hours=hours),
            values={
                "systolic": sys,
                "diastolic": dia,
                "heart_rate": hr,
                "respiratory_rate": rr,
                "temperature_c": temp,
                "spo2": spo2,
            },
        )


def test_a_nurse_records_vital_signs_and_acknowledges_a_critical_value(live_server, browser):
    nurse = UserFactory(username="nina", first_name="Nina", last_name="Okafor", role="nurse")
    patient = PatientFactory(given_name="Dario", family_name="Whitfield", sex_at_birth="male")
    CareTeamMemberFactory(patient=patient, user=nurse, team_role=TeamRole.NURSE)
    ecg_and_blood_history(patient, nurse)
    _history(patient, nurse)
    base = live_server.url

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "nina")
    page.goto(f"{base}/patients/{patient.pk}/")
    page.locator("#vital-signs").get_by_role("link", name="Record vital signs").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/vital-signs/record/")
    page.get_by_label("Systolic blood pressure (mmHg)").fill("184")
    page.get_by_label("Diastolic blood pressure (mmHg)").fill("98")
    page.get_by_label("Heart rate (/min)").fill("118")
    page.get_by_label("Respiratory rate (/min)").fill("22")
    page.get_by_label("Temperature (°C)").fill("38.6")
    page.get_by_label("Oxygen saturation (SpO2) (%)").fill("93")
    page.get_by_label("Pain score (0–10)").fill("4")
    page.screenshot(path=ARTIFACTS / "vital-signs-form.png", full_page=True)
    page.get_by_role("button", name="Record vital signs").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/#vital-signs")

    alert = page.get_by_test_id("vital-sign-alert")
    assert "Critical systolic blood pressure: 184 mmHg" in alert.inner_text()
    latest = page.get_by_test_id("vital-signs-latest").inner_text()
    assert "184 mmHg" in latest and "Critical" in latest and "High" in latest
    assert "Low" in latest  # SpO2 93%
    page.wait_for_function(
        "Array.from(document.querySelectorAll('canvas[data-vital-trend]'))"
        ".every(c => window.Chart && Chart.getChart(c)) && "
        "document.querySelectorAll('canvas[data-vital-trend]').length === 6 && "
        "Array.from(document.querySelectorAll('canvas[data-lab-trend]'))"
        ".every(c => Chart.getChart(c))"
    )
    page.locator("#vital-signs").screenshot(path=ARTIFACTS / "vital-signs-chart-section.png")
    page.screenshot(path=ARTIFACTS / "vital-signs-chart.png", full_page=True)

    alert.get_by_role("link", name="Acknowledge").click()
    page.get_by_label("Acknowledgement note").fill("Repeated after rest: 176/94. Dr. informed.")
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/#vital-signs")
    assert page.get_by_test_id("vital-sign-alert").count() == 0
    assert VitalSignAlert.objects.get().acknowledged_by == nurse

    # The oldest set was taken on the wrong patient: marked entered in error from the list.
    page.locator("#vital-signs").get_by_role("link", name="All vital signs").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/vital-signs/")
    assert page.get_by_test_id("vital-signs-row").count() == 5
    page.get_by_role("link", name="Entered in error").last.click()
    page.get_by_label("Why were these vital signs entered in error?").fill(
        "Recorded on the patient in the next bay."
    )
    page.get_by_role("button", name="Mark as entered in error").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/vital-signs/")
    assert "next bay" in page.get_by_test_id("vital-signs-history").inner_text()
    page.screenshot(path=ARTIFACTS / "vital-signs-list.png", full_page=True)
    page.close()
