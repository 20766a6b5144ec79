"""Unread analytes are not negatives: the screen form has no default, `not-tested` is its own
result (never expected or unexpected, never disclosed); an analyte a client omits gets no row."""

import pytest

from intake.models import LabResult
from intake.selectors.disclosure import disclosure_document
from intake.services.lab import lab_order_create
from tests.lab_support import (
    SCREENS,
    VALID_SPECIMEN,
    VALID_SPECIMEN_TYPED,
    api_order,
    by_test,
    on_buprenorphine,
    post_results,
    results_form,
)

pytestmark = pytest.mark.django_db


def validity_entries():
    return [{"test": code, "value": value} for code, value in VALID_SPECIMEN.items()]


def test_an_omitted_analyte_is_simply_not_stored(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    response = post_results(
        api, order["id"], [{"test": "fentanyl", "qualitative": "positive"}, *validity_entries()]
    )
    assert response.status_code == 201, response.json()
    stored = set(LabResult.objects.filter(order_id=order["id"]).values_list("test_id", flat=True))
    assert stored == {"fentanyl", *VALID_SPECIMEN}


def test_not_tested_is_stored_as_such_with_expected_null(api, patient, team_nurse):
    on_buprenorphine(patient, team_nurse)
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    response = post_results(
        api,
        order["id"],
        [
            {"test": "buprenorphine", "qualitative": "not-tested"},
            {"test": "norbuprenorphine", "qualitative": "negative"},
            {"test": "cocaine", "qualitative": "not-tested"},
            *validity_entries(),
        ],
    )
    assert response.status_code == 201, response.json()
    results = by_test(response.json())
    for code in ("buprenorphine", "cocaine"):
        assert (results[code]["interpretation"], results[code]["expected"]) == (
            "not-tested",
            None,
        )
    # A not-tested parent raises no metabolite alert; the negative metabolite is unexpected.
    assert response.json()["alerts"] == []
    assert results["norbuprenorphine"]["expected"] is False


def test_not_tested_with_a_value_is_refused(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    response = post_results(
        api,
        order["id"],
        [{"test": "fentanyl", "qualitative": "not-tested", "value": 3}, *validity_entries()],
    )
    assert response.status_code == 400
    assert list(response.json()) == ["fentanyl"]


def test_the_screen_form_has_no_default_and_needs_a_choice_per_analyte(client, patient, team_nurse):
    client.force_login(team_nurse)
    order = lab_order_create(actor=team_nurse, patient=patient, panel="uds")
    url = f"/patients/{patient.pk}/labs/{order.pk}/results/"
    page = client.get(url)
    for code in [*SCREENS, "xylazine"]:
        assert page.context["form"][f"result-{code}"].value() in (None, ""), code
    assert 'value="not-tested"' in page.content.decode()

    form = results_form("urine", {"fentanyl": "positive", **VALID_SPECIMEN_TYPED})
    response = client.post(url, form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "result-opiates" in errors and "result-fentanyl" not in errors
    assert not LabResult.objects.filter(order=order).exists()

    form.update({f"result-{code}": "not-tested" for code in [*SCREENS, "xylazine"]})
    form["result-fentanyl"] = "positive"
    assert client.post(url, form).status_code == 302
    rows = dict(LabResult.objects.filter(order=order).values_list("test_id", "interpretation"))
    assert rows["fentanyl"] == "positive"
    assert rows["opiates"] == "not-tested"
    assert "negative" not in rows.values()


def test_not_tested_results_are_not_disclosed(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    order = api_order(api, patient)
    post_results(
        api,
        order["id"],
        [
            {"test": "fentanyl", "qualitative": "positive"},
            {"test": "cocaine", "qualitative": "not-tested"},
            *validity_entries(),
        ],
    )
    rows = disclosure_document(patient=patient, content="lab-results")["sections"][0]["rows"]
    names = [row[0] for row in rows]
    assert "Fentanyl" in names
    assert "Cocaine (benzoylecgonine)" not in names
