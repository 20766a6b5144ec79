"""A resulted lab changes only by an amendment with a reason: new rows supersede the old ones,
which stay in the history, and the interpretation is derived again."""

import pytest
from django.utils import timezone

from intake.models import AuditEvent, LabAlert, LabOrder, LabResult
from intake.services.lab import lab_order_create, lab_results_record
from tests.lab_support import on_buprenorphine, uds_entries

pytestmark = pytest.mark.django_db


def resulted(patient, nurse, panel, entries):
    order = lab_order_create(actor=nurse, patient=patient, panel=panel)
    lab_results_record(
        actor=nurse, order=order, collected_at=timezone.now(), observed=True, entries=entries
    )
    return order


def test_it_amends_through_the_page_and_keeps_the_original_in_history(client, patient, team_nurse):
    order = resulted(patient, team_nurse, "ecg", [{"test": "qtc", "value": 420}])
    original = LabResult.objects.get(order=order)
    client.force_login(team_nurse)
    url = f"/patients/{patient.pk}/labs/{order.pk}/amend/"

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["result-qtc"].value() == 420

    # A reason is required, and so is a change.
    response = client.post(url, {"result-qtc": "520"})
    assert "reason" in response.context["form"].errors
    response = client.post(url, {"result-qtc": "420", "reason": "checked"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert LabResult.objects.filter(order=order).count() == 1

    response = client.post(url, {"result-qtc": "520", "reason": "Transcription error: 520 ms"})
    assert response.status_code == 302

    rows = LabResult.objects.filter(order=order).order_by("resulted_at")
    assert rows.count() == 2
    old, new = rows
    assert old.pk == original.pk
    assert (old.is_current, old.value, old.flag) == (False, 420, "normal")
    assert (new.is_current, new.value, new.flag) == (True, 520, "critical")
    assert new.supersedes_id == old.pk
    assert new.amendment_reason == "Transcription error: 520 ms"
    # The corrected value is critical: a new alert for a physician.
    assert {a.code for a in LabAlert.objects.filter(order=order)} == {
        "critical-value",
        "qtc-prolonged",
    }
    assert AuditEvent.objects.filter(
        actor=team_nurse, action="update", object_type="lab-result", object_id=str(order.pk)
    ).exists()

    detail = client.get(f"/patients/{patient.pk}/labs/{order.pk}/").content.decode()
    assert 'data-testid="lab-history"' in detail
    assert "Transcription error: 520 ms" in detail
    assert '<s class="me-1">420 ms</s>' in detail
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "520" in chart


def test_it_rederives_the_whole_panel_when_a_validity_value_is_corrected(api, patient, team_nurse):
    on_buprenorphine(patient, team_nurse)
    order = resulted(
        patient,
        team_nurse,
        "uds",
        uds_entries({"buprenorphine": 40, "norbuprenorphine": 40}, validity={"ph": 3}),
    )
    assert LabOrder.objects.get(pk=order.pk).specimen_status == "adulterated"
    row = LabResult.objects.get(order=order, test_id="buprenorphine")
    assert (row.value, row.interpretation, row.expected) == (40, "inconclusive", None)
    api.force_authenticate(team_nurse)

    response = api.post(
        f"/api/v1/lab-orders/{order.pk}/amend/",
        {"reason": "pH misread: 7.0", "results": [{"test": "ph", "value": 7}]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["specimen_status"] == "valid"
    results = {r["test"]: r for r in body["results"]}
    assert results["buprenorphine"]["interpretation"] == "positive"
    assert results["buprenorphine"]["expected"] is True
    assert results["fentanyl"]["interpretation"] == "negative"
    assert results["ph"]["value"] == 7
    assert results["ph"]["amendment_reason"] == "pH misread: 7.0"
    assert results["fentanyl"]["amendment_reason"].startswith("Re-derived after an amendment")
    # Every drug screen was re-read; the other validity values did not change.
    assert len(body["superseded"]) == 14 + 1
    assert LabResult.objects.filter(order=order).count() == 18 + 15
    assert LabResult.objects.filter(order=order, is_current=True).count() == 18
    assert LabOrder.objects.get(pk=order.pk).specimen_status == "valid"


def test_it_refuses_bad_amendments_and_stores_nothing(api, patient, team_nurse, team_counselor):
    order = resulted(patient, team_nurse, "ecg", [{"test": "qtc", "value": 420}])
    url = f"/api/v1/lab-orders/{order.pk}/amend/"
    api.force_authenticate(team_nurse)
    assert api.post(url, {"results": [{"test": "qtc", "value": 430}]}, format="json").json() == {
        "reason": ["This field is required."]
    }
    response = api.post(
        url, {"reason": "typo", "results": [{"test": "qtc", "value": -5}]}, format="json"
    )
    assert response.status_code == 400 and "qtc" in response.json()
    response = api.post(
        url, {"reason": "typo", "results": [{"test": "alt", "value": 5}]}, format="json"
    )
    assert response.status_code == 400 and "alt" in response.json()
    response = api.post(
        url, {"reason": "typo", "results": [{"test": "qtc", "value": 420}]}, format="json"
    )
    assert response.status_code == 400 and "results" in response.json()
    assert LabResult.objects.filter(order=order).count() == 1

    pending = lab_order_create(actor=team_nurse, patient=patient, panel="ecg")
    response = api.post(
        f"/api/v1/lab-orders/{pending.pk}/amend/",
        {"reason": "typo", "results": [{"test": "qtc", "value": 430}]},
        format="json",
    )
    assert response.status_code == 400

    api.force_authenticate(team_counselor)
    response = api.post(
        url, {"reason": "typo", "results": [{"test": "qtc", "value": 430}]}, format="json"
    )
    assert response.status_code == 403
    assert LabResult.objects.filter(order=order).count() == 1


def test_it_shows_the_order_history_through_the_api(api, patient, team_nurse):
    order = resulted(patient, team_nurse, "ecg", [{"test": "qtc", "value": 420}])
    api.force_authenticate(team_nurse)
    api.post(
        f"/api/v1/lab-orders/{order.pk}/amend/",
        {"reason": "wrong lead", "results": [{"test": "qtc", "value": 440}]},
        format="json",
    )
    body = api.get(f"/api/v1/lab-orders/{order.pk}/").json()
    assert [r["value"] for r in body["results"]] == [440]
    assert [r["value"] for r in body["history"]] == [420]
    assert body["history"][0]["is_current"] is False
    listed = api.get(f"/api/v1/patients/{patient.pk}/lab-results/").json()
    assert [r["value"] for r in listed["results"]] == [440]
