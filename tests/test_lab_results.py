"""Entering a panel's results: interpretation end to end (API and page), specimen validity,
`expected` against the current medications, refusals that store nothing, audit."""

import datetime

import pytest
from django.utils import timezone

from intake.models import AuditEvent, LabAlert, LabOrder, LabResult
from intake.services.lab import lab_order_create, lab_results_record
from tests.lab_support import (
    SCREENS,
    VALID_SPECIMEN,
    VALID_SPECIMEN_TYPED,
    api_order,
    by_test,
    on_buprenorphine,
    post_results,
    resulted_ecg,
    results_form,
    uds_entries,
)

pytestmark = pytest.mark.django_db


def test_it_interprets_a_full_uds_for_a_buprenorphine_patient(api, patient, team_nurse):
    on_buprenorphine(patient, team_nurse)
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    assert order["status"] == "ordered"

    response = post_results(
        api,
        order["id"],
        uds_entries({"buprenorphine": 48, "norbuprenorphine": 120, "fentanyl": 3.5}),
        observed=True,
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["specimen_status"] == "valid"
    assert body["status"] == "resulted"
    results = by_test(body)
    assert set(results) == {*SCREENS, "xylazine", *VALID_SPECIMEN}
    assert results["buprenorphine"]["interpretation"] == "positive"
    assert results["buprenorphine"]["expected"] is True
    assert results["norbuprenorphine"]["interpretation"] == "positive"
    assert results["norbuprenorphine"]["expected"] is True
    assert results["fentanyl"] == {
        **results["fentanyl"],
        "value": 3.5,
        "unit": "ng/mL",
        "interpretation": "positive",
        "flag": None,
        "expected": False,
    }
    assert results["methadone"]["interpretation"] == "negative"
    assert results["methadone"]["expected"] is True
    assert results["xylazine"]["qualitative"] == "negative"
    assert results["ph"]["interpretation"] is None and results["ph"]["expected"] is None
    assert body["alerts"] == []

    stored = LabResult.objects.get(order_id=order["id"], test_id="fentanyl")
    assert (stored.interpretation, stored.expected, stored.is_current) == ("positive", False, True)
    saved = LabOrder.objects.get(pk=order["id"])
    assert (saved.status, saved.observed, saved.specimen_status) == ("resulted", True, "valid")
    assert saved.collected_by == team_nurse


def test_it_expects_negatives_for_a_patient_on_no_medication(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    body = post_results(api, order["id"], uds_entries({"buprenorphine": 48})).json()
    results = by_test(body)
    assert results["buprenorphine"]["expected"] is False
    assert results["norbuprenorphine"]["expected"] is True  # negative, as expected
    # Buprenorphine without its metabolite: the sample may have been spiked.
    assert body["alerts"] == ["buprenorphine-without-metabolite"]
    alert = LabAlert.objects.get(order_id=order["id"])
    assert alert.code == "buprenorphine-without-metabolite"
    assert alert.acknowledged_at is None


def test_it_keeps_positives_of_a_dilute_specimen_and_voids_negatives(api, patient, team_nurse):
    on_buprenorphine(patient, team_nurse)
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    body = post_results(
        api,
        order["id"],
        uds_entries(
            {"buprenorphine": 30, "norbuprenorphine": 30, "fentanyl": 2},
            validity={"creatinine": 10, "specific-gravity": 1.002},
        ),
    ).json()
    assert body["specimen_status"] == "dilute"
    assert body["recollect_observed"] is False
    results = by_test(body)
    assert results["fentanyl"]["interpretation"] == "positive"
    assert results["fentanyl"]["expected"] is False
    assert results["buprenorphine"]["expected"] is True
    assert results["cocaine"]["interpretation"] == "negative"
    assert results["cocaine"]["expected"] is None


def test_it_reports_an_adulterated_specimen_inconclusive_and_asks_for_recollection(
    api, client, patient, team_nurse
):
    on_buprenorphine(patient, team_nurse)
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    body = post_results(
        api, order["id"], uds_entries({"fentanyl": 50}, validity={"ph": 3.2})
    ).json()
    assert body["specimen_status"] == "adulterated"
    assert body["recollect_observed"] is True
    # Reported inconclusive, none of it judged expected; the reading itself is kept.
    for code in [*SCREENS, "xylazine"]:
        assert by_test(body)[code]["interpretation"] == "inconclusive", code
        assert by_test(body)[code]["expected"] is None, code
    assert by_test(body)["fentanyl"]["value"] is not None

    client.force_login(team_nurse)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'data-testid="lab-recollect"' in chart
    assert "Observed recollection needed" in chart
    assert "adulterated" in chart
    detail = client.get(f"/patients/{patient.pk}/labs/{order['id']}/").content.decode()
    assert "Recollect a urine specimen under observation" in detail


@pytest.mark.parametrize(
    ("validity", "status"),
    [
        ({"creatinine": 1, "specific-gravity": 1.0005}, "substituted"),
        ({"specimen-temperature": 30}, "invalid"),
    ],
)
def test_it_voids_substituted_and_invalid_specimens(api, patient, team_nurse, validity, status):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    body = post_results(api, order["id"], uds_entries({"cocaine": 400}, validity=validity)).json()
    assert body["specimen_status"] == status
    assert by_test(body)["cocaine"]["interpretation"] == "inconclusive"
    assert by_test(body)["cocaine"]["expected"] is None
    assert body["recollect_observed"] is True


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"test": "fentanyl", "value": -1}, "fentanyl"),
        ({"test": "ph", "value": 15}, "ph"),
        ({"test": "ph", "value": -0.5}, "ph"),
        ({"test": "hemoglobin", "value": 13}, "hemoglobin"),  # not in the uds panel
        ({"test": "unobtainium", "value": 1}, "unobtainium"),
        ({"test": "cocaine", "value": "lots"}, "cocaine"),
        ({"test": "xylazine", "value": 4}, "xylazine"),  # qualitative only
        ({"test": "creatinine", "value": 12.123456}, "creatinine"),  # beyond the stored scale
    ],
)
def test_it_refuses_impossible_values_naming_the_test_and_stores_nothing(
    api, patient, team_nurse, entry, field
):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    events = AuditEvent.objects.count()
    results = [e for e in uds_entries() if e["test"] != entry["test"]] + [entry]

    response = post_results(api, order["id"], results)

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert response.json()[field]
    assert not LabResult.objects.exists()
    assert not LabAlert.objects.exists()
    saved = LabOrder.objects.get(pk=order["id"])
    assert (saved.status, saved.specimen_status, saved.collected_at) == ("ordered", "", None)
    assert AuditEvent.objects.count() == events


def test_it_names_every_bad_test_at_once(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    results = uds_entries()
    results[2] = {"test": "fentanyl", "value": -3}
    results[-1] = {"test": "ph", "value": 99}
    response = post_results(api, order["id"], results + [{"test": "alt", "value": 20}])
    assert response.status_code == 400
    assert {"fentanyl", "ph", "alt"} <= set(response.json())


def test_it_refuses_a_missing_or_future_collection_time(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient, panel="ecg")
    response = api.post(
        f"/api/v1/lab-orders/{order['id']}/results/",
        {"observed": False, "results": [{"test": "qtc", "value": 420}]},
        format="json",
    )
    assert response.status_code == 400
    assert "collected_at" in response.json()
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = api.post(
        f"/api/v1/lab-orders/{order['id']}/results/",
        {"collected_at": future, "observed": False, "results": [{"test": "qtc", "value": 420}]},
        format="json",
    )
    assert response.status_code == 400
    assert "collected_at" in response.json()
    assert not LabResult.objects.exists()


def test_it_refuses_entering_results_twice(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient, panel="ecg")
    assert post_results(api, order["id"], [{"test": "qtc", "value": 420}]).status_code == 201
    response = post_results(api, order["id"], [{"test": "qtc", "value": 430}])
    assert response.status_code == 409
    assert "amendment" in response.json()["detail"]
    assert LabResult.objects.filter(order_id=order["id"]).count() == 1


def test_it_audits_ordering_and_entering_results(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient, panel="ecg")
    post_results(api, order["id"], [{"test": "qtc", "value": 420}])
    events = AuditEvent.objects.filter(patient=patient, actor=team_nurse, outcome="allowed")
    assert events.filter(action="create", object_type="lab-order", object_id=order["id"]).exists()
    assert events.filter(action="create", object_type="lab-result", object_id=order["id"]).exists()


def test_it_enters_a_whole_panel_on_one_page(client, patient, team_nurse):
    on_buprenorphine(patient, team_nurse)
    client.force_login(team_nurse)
    order = lab_order_create(actor=team_nurse, patient=patient, panel="uds")
    url = f"/patients/{patient.pk}/labs/{order.pk}/results/"

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # Every analyte of the panel in one column; no screen has a default reading.
    for code in [*SCREENS, "xylazine", *VALID_SPECIMEN]:
        assert f'name="result-{code}"' in html, code
    assert html.index('name="result-opiates"') < html.index('name="result-ph"')
    assert page.context["form"]["result-fentanyl"].value() is None

    form = results_form(
        "urine",
        {
            **{code: "negative" for code in SCREENS},
            "xylazine": "negative",
            "buprenorphine": "positive",
            "norbuprenorphine": "positive",
            "fentanyl": "positive",
            **VALID_SPECIMEN_TYPED,
        },
        observed="on",
    )
    response = client.post(url, form)
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/labs/{order.pk}/"

    order.refresh_from_db()
    assert (order.status, order.specimen_status, order.observed) == ("resulted", "valid", True)
    fentanyl = LabResult.objects.get(order=order, test_id="fentanyl")
    assert (fentanyl.qualitative, fentanyl.interpretation, fentanyl.expected) == (
        "positive",
        "positive",
        False,
    )

    detail = client.get(response["Location"]).content.decode()
    assert "Unexpected" in detail
    assert "Results saved" in detail

    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'data-testid="lab-drug-screens"' in chart
    assert "lab-unexpected" in chart


def test_it_puts_service_errors_on_the_page_fields_and_stores_nothing(client, patient, team_nurse):
    client.force_login(team_nurse)
    order = lab_order_create(actor=team_nurse, patient=patient, panel="uds")
    form = results_form(
        "urine",
        {
            **{code: "negative" for code in [*SCREENS, "xylazine"]},
            **VALID_SPECIMEN_TYPED,
            "creatinine": "-4",
            "ph": "21",
        },
    )
    response = client.post(f"/patients/{patient.pk}/labs/{order.pk}/results/", form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "result-creatinine" in errors and "result-ph" in errors
    assert 'data-testid="error-ph"' in response.content.decode()
    assert not LabResult.objects.exists()


def test_it_requires_the_validity_values_of_a_urine_screen_on_the_page(client, patient, team_nurse):
    client.force_login(team_nurse)
    order = lab_order_create(actor=team_nurse, patient=patient, panel="uds")
    form = results_form("urine", {code: "negative" for code in [*SCREENS, "xylazine"]})
    response = client.post(f"/patients/{patient.pk}/labs/{order.pk}/results/", form)
    assert response.status_code == 200
    assert "result-ph" in response.context["form"].errors
    assert not LabResult.objects.exists()


def test_it_lets_counselors_see_results_but_not_enter_them(
    client, api, patient, team_counselor, team_nurse
):
    order = lab_order_create(actor=team_nurse, patient=patient, panel="ecg")
    client.force_login(team_counselor)
    assert client.get(f"/patients/{patient.pk}/labs/{order.pk}/results/").status_code == 403
    form = {"collected_at": "2026-11-20T10:00", "specimen_type": "ecg", "result-qtc": "420"}
    assert client.post(f"/patients/{patient.pk}/labs/{order.pk}/results/", form).status_code == 403
    api.force_authenticate(team_counselor)
    response = post_results(api, order.pk, [{"test": "qtc", "value": 420}])
    assert response.status_code == 403
    assert not LabResult.objects.exists()
    assert client.get(f"/patients/{patient.pk}/labs/order/").status_code == 403

    lab_results_record(
        actor=team_nurse,
        order=order,
        collected_at=timezone.now(),
        observed=False,
        entries=[{"test": "qtc", "value": 470}],
    )
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "QTc interval" in chart
    assert "470" in chart
    assert "Enter results" not in chart
    assert client.get(f"/patients/{patient.pk}/labs/").status_code == 200
    detail = client.get(f"/patients/{patient.pk}/labs/{order.pk}/")
    assert detail.status_code == 200
    assert "Amend results" not in detail.content.decode()
    response = api.get(f"/api/v1/patients/{patient.pk}/lab-results/")
    assert response.status_code == 200
    assert response.json()["results"][0]["value"] == 470


def test_it_lists_a_patients_results_newest_first_with_filters(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    for days_ago, qtc in ((10, 430), (3, 455), (1, 510)):
        resulted_ecg(patient, team_nurse, qtc, days_ago=days_ago)
    order = lab_order_create(actor=team_nurse, patient=patient, panel="pregnancy")
    lab_results_record(
        actor=team_nurse,
        order=order,
        collected_at=timezone.now() - datetime.timedelta(days=2),
        observed=False,
        entries=[{"test": "hcg", "qualitative": "negative"}],
    )

    body = api.get(f"/api/v1/patients/{patient.pk}/lab-results/").json()
    assert body["count"] == 4
    assert [r["test"] for r in body["results"]] == ["qtc", "hcg", "qtc", "qtc"]
    assert {"previous", "next"} <= set(body)

    body = api.get(f"/api/v1/patients/{patient.pk}/lab-results/?test=qtc").json()
    assert [(r["value"], r["flag"]) for r in body["results"]] == [
        (510, "critical"),
        (455, "high"),
        (430, "normal"),
    ]
    since = (timezone.localdate() - datetime.timedelta(days=4)).isoformat()
    body = api.get(f"/api/v1/patients/{patient.pk}/lab-results/?test=qtc&since={since}").json()
    assert [r["value"] for r in body["results"]] == [510, 455]

    assert api.get(f"/api/v1/patients/{patient.pk}/lab-results/?since=soon").status_code == 400
    response = api.get(f"/api/v1/patients/{patient.pk}/lab-results/?test=nope")
    assert response.status_code == 400 and "test" in response.json()
    assert AuditEvent.objects.filter(
        patient=patient, actor=team_nurse, action="read", object_type="lab-results"
    ).exists()


def test_it_paginates_the_result_list(api, patient, team_nurse, settings):
    api.force_authenticate(team_nurse)
    order = lab_order_create(actor=team_nurse, patient=patient, panel="uds")
    lab_results_record(
        actor=team_nurse,
        order=order,
        collected_at=timezone.now(),
        observed=False,
        entries=uds_entries(),
    )
    body = api.get(f"/api/v1/patients/{patient.pk}/lab-results/").json()
    assert body["count"] == 18
    assert len(body["results"]) == 18
    body = api.get(f"/api/v1/patients/{patient.pk}/lab-results/?page=2")
    assert body.status_code == 404  # one page of 50
