import datetime

import pytest
from django.utils import timezone

from intake.models import Assessment
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def _phq9_form(item9="0", **overrides):
    data = {f"item_{n}": "1" for n in range(1, 9)} | {"item_9": item9}
    data["administered_at"] = "2026-11-20T09:30"
    data.update(overrides)
    return data


def test_it_answers_an_instrument_and_shows_score_band_and_alerts(client, patient, team_counselor):
    client.force_login(team_counselor)
    form = client.get(f"/patients/{patient.pk}/assessments/new/phq9/")
    assert form.status_code == 200
    assert b'data-points="3"' in form.content
    response = client.post(
        f"/patients/{patient.pk}/assessments/new/phq9/", _phq9_form("2"), follow=True
    )
    assert response.status_code == 200
    content = response.content.decode()
    assessment = Assessment.objects.get()
    assert (assessment.total, assessment.band, assessment.alerts) == (
        10,
        "moderate",
        ["suicide-risk"],
    )
    assert 'data-testid="total">10<' in content
    assert "Moderate" in content
    assert "Suicide risk" in content


def test_it_keeps_the_answers_and_names_the_missing_item(client, patient, team_counselor):
    client.force_login(team_counselor)
    data = _phq9_form()
    del data["item_4"]
    response = client.post(f"/patients/{patient.pk}/assessments/new/phq9/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"item_4": ["Answer this item."]}
    assert b'value="1" name="item_1"' in response.content or b"checked" in response.content
    assert Assessment.objects.count() == 0


def test_a_suicide_risk_alert_stays_on_the_chart_until_a_safety_assessment(
    client, patient, team_counselor, team_nurse
):
    client.force_login(team_counselor)
    client.post(f"/patients/{patient.pk}/assessments/new/phq9/", _phq9_form("1"))
    assessment = Assessment.objects.get()
    client.force_login(team_nurse)
    chart = client.get(f"/patients/{patient.pk}/")
    assert b'data-testid="chart-safety-alert"' in chart.content
    empty = client.post(f"/patients/{patient.pk}/assessments/{assessment.pk}/safety/", {"note": ""})
    assert empty.status_code == 302
    assessment.refresh_from_db()
    assert assessment.safety_assessed_at is None
    client.post(
        f"/patients/{patient.pk}/assessments/{assessment.pk}/safety/",
        {"note": "Denies plan or intent; safety plan reviewed; crisis line given."},
    )
    assessment.refresh_from_db()
    assert assessment.safety_assessed_by == team_nurse
    assert assessment.total == 9 and assessment.alerts == ["suicide-risk"]  # scores untouched
    chart = client.get(f"/patients/{patient.pk}/")
    assert b'data-testid="chart-safety-alert"' not in chart.content


def test_asam_records_notes_and_the_recommended_level(client, patient, team_counselor):
    client.force_login(team_counselor)
    data = {f"item_{n}": "2" for n in range(1, 7)} | {
        "item_1": "4",
        "note_1": "Daily fentanyl, last use 6 h ago",
        "recommended_level": "3.7",
        "administered_at": "2026-11-20T09:30",
    }
    response = client.post(f"/patients/{patient.pk}/assessments/new/asam/", data)
    assert response.status_code == 302
    a = Assessment.objects.get()
    assert (a.total, a.band, a.alerts, a.recommended_level) == (
        14,
        "severe",
        ["imminent-danger"],
        "3.7",
    )
    assert a.item_notes == {"1": "Daily fentanyl, last use 6 h ago"}


def test_history_draws_the_trend(client, patient, team_nurse):
    start = timezone.now() - datetime.timedelta(hours=12)
    for hours, total, band in ((0, 14, "moderate"), (4, 9, "mild"), (8, 3, "none")):
        AssessmentFactory(
            patient=patient,
            instrument="cows",
            total=total,
            band=band,
            answers={},
            administered_at=start + datetime.timedelta(hours=hours),
        )
    client.force_login(team_nurse)
    page = client.get(f"/patients/{patient.pk}/assessments/history/cows/")
    assert page.status_code == 200
    # Oldest first on the chart: the detox day's COWS falling.
    assert [p["total"] for p in page.context["series"]] == [14, 9, 3]
    assert b"chart.umd.min.js" in page.content
    assert b'id="series-data"' in page.content


def test_it_refuses_unknown_instruments_and_other_patients(client, patient, team_nurse):
    client.force_login(team_nurse)
    assert client.get(f"/patients/{patient.pk}/assessments/new/bdi/").status_code == 404
    other = AssessmentFactory()
    assert client.get(f"/patients/{patient.pk}/assessments/{other.pk}/").status_code == 404
