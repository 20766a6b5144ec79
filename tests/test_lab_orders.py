"""Ordering a panel (page and API), the catalog, the lab list, and who may reach which lab URL:
outside the care team every lab URL answers 404, pages and API alike."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from intake.labs.catalog import LAB_TESTS
from intake.models import AuditEvent, LabOrder, LabResult
from intake.services.lab import lab_order_create
from tests.lab_support import resulted_ecg

pytestmark = pytest.mark.django_db


def test_it_serves_the_catalog(api, team_counselor, clinic_admin):
    api.force_authenticate(team_counselor)
    body = api.get("/api/v1/lab-tests/").json()
    tests = {t["code"]: t for t in body["results"]}
    assert body["count"] == len(tests) == len(LAB_TESTS) == 29
    assert tests["alt"] == {
        **tests["alt"],
        "name": "ALT (alanine aminotransferase)",
        "loinc": "1742-6",
        "unit": "U/L",
        "cutoff": None,
        "low": 7,
        "high": 56,
        "critical_low": None,
        "critical_high": None,
        "panels": ["intake-blood"],
    }
    assert tests["qtc"]["critical_high"] == 500
    assert tests["fentanyl"]["cutoff"] == 1 and tests["fentanyl"]["panels"] == ["uds"]
    assert tests["hcg"]["panels"] == ["intake-blood", "pregnancy"]
    api.force_authenticate(clinic_admin)
    assert api.get("/api/v1/lab-tests/").status_code == 403


@pytest.mark.parametrize("panel", ["uds", "intake-blood", "hcv-confirm", "pregnancy", "ecg"])
def test_it_orders_each_panel_through_the_api(api, patient, team_physician, panel):
    api.force_authenticate(team_physician)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/lab-orders/",
        {"panel": panel, "priority": "stat"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["panel"], body["priority"]) == ("ordered", panel, "stat")
    order = LabOrder.objects.get(pk=body["id"])
    assert order.ordered_by == team_physician
    assert AuditEvent.objects.filter(
        action="create", object_type="lab-order", object_id=body["id"], actor=team_physician
    ).exists()
    listed = api.get(f"/api/v1/patients/{patient.pk}/lab-orders/").json()
    assert [o["id"] for o in listed["results"]] == [body["id"]]


def test_it_refuses_an_unknown_panel_or_priority(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    url = f"/api/v1/patients/{patient.pk}/lab-orders/"
    response = api.post(url, {"panel": "tox-everything", "priority": "routine"}, format="json")
    assert response.status_code == 400 and "panel" in response.json()
    response = api.post(url, {"panel": "uds", "priority": "yesterday"}, format="json")
    assert response.status_code == 400 and "priority" in response.json()
    assert not LabOrder.objects.exists()


def test_it_orders_from_the_page_and_lists_orders(client, patient, team_nurse):
    client.force_login(team_nurse)
    page = client.get(f"/patients/{patient.pk}/labs/order/")
    assert page.status_code == 200
    response = client.post(
        f"/patients/{patient.pk}/labs/order/", {"panel": "intake-blood", "priority": "routine"}
    )
    order = LabOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/labs/{order.pk}/"
    assert (order.panel_id, order.priority, order.specimen_type) == (
        "intake-blood",
        "routine",
        "blood",
    )
    detail = client.get(response["Location"]).content.decode()
    assert "Intake blood work ordered" in detail
    assert "Enter results" in detail

    listing = client.get(f"/patients/{patient.pk}/labs/").content.decode()
    assert "Intake blood work" in listing and "Enter results" in listing
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'data-testid="lab-pending"' in chart


def test_it_prefills_an_observed_recollection_order(client, patient, team_nurse):
    client.force_login(team_nurse)
    page = client.get(f"/patients/{patient.pk}/labs/order/?panel=uds&priority=stat")
    assert page.context["form"]["priority"].value() == "stat"
    assert page.context["form"]["panel"].value() == "uds"


def test_it_says_an_order_was_resulted_instead_of_showing_the_form_again(
    client, patient, team_nurse
):
    order, _recording = resulted_ecg(patient, team_nurse, 430)
    client.force_login(team_nurse)
    page = client.get(f"/patients/{patient.pk}/labs/{order.pk}/results/")
    assert page.status_code == 200
    assert 'data-testid="already-resulted"' in page.content.decode()
    response = client.post(
        f"/patients/{patient.pk}/labs/{order.pk}/results/",
        {"collected_at": "2026-11-20T10:00", "specimen_type": "ecg", "result-qtc": "450"},
    )
    assert response.status_code == 200
    assert LabResult.objects.filter(order=order).count() == 1


def _lab_urls(patient, order, alert):
    pages = [
        reverse("intake:lab-list", args=[patient.pk]),
        reverse("intake:lab-order-create", args=[patient.pk]),
        reverse("intake:lab-order-detail", args=[patient.pk, order.pk]),
        reverse("intake:lab-result-entry", args=[patient.pk, order.pk]),
        reverse("intake:lab-result-amend", args=[patient.pk, order.pk]),
        reverse("intake:lab-alert-acknowledge", args=[patient.pk, alert.pk]),
    ]
    api = [
        f"/api/v1/patients/{patient.pk}/lab-orders/",
        f"/api/v1/patients/{patient.pk}/lab-results/",
        f"/api/v1/patients/{patient.pk}/lab-alerts/",
        f"/api/v1/lab-orders/{order.pk}/",
        f"/api/v1/lab-orders/{order.pk}/results/",
        f"/api/v1/lab-orders/{order.pk}/amend/",
        f"/api/v1/lab-alerts/{alert.pk}/acknowledge/",
    ]
    return pages, api


def _critical_ecg(patient, user):
    order, recording = resulted_ecg(patient, user, 515)
    return order, recording.new_alerts[0]


def test_it_answers_404_on_every_lab_url_outside_the_care_team(
    patient, team_nurse, offteam_physician, offteam_nurse
):
    order, alert = _critical_ecg(patient, team_nurse)
    pages, api_urls = _lab_urls(patient, order, alert)
    for user in (offteam_physician, offteam_nurse):
        client, api = Client(), APIClient()
        client.force_login(user)
        api.force_authenticate(user)
        for url in pages:
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                # A nurse may never acknowledge alerts: her role is refused first (403).
                allowed = {403} if user == offteam_nurse and "acknowledge" in url else {404}
                assert status in allowed, (user, method, url, status)
        for url in api_urls:
            for method in ("get", "post"):
                status = getattr(api, method)(url, {}, format="json").status_code
                allowed = {404, 405}
                if user == offteam_nurse and "acknowledge" in url:
                    allowed = {403, 405}
                assert status in allowed, (user, method, url, status)
            assert api.get(url).status_code != 200
    assert LabResult.objects.filter(order=order).count() == 1
    assert AuditEvent.objects.filter(
        actor=offteam_physician, outcome="denied", patient=patient
    ).exists()


def test_it_answers_404_for_an_order_of_another_patient(client, patient, team_nurse):
    from tests.factories import PatientFactory

    other = PatientFactory()
    order = lab_order_create(actor=team_nurse, patient=other, panel="ecg")
    client.force_login(team_nurse)
    assert client.get(f"/patients/{patient.pk}/labs/{order.pk}/").status_code == 404
    assert client.get(f"/patients/{patient.pk}/labs/{order.pk}/results/").status_code == 404


def test_it_refuses_ordering_to_counselors(client, api, patient, team_counselor):
    client.force_login(team_counselor)
    assert client.get(f"/patients/{patient.pk}/labs/order/").status_code == 403
    api.force_authenticate(team_counselor)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/lab-orders/", {"panel": "uds"}, format="json"
    )
    assert response.status_code == 403
    assert not LabOrder.objects.exists()
    assert client.get(f"/patients/{patient.pk}/labs/").status_code == 200


def test_it_audits_reading_the_lab_pages(client, patient, team_nurse):
    order, _alert = _critical_ecg(patient, team_nurse)
    client.force_login(team_nurse)
    client.get(f"/patients/{patient.pk}/labs/")
    client.get(f"/patients/{patient.pk}/labs/{order.pk}/")
    reads = AuditEvent.objects.filter(actor=team_nurse, action="read", patient=patient)
    assert reads.filter(object_type="lab-list").exists()
    assert reads.filter(object_type="lab-order", object_id=str(order.pk)).exists()
    client.get(f"/patients/{patient.pk}/labs/{patient.pk}/")  # not an order of this patient
    assert AuditEvent.objects.filter(
        actor=team_nurse, outcome="denied", patient=patient, object_type="lab-order"
    ).exists()
