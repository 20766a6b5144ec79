"""Critical values and metabolite alerts stay on the chart until a physician acknowledges
them with a note; nobody else may."""

import pytest
from django.utils import timezone

from intake.models import AuditEvent, LabAlert
from intake.services.lab import lab_order_create, lab_results_record
from tests.lab_support import resulted_ecg

pytestmark = pytest.mark.django_db


def ecg(patient, nurse, qtc):
    """A stat ECG, resulted now."""
    return resulted_ecg(patient, nurse, qtc, priority="stat")


def test_it_shows_a_critical_qtc_on_the_chart_until_a_physician_acknowledges_it(
    client, patient, team_nurse, team_physician
):
    order, recording = ecg(patient, team_nurse, 520)
    assert recording.alerts == ["critical-value", "qtc-prolonged"]
    assert {a.code for a in recording.new_alerts} == {"critical-value", "qtc-prolonged"}
    chart_url = f"/patients/{patient.pk}/"
    ack_urls = {
        a: f"/patients/{patient.pk}/labs/alerts/{a.pk}/acknowledge/" for a in recording.new_alerts
    }

    client.force_login(team_nurse)
    chart = client.get(chart_url).content.decode()
    assert chart.count('data-testid="lab-alert"') == 1  # one finding, both codes
    assert "Critical value" in chart and "QTc prolonged" in chart and "520" in chart
    assert "Awaiting a physician" in chart
    assert not any(url in chart for url in ack_urls.values())
    alert, ack_url = next(iter(ack_urls.items()))
    # A nurse may not acknowledge: 403, nothing changes.
    assert client.get(ack_url).status_code == 403
    assert client.post(ack_url, {"note": "seen"}).status_code == 403
    assert LabAlert.objects.filter(acknowledged_at__isnull=True).count() == 2

    client.force_login(team_physician)
    chart = client.get(chart_url).content.decode()
    # One Acknowledge button for the finding, whichever of its alerts it names.
    assert sum(url in chart for url in ack_urls.values()) == 1
    page = client.get(ack_url)
    assert page.status_code == 200
    # The note is required.
    response = client.post(ack_url, {"note": "  "})
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert LabAlert.objects.filter(acknowledged_at__isnull=True).count() == 2

    response = client.post(ack_url, {"note": "Methadone dose held; cardiology consult today."})
    assert response.status_code == 302
    assert response["Location"] == f"{chart_url}#labs"
    rows = LabAlert.objects.filter(order=order)
    assert all(a.acknowledged_by == team_physician for a in rows)
    assert all(a.acknowledgement_note.startswith("Methadone dose held") for a in rows)
    assert (
        AuditEvent.objects.filter(
            actor=team_physician, action="update", object_type="lab-alert"
        ).count()
        == 2
    )

    chart = client.get(chart_url).content.decode()
    assert 'data-testid="lab-alert"' not in chart
    detail = client.get(f"/patients/{patient.pk}/labs/{order.pk}/").content.decode()
    assert "Acknowledged" in detail and "cardiology consult" in detail
    # Twice is refused without changing the first acknowledgement.
    client.post(ack_url, {"note": "again"})
    assert LabAlert.objects.get(pk=alert.pk).acknowledgement_note.startswith("Methadone")


def test_it_acknowledges_through_the_api_for_physicians_only(
    api, patient, team_nurse, team_physician, offteam_physician
):
    _order, recording = ecg(patient, team_nurse, 505)
    alert = recording.new_alerts[0]
    url = f"/api/v1/lab-alerts/{alert.pk}/acknowledge/"

    api.force_authenticate(team_nurse)
    listed = api.get(f"/api/v1/patients/{patient.pk}/lab-alerts/").json()
    assert {a["code"] for a in listed["results"]} == {"critical-value", "qtc-prolonged"}
    response = api.post(url, {"note": "seen"}, format="json")
    assert response.status_code == 403

    api.force_authenticate(offteam_physician)
    assert api.post(url, {"note": "seen"}, format="json").status_code == 404

    api.force_authenticate(team_physician)
    assert api.post(url, {}, format="json").status_code == 400
    response = api.post(url, {"note": "Repeat ECG tomorrow."}, format="json")
    assert response.status_code == 200
    assert len(response.json()["acknowledged"]) == 2
    assert api.post(url, {"note": "again"}, format="json").status_code == 409
    assert api.get(f"/api/v1/patients/{patient.pk}/lab-alerts/").json()["count"] == 0
    everything = api.get(f"/api/v1/patients/{patient.pk}/lab-alerts/?open=false").json()
    assert everything["count"] == 2


def test_it_raises_no_alert_for_a_normal_qtc(patient, team_nurse):
    _order, recording = ecg(patient, team_nurse, 430)
    assert recording.alerts == []
    assert not LabAlert.objects.exists()


def test_it_alerts_on_a_positive_pregnancy_test(client, patient, team_nurse):
    order = lab_order_create(actor=team_nurse, patient=patient, panel="pregnancy")
    recording = lab_results_record(
        actor=team_nurse,
        order=order,
        collected_at=timezone.now(),
        observed=False,
        entries=[{"test": "hcg", "qualitative": "positive"}],
    )
    assert recording.alerts == ["pregnancy-positive"]
    client.force_login(team_nurse)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Pregnancy test positive" in chart


def test_it_alerts_on_methadone_without_its_metabolite(api, patient, team_nurse):
    from tests.lab_support import uds_entries

    api.force_authenticate(team_nurse)
    order = lab_order_create(actor=team_nurse, patient=patient, panel="uds")
    response = api.post(
        f"/api/v1/lab-orders/{order.pk}/results/",
        {
            "collected_at": timezone.now().isoformat(),
            "observed": True,
            "results": uds_entries({"methadone": 900}),
        },
        format="json",
    )
    assert response.json()["alerts"] == ["methadone-without-metabolite"]
    alert = LabAlert.objects.get(order=order)
    assert alert.result is None


def test_it_raises_a_critical_value_alert_for_blood_counts(patient, team_nurse):
    order = lab_order_create(actor=team_nurse, patient=patient, panel="intake-blood")
    recording = lab_results_record(
        actor=team_nurse,
        order=order,
        collected_at=timezone.now(),
        observed=False,
        entries=[
            {"test": "hemoglobin", "value": 6.5},
            {"test": "alt", "value": 80},
            {"test": "hiv", "qualitative": "negative"},
        ],
    )
    flags = {r.test_id: r.flag for r in recording.results}
    assert flags == {"hemoglobin": "critical", "alt": "high", "hiv": ""}
    assert [a.code for a in recording.new_alerts] == ["critical-value"]
    assert recording.new_alerts[0].result.test_id == "hemoglobin"
