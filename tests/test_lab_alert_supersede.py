"""An amendment closes the alerts of the result it supersedes (audited, "superseded by
amendment") and raises its own if still critical: an ECG amended three times leaves one open
finding, not four."""

import pytest

from intake.models import AuditEvent, LabAlert
from intake.services.lab import lab_alert_acknowledge
from intake.services.lab_amend import lab_results_amend
from tests.lab_support import on_buprenorphine, uds_entries
from tests.test_lab_amend import resulted

pytestmark = pytest.mark.django_db


def open_codes(order):
    return sorted(
        LabAlert.objects.filter(order=order, acknowledged_at__isnull=True).values_list(
            "code", flat=True
        )
    )


def test_three_amendments_of_a_critical_ecg_leave_one_open_finding(
    client, patient, team_nurse, team_physician
):
    order = resulted(patient, team_nurse, "ecg", [{"test": "qtc", "value": 520}])
    for value in (530, 540, 550):
        lab_results_amend(
            actor=team_nurse,
            order=order,
            corrections=[{"test": "qtc", "value": value}],
            reason=f"Re-read: {value} ms",
        )
    assert open_codes(order) == ["critical-value", "qtc-prolonged"]
    open_rows = LabAlert.objects.filter(order=order, acknowledged_at__isnull=True)
    assert {a.result.value for a in open_rows} == {550}
    closed = LabAlert.objects.filter(order=order, closure="superseded")
    assert closed.count() == 6
    assert all(a.acknowledgement_note.startswith("Superseded by amendment") for a in closed)
    assert (
        AuditEvent.objects.filter(
            object_type="lab-alert", detail__change="superseded", actor=team_nurse
        ).count()
        == 6
    )

    client.force_login(team_physician)
    detail = client.get(f"/patients/{patient.pk}/labs/{order.pk}/").content.decode()
    assert detail.count('data-testid="alert-superseded"') == 6
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert chart.count("Acknowledge</a>") == 1


def test_an_amendment_to_a_normal_value_closes_the_alert_and_raises_none(patient, team_nurse):
    order = resulted(patient, team_nurse, "ecg", [{"test": "qtc", "value": 520}])
    lab_results_amend(
        actor=team_nurse,
        order=order,
        corrections=[{"test": "qtc", "value": 420}],
        reason="Wrong patient's tracing",
    )
    assert open_codes(order) == []


def test_a_missing_metabolite_alert_closes_when_the_amendment_supplies_it(patient, team_nurse):
    on_buprenorphine(patient, team_nurse)
    order = resulted(
        patient,
        team_nurse,
        "uds",
        uds_entries({"buprenorphine": 40, "norbuprenorphine": 0}),
    )
    assert open_codes(order) == ["buprenorphine-without-metabolite"]
    lab_results_amend(
        actor=team_nurse,
        order=order,
        corrections=[{"test": "norbuprenorphine", "value": 60}],
        reason="Metabolite strip misread",
    )
    assert open_codes(order) == []


def test_an_acknowledged_alert_stays_acknowledged_after_an_amendment(
    patient, team_nurse, team_physician
):
    order = resulted(patient, team_nurse, "ecg", [{"test": "qtc", "value": 520}])
    first = LabAlert.objects.filter(order=order).first()
    lab_alert_acknowledge(actor=team_physician, alert=first, note="Cardiology called")
    lab_results_amend(
        actor=team_nurse,
        order=order,
        corrections=[{"test": "qtc", "value": 525}],
        reason="Re-read",
    )
    assert set(
        LabAlert.objects.filter(order=order, result__value=520).values_list("closure", flat=True)
    ) == {"acknowledged"}
    assert open_codes(order) == ["critical-value", "qtc-prolonged"]


def test_a_superseded_alert_cannot_be_acknowledged_and_says_why(
    api, patient, team_nurse, team_physician
):
    order = resulted(patient, team_nurse, "ecg", [{"test": "qtc", "value": 520}])
    old = LabAlert.objects.filter(order=order).first()
    lab_results_amend(
        actor=team_nurse,
        order=order,
        corrections=[{"test": "qtc", "value": 420}],
        reason="Wrong tracing",
    )
    api.force_authenticate(team_physician)
    response = api.post(
        f"/api/v1/lab-alerts/{old.pk}/acknowledge/", {"note": "seen"}, format="json"
    )
    assert response.status_code == 409
    assert "amended" in response.json()["detail"]
