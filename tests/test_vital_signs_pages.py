"""The vital-sign pages: a nurse records a set from the chart (flags shown in clinical words,
with units), a refused value stays on its field with nothing stored, a critical value shows
first on the chart and on the worklist until a nurse or a physician acknowledges it; the
latest values and trends sit beside the lab card; only the care team sees any of it."""

import datetime
import re

import pytest
from django.utils import timezone

from intake.models import AuditEvent, VitalSignAlert, VitalSigns
from intake.services.vital_signs import vital_signs_record

pytestmark = pytest.mark.django_db


def _record_url(patient):
    return f"/patients/{patient.pk}/vital-signs/record/"


def _form(**values):
    taken = timezone.localtime() - datetime.timedelta(minutes=10)
    return {"taken_at": taken.strftime("%Y-%m-%dT%H:%M"), **values}


def _record(patient, user, minutes_ago=10, **values):
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return vital_signs_record(actor=user, patient=patient, taken_at=at, values=values)


def test_a_nurse_records_vital_signs_from_the_chart(client, patient, team_nurse):
    client.force_login(team_nurse)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert _record_url(patient) in chart
    page = client.get(_record_url(patient))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Systolic blood pressure (mmHg)" in html and "Temperature (°C)" in html
    assert "Pain score (0–10)" in html
    response = client.post(
        _record_url(patient),
        _form(systolic="86", diastolic="58", heart_rate="104", temperature_c="37.2", pain="3"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/patients/{patient.pk}/#vital-signs"
    html = response.content.decode()
    assert "Vital signs recorded" in html
    vitals = VitalSigns.objects.get()
    assert vitals.flags == {
        "systolic": "low",
        "diastolic": "low",
        "heart_rate": "high",
        "temperature_c": "normal",
    }
    assert vitals.created_by == team_nurse
    card = html.split('data-testid="chart-vital-signs"', 1)[1].split("</section>", 1)[0]
    assert "86 mmHg" in card and "104 /min" in card and "37.2 °C" in card and "3/10" in card
    assert ">Low<" in card and ">High<" in card
    table = card.split('data-testid="vital-signs-latest"', 1)[1].split("</table>", 1)[0]
    assert "normal" not in table.lower()  # a normal value carries no badge
    assert AuditEvent.objects.filter(object_type="vital-signs", action="create").count() == 1


def test_a_refused_value_stays_on_its_field_and_nothing_is_stored(client, patient, team_nurse):
    client.force_login(team_nurse)
    response = client.post(_record_url(patient), _form(heart_rate="350"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Outside the plausible range (20–300 /min)" in errors["heart_rate"][0]
    response = client.post(_record_url(patient), _form(systolic="120"))
    assert "together" in response.context["form"].errors["diastolic"][0]
    response = client.post(_record_url(patient), _form())
    assert "at least one measure" in str(response.context["form"].non_field_errors())
    future = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(_record_url(patient), {"taken_at": future, "heart_rate": "70"})
    assert "future" in response.context["form"].errors["taken_at"][0]
    response = client.post(_record_url(patient), _form(heart_rate="seventy"))
    assert "heart_rate" in response.context["form"].errors
    response = client.post(_record_url(patient), _form(temperature_c="36.85"))
    assert "temperature_c" in response.context["form"].errors
    assert not VitalSigns.objects.exists()


def test_a_counselor_sees_vital_signs_but_may_not_record(
    client, patient, team_nurse, team_counselor
):
    _record(patient, team_nurse, heart_rate=72)
    client.force_login(team_counselor)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "72 /min" in chart
    assert _record_url(patient) not in chart
    assert client.get(_record_url(patient)).status_code == 403
    assert client.post(_record_url(patient), _form(heart_rate="70")).status_code == 403
    assert VitalSigns.objects.count() == 1


def _without_tokens(response) -> str:
    """The page without its per-request tokens, the session's seconds left (they tick between
    the two requests), and the id the URL itself gave (the emergency-access offer repeats it)."""
    html = re.sub(r'data-session-seconds="\d+"', "", response.content.decode())
    html = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", html)
    return re.sub(r'(nonce|value|content)="[A-Za-z0-9+/=_-]{20,}"', "", html)


def test_outside_the_care_team_the_page_is_the_same_404(client, patient, offteam_nurse):
    client.force_login(offteam_nurse)
    outside = client.get(_record_url(patient))
    unknown = client.get("/patients/00000000-0000-4000-8000-000000000000/vital-signs/record/")
    assert outside.status_code == unknown.status_code == 404
    # The same page but for the per-request nonce and CSRF token.
    assert _without_tokens(outside) == _without_tokens(unknown)
    assert client.post(_record_url(patient), _form(heart_rate="70")).status_code == 404
    assert not VitalSigns.objects.exists()


def test_a_critical_value_goes_from_the_chart_to_the_worklist_until_acknowledged(
    client, patient, team_nurse, team_physician, team_counselor
):
    vitals = _record(patient, team_nurse, systolic=76, diastolic=48, spo2=97)
    alert = VitalSignAlert.objects.get(vital_signs=vitals)
    assert alert.measure == "systolic"
    ack_url = f"/patients/{patient.pk}/vital-signs/alerts/{alert.pk}/acknowledge/"

    client.force_login(team_counselor)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Critical systolic blood pressure: 76 mmHg" in chart
    assert "Awaiting a nurse or physician" in chart and ack_url not in chart
    assert client.get(ack_url).status_code == 403

    client.force_login(team_physician)
    home = client.get("/").content.decode()
    section = home.split('data-testid="worklist-vitals-to-acknowledge"', 1)[1]
    assert "Critical systolic blood pressure: 76 mmHg" in section and ack_url in section

    client.force_login(team_nurse)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    opened = chart.index('data-testid="open-alerts"')
    assert opened < chart.index('id="vital-signs"')
    assert ack_url in chart and ">Critical<" in chart
    response = client.post(ack_url, {"note": " "})
    assert response.status_code == 200 and "note" in response.context["form"].errors
    response = client.post(ack_url, {"note": "Repeated lying: 92/60. Physician informed."})
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/#vital-signs"
    alert.refresh_from_db()
    assert alert.acknowledged_by == team_nurse and alert.acknowledged_at is not None
    assert AuditEvent.objects.filter(
        object_type="vital-sign-alert", action="update", object_id=str(alert.pk)
    ).exists()
    assert "Critical systolic" not in client.get("/").content.decode()
    client.force_login(team_physician)
    assert "Critical systolic" not in client.get("/").content.decode()
    assert "Critical systolic" not in client.get(f"/patients/{patient.pk}/").content.decode()
    # A second acknowledgement is refused, not doubled.
    response = client.post(ack_url, {"note": "Seen."}, follow=True)
    assert "already acknowledged" in response.content.decode()
    assert AuditEvent.objects.filter(object_type="vital-sign-alert", action="update").count() == 1


def test_the_chart_shows_the_latest_of_each_measure_and_the_trends(
    client, patient, team_nurse, team_physician
):
    _record(patient, team_nurse, minutes_ago=600, heart_rate=88, weight_kg=70)
    _record(patient, team_nurse, minutes_ago=300, heart_rate=96, temperature_c=38.2)
    _record(patient, team_nurse, minutes_ago=30, heart_rate=112)
    client.force_login(team_physician)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    card = html.split('data-testid="chart-vital-signs"', 1)[1].split("</section>", 1)[0]
    assert "112 /min" in card and "96 /min" not in card  # the latest heart rate only
    assert "38.2 °C" in card and "70.0 kg" in card
    assert 'data-vital-trend="heart_rate"' in card and 'id="vital-trends-data"' in card
    assert "intake/lab_trends.js" in html
    # The vital-signs card sits just before the lab card.
    assert html.index('id="vital-signs"') < html.index('id="labs"')


def test_a_heart_rate_of_the_last_15_minutes_answers_cows_item_1(client, patient, team_nurse):
    client.force_login(team_nurse)
    url = f"/patients/{patient.pk}/assessments/new/cows/"
    _record(patient, team_nurse, minutes_ago=20, heart_rate=130)
    form = client.get(url).context["form"]
    assert "item_1" not in form.initial  # 20 minutes ago: count the pulse again
    _record(patient, team_nurse, minutes_ago=14, heart_rate=104)
    response = client.get(url)
    assert response.context["form"].initial["item_1"] == "2"  # 101-120
    assert "heart rate of 104 /min" in response.content.decode()
    phq9 = client.get(f"/patients/{patient.pk}/assessments/new/phq9/")
    assert phq9.context["pulse"] is None


def test_patient_lists_flag_a_critical_vital_sign(client, patient, team_nurse):
    _record(patient, team_nurse, spo2=84)
    client.force_login(team_nurse)
    home = client.get("/").content.decode()
    assert 'data-testid="critical-vital-flag"' in home
    VitalSignAlert.objects.update(
        acknowledged_at=timezone.now(), acknowledged_by=team_nurse, acknowledgement_note="O2"
    )
    assert 'data-testid="critical-vital-flag"' not in client.get("/").content.decode()


def test_every_set_is_listed_and_one_entered_in_error_is_marked(
    client, patient, team_nurse, team_counselor
):
    kept = _record(patient, team_nurse, minutes_ago=60, heart_rate=76)
    wrong = _record(patient, team_nurse, minutes_ago=10, heart_rate=34)
    list_url = f"/patients/{patient.pk}/vital-signs/"
    void_url = f"/patients/{patient.pk}/vital-signs/{wrong.pk}/void/"
    client.force_login(team_counselor)
    page = client.get(list_url).content.decode()
    assert page.count('data-testid="vital-signs-row"') == 2 and void_url not in page
    assert client.get(void_url).status_code == 403

    client.force_login(team_nurse)
    assert void_url in client.get(list_url).content.decode()
    response = client.post(void_url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(void_url, {"reason": "Taken on the patient in the next bay."})
    assert response.status_code == 302 and response["Location"] == list_url
    wrong.refresh_from_db()
    assert wrong.voided_by == team_nurse and wrong.void_reason.startswith("Taken on")
    page = client.get(list_url).content.decode()
    assert "Entered in error" in page and "next bay" in page
    assert not VitalSignAlert.objects.filter(acknowledged_at=None).exists()
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "76 /min" in chart and "34 /min" not in chart
    other = f"/patients/{patient.pk}/vital-signs/{kept.pk}/void/"
    assert client.get(other).status_code == 200
    response = client.post(void_url, {"reason": "again"}, follow=True)
    assert "already marked" in response.content.decode()


def _page_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum("intake_audit_seal(" not in q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize("page", ["", "vital-signs/"])
def test_the_chart_and_the_list_cost_the_same_for_2_or_30_sets(client, patient, team_nurse, page):
    url = f"/patients/{patient.pk}/{page}"
    client.force_login(team_nurse)
    for i in range(2):
        _record(patient, team_nurse, minutes_ago=i + 1, heart_rate=35, systolic=120, diastolic=80)
    small = _page_queries(client, url)
    for i in range(28):
        _record(patient, team_nurse, minutes_ago=i + 5, heart_rate=35, systolic=120, diastolic=80)
    assert _page_queries(client, url) == small
    assert small <= 15


def test_a_trailing_zero_is_not_a_second_decimal_place(client, patient, team_nurse):
    """36.80 °C is 36.8 °C on the page as in the API."""
    client.force_login(team_nurse)
    response = client.post(_record_url(patient), _form(temperature_c="36.80", weight_kg="70.0"))
    assert response.status_code == 302, response.context["form"].errors
    saved = VitalSigns.objects.get(patient=patient)
    assert (str(saved.temperature_c), str(saved.weight_kg)) == ("36.8", "70.0")


def test_two_decimal_places_are_still_refused_on_the_page(client, patient, team_nurse):
    client.force_login(team_nurse)
    response = client.post(_record_url(patient), _form(temperature_c="36.85"))
    assert response.status_code == 200
    assert "temperature_c" in response.context["form"].errors
    assert not VitalSigns.objects.filter(patient=patient).exists()
