"""Impossible lab values are refused, not stored (docs/clinical-rules.md#plausible-limits):
at each limit accepted, just beyond refused, through the rules, the API and the results page;
every bad field is reported at once; numbers show with the precision of their test."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from intake.labs.catalog import TESTS_BY_CODE
from intake.labs.interpret import LabValueError, validate_value
from intake.models import AuditEvent, LabAlert, LabOrder, LabResult, LabTest
from intake.services.lab import lab_order_create, lab_results_record
from tests.lab_support import (
    SCREENS,
    api_order,
    post_results,
    resulted_ecg,
    results_form,
    uds_entries,
)

pytestmark = pytest.mark.django_db

# code -> (lowest plausible, highest plausible), as docs/clinical-rules.md#plausible-limits says.
LIMITS = {
    "qtc": ("200", "800"),
    "hemoglobin": ("1", "25"),
    "wbc": ("0", "500"),
    "platelets": ("0", "3000"),
    "ast": ("0", "20000"),
    "alt": ("0", "20000"),
    "creatinine": ("0", "1000"),
    "specific-gravity": ("0.9900", "1.0800"),
    "ph": ("1", "14"),
    "specimen-temperature": ("0", "50"),
    "hcv-rna": ("0", "1000000000"),
    **{code: ("0", "1000000") for code in SCREENS},
}
STEP = D("0.0001")  # the smallest difference the result columns store


@pytest.mark.parametrize("code", sorted(LIMITS))
def test_it_accepts_a_value_at_each_plausible_limit(code):
    low, high = LIMITS[code]
    validate_value(TESTS_BY_CODE[code], D(low), None)
    validate_value(TESTS_BY_CODE[code], D(high), None)


@pytest.mark.parametrize("code", sorted(LIMITS))
@pytest.mark.parametrize("side", ["below", "above"])
def test_it_refuses_a_value_just_beyond_each_plausible_limit(code, side):
    low, high = LIMITS[code]
    value = D(low) - STEP if side == "below" else D(high) + STEP
    with pytest.raises(LabValueError) as caught:
        validate_value(TESTS_BY_CODE[code], value, None)
    assert list(caught.value.errors) == [code]


def test_the_migrated_catalog_carries_the_limits():
    stored = {t.code: (t.plausible_min, t.plausible_max) for t in LabTest.objects.all()}
    for code, (low, high) in LIMITS.items():
        assert stored[code] == (D(low), D(high)), code


def test_the_catalog_api_publishes_the_limits(api, team_nurse):
    api.force_authenticate(team_nurse)
    body = api.get("/api/v1/lab-tests/?page_size=100").json()
    rows = {row["code"]: row for row in body["results"]}
    assert (rows["qtc"]["plausible_min"], rows["qtc"]["plausible_max"]) == (200, 800)


def test_a_qtc_of_5000_is_refused_naming_the_test_and_nothing_is_stored(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient, panel="ecg")
    events = AuditEvent.objects.count()

    response = post_results(api, order["id"], [{"test": "qtc", "value": 5000}])

    assert response.status_code == 400
    assert response.json() == {"qtc": ["Must be between 200 and 800 ms."]}
    assert not LabResult.objects.filter(order_id=order["id"]).exists()
    assert not LabAlert.objects.filter(order_id=order["id"]).exists()
    assert LabOrder.objects.get(pk=order["id"]).status == "ordered"
    assert AuditEvent.objects.filter(action="create", object_type="lab-result").count() == 0
    assert AuditEvent.objects.count() >= events  # the refused attempt may be audited, not stored


def test_a_qtc_at_800_is_stored_and_critical(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient, panel="ecg")
    response = post_results(api, order["id"], [{"test": "qtc", "value": 800}])
    assert response.status_code == 201, response.json()
    assert response.json()["results"][0]["flag"] == "critical"


def test_the_api_reports_every_impossible_blood_value_at_once(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient, panel="intake-blood")
    response = post_results(
        api,
        order["id"],
        [
            {"test": "hemoglobin", "value": 25.0001},
            {"test": "ast", "value": 20001},
            {"test": "alt", "value": -1},
            {"test": "wbc", "value": 501},
            {"test": "platelets", "value": 3001},
            {"test": "hiv", "qualitative": "negative"},
        ],
    )
    assert response.status_code == 400
    assert set(response.json()) == {"hemoglobin", "ast", "alt", "wbc", "platelets"}
    assert not LabResult.objects.filter(order_id=order["id"]).exists()


def test_hcv_rna_up_to_a_billion_is_stored(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient, panel="hcv-confirm")
    response = post_results(api, order["id"], [{"test": "hcv-rna", "value": 1_000_000_000}])
    assert response.status_code == 201, response.json()
    assert LabResult.objects.get(order_id=order["id"]).value == D("1000000000")


@pytest.mark.parametrize(
    "value", [True, "5000", [420], {"v": 1}, "NaN", "1e3", None, 1e308, "\u0000"]
)
def test_wrong_json_types_are_400_naming_the_test(api, patient, team_nurse, value):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient, panel="ecg")
    response = post_results(api, order["id"], [{"test": "qtc", "value": value}])
    if value == "1e3":  # a numeric string is a number: 1000 ms is beyond the limit
        assert response.json() == {"qtc": ["Must be between 200 and 800 ms."]}
    assert response.status_code == 400, response.json()
    assert "qtc" in response.json() or "detail" in response.json()
    assert not LabResult.objects.filter(order_id=order["id"]).exists()


def test_the_results_page_shows_every_bad_field_at_once(client, patient, team_nurse):
    client.force_login(team_nurse)
    order = lab_order_create(actor=team_nurse, patient=patient, panel="intake-blood")
    response = client.post(
        f"/patients/{patient.pk}/labs/{order.pk}/results/",
        results_form(
            "blood",
            {
                "hemoglobin": "130",  # g/L typed into g/dL
                "ast": "abc",  # not a number: the form refuses it itself
                "platelets": "3001",
                "wbc": "7.5",
            },
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"result-hemoglobin", "result-ast", "result-platelets"}
    assert errors["result-hemoglobin"] == ["Must be between 1 and 25 g/dL."]
    html = response.content.decode()
    assert 'data-testid="error-hemoglobin"' in html
    assert 'data-testid="error-platelets"' in html
    assert not LabResult.objects.filter(order=order).exists()


def test_pages_and_disclosures_show_the_precision_of_the_test(client, patient, team_nurse):
    order = lab_order_create(actor=team_nurse, patient=patient, panel="intake-blood")
    lab_results_record(
        actor=team_nurse,
        order=order,
        collected_at=timezone.now(),
        observed=False,
        entries=[{"test": "ast", "value": 198}, {"test": "hemoglobin", "value": 12}],
    )
    client.force_login(team_nurse)
    html = client.get(f"/patients/{patient.pk}/labs/{order.pk}/").content.decode()
    assert '<span class="lab-value">198</span>' in html
    assert '<span class="lab-value">12.0</span>' in html
    assert "198.0000" not in html

    from intake.selectors.disclosure import disclosure_document

    rows = disclosure_document(patient=patient, content="lab-results")["sections"][0]["rows"]
    values = {row[0]: row[1] for row in rows}
    assert values[TESTS_BY_CODE["ast"]["name"]] == "198 U/L"
    assert values[TESTS_BY_CODE["hemoglobin"]["name"]] == "12.0 g/dL"


def test_a_full_screen_at_the_limits_is_stored(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    entries = uds_entries(
        {"fentanyl": 1_000_000},
        validity={"specific-gravity": 1.08, "ph": 9, "creatinine": 1000},
    )
    response = post_results(api, order["id"], entries)
    assert response.status_code == 201, response.json()
    stored = LabResult.objects.filter(order_id=order["id"])
    assert stored.count() == len(entries)
    assert stored.get(test_id="fentanyl").value == 1_000_000


def test_an_amendment_to_an_impossible_value_is_refused_and_changes_nothing(
    api, patient, team_nurse
):
    order, _recording = resulted_ecg(patient, team_nurse, 420)
    api.force_authenticate(team_nurse)
    response = api.post(
        f"/api/v1/lab-orders/{order.pk}/amend/",
        {"reason": "typo", "results": [{"test": "qtc", "value": 5000}]},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["qtc"]
    assert LabResult.objects.filter(order=order).count() == 1
    assert not LabAlert.objects.filter(order=order).exists()


def test_an_offteam_nurse_gets_404_and_nothing_is_stored(api, patient, team_nurse, offteam_nurse):
    order = lab_order_create(actor=team_nurse, patient=patient, panel="ecg")
    api.force_authenticate(offteam_nurse)
    response = post_results(api, order.pk, [{"test": "qtc", "value": 420}])
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not LabResult.objects.filter(order=order).exists()


@pytest.mark.parametrize("code", ["qtc\u0000", "\u0000", "x" * 5000])
def test_a_nul_or_huge_test_code_is_a_400_not_a_500(api, patient, team_nurse, code):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient, panel="ecg")
    response = post_results(api, order["id"], [{"test": code, "value": 420}])
    assert response.status_code == 400
    assert not LabResult.objects.filter(order_id=order["id"]).exists()


def test_the_amendment_page_shows_every_bad_field_at_once(client, patient, team_nurse):
    order = lab_order_create(actor=team_nurse, patient=patient, panel="intake-blood")
    lab_results_record(
        actor=team_nurse,
        order=order,
        collected_at=timezone.now(),
        observed=False,
        entries=[{"test": "ast", "value": 30}, {"test": "wbc", "value": 7}],
    )
    client.force_login(team_nurse)
    response = client.post(
        f"/patients/{patient.pk}/labs/{order.pk}/amend/",
        {
            "result-ast": "30",
            "result-wbc": "7",
            "result-hemoglobin": "130",  # impossible: the service refuses it
            "result-platelets": "abc",  # not a number: the form refuses it
            # no reason: the form refuses that too
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"reason", "result-hemoglobin", "result-platelets"}
    assert LabResult.objects.filter(order=order).count() == 2
