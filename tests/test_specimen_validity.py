"""Urine specimen status (docs/clinical-rules.md#specimen-validity, after the HHS guidelines)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.labs.catalog import TESTS_BY_CODE
from intake.labs.interpret import (
    SPECIMEN_STATUSES,
    apply_specimen_status,
    interpret_panel,
    specimen_status,
)

D = Decimal

# A specimen that passes every check; each test changes one or two values.
VALID_SPECIMEN = {
    "specimen-temperature": D("35"),
    "creatinine": D("100"),
    "specific-gravity": D("1.0150"),
    "ph": D("6"),
}


def status_with(**changes):
    values = dict(VALID_SPECIMEN)
    for key, value in changes.items():
        values[key.replace("_", "-")] = None if value is None else D(value)
    return specimen_status(values)


def test_it_calls_a_specimen_within_every_limit_valid():
    assert specimen_status(VALID_SPECIMEN) == "valid"


@pytest.mark.parametrize(
    ("ph", "status"),
    [
        ("0", "adulterated"),
        ("3.9", "adulterated"),
        ("4", "invalid"),
        ("4.4", "invalid"),
        ("4.5", "valid"),
        ("8.9", "valid"),
        ("9", "invalid"),
        ("10.9", "invalid"),
        ("11", "adulterated"),
        ("14", "adulterated"),
    ],
)
def test_it_checks_ph_boundaries(ph, status):
    assert status_with(ph=ph) == status


@pytest.mark.parametrize(
    ("creatinine", "sg", "status"),
    [
        # creatinine < 2: substituted at the SG extremes, invalid between them.
        ("1.9", "1.0000", "substituted"),
        ("1.9", "1.0010", "substituted"),
        ("1.9", "1.0011", "invalid"),
        ("1.9", "1.0029", "invalid"),
        ("1.9", "1.0030", "invalid"),
        ("1.9", "1.0199", "invalid"),
        ("1.9", "1.0200", "substituted"),
        ("0", "1.0250", "substituted"),
        # creatinine >= 2 with SG <= 1.0010: invalid.
        ("2", "1.0010", "invalid"),
        ("19.9", "1.0010", "invalid"),
        ("20", "1.0010", "invalid"),
        ("100", "1.0000", "invalid"),
        # 2 <= creatinine < 20 with 1.0010 < SG < 1.0030: dilute.
        ("2", "1.0011", "dilute"),
        ("2", "1.0029", "dilute"),
        ("19.9", "1.0011", "dilute"),
        ("19.9", "1.0029", "dilute"),
        ("2", "1.0030", "valid"),
        ("19.9", "1.0030", "valid"),
        ("20", "1.0011", "valid"),
        ("20", "1.0029", "valid"),
        ("2", "1.0199", "valid"),
        ("2", "1.0200", "valid"),
    ],
)
def test_it_checks_creatinine_and_specific_gravity_boundaries(creatinine, sg, status):
    assert status_with(creatinine=creatinine, specific_gravity=sg) == status


@pytest.mark.parametrize(
    ("temperature", "status"),
    [("31.9", "invalid"), ("32", "valid"), ("38", "valid"), ("38.1", "invalid")],
)
def test_it_checks_temperature_boundaries(temperature, status):
    assert status_with(specimen_temperature=temperature) == status


def test_it_applies_the_rules_in_order():
    # adulterated before substituted
    assert status_with(ph="3", creatinine="1", specific_gravity="1.0000") == "adulterated"
    # substituted before invalid (temperature out of range too)
    assert status_with(creatinine="1", specific_gravity="1.0000", specimen_temperature="20") == (
        "substituted"
    )
    # invalid before dilute
    assert status_with(creatinine="10", specific_gravity="1.0020", specimen_temperature="39") == (
        "invalid"
    )
    assert status_with(creatinine="10", specific_gravity="1.0020", ph="9.5") == "invalid"


def test_it_skips_a_rule_whose_values_are_missing():
    assert specimen_status({}) == "valid"
    assert specimen_status({"creatinine": D("1")}) == "valid"
    assert specimen_status({"specific-gravity": D("1.0000")}) == "valid"
    assert specimen_status({"creatinine": D("10")}) == "valid"
    assert status_with(creatinine="1", specific_gravity=None) == "valid"
    assert status_with(ph=None, specimen_temperature=None) == "valid"
    assert specimen_status({"ph": D("3")}) == "adulterated"
    assert specimen_status({"specimen-temperature": D("30")}) == "invalid"
    assert specimen_status({"creatinine": D("1"), "specific-gravity": D("1.0300")}) == (
        "substituted"
    )


def test_it_ignores_values_of_other_tests():
    assert specimen_status({**VALID_SPECIMEN, "fentanyl": D("0"), "ast": D("3")}) == "valid"


@given(
    ph=st.decimals(min_value=0, max_value=14, places=2),
    creatinine=st.none() | st.decimals(min_value=0, max_value=400, places=1),
    sg=st.none() | st.decimals(min_value=D("0.9"), max_value=D("1.2"), places=4),
    temperature=st.none() | st.decimals(min_value=0, max_value=50, places=1),
)
def test_it_always_returns_a_known_status_and_ph_outside_4_to_11_adulterates(
    ph, creatinine, sg, temperature
):
    values = {
        "ph": ph,
        "creatinine": creatinine,
        "specific-gravity": sg,
        "specimen-temperature": temperature,
    }
    status = specimen_status(values)
    assert status in SPECIMEN_STATUSES
    assert (status == "adulterated") == (ph < 4 or ph >= 11)


# Effect on drug results


@pytest.mark.parametrize("status", ["adulterated", "substituted", "invalid"])
@pytest.mark.parametrize("interpretation", ["positive", "negative", "inconclusive"])
def test_it_makes_every_drug_result_inconclusive_on_a_failed_specimen(status, interpretation):
    # What is reported; the reading itself stays stored (tests/test_lab_adulterated.py).
    assert apply_specimen_status(status, interpretation) == ("inconclusive", False)


@pytest.mark.parametrize("status", ["valid", "dilute", "adulterated", "substituted", "invalid"])
def test_it_leaves_not_tested_alone_whatever_the_specimen(status):
    assert apply_specimen_status(status, "not-tested") == ("not-tested", False)


def test_it_keeps_dilute_positives_and_voids_expected_for_dilute_negatives():
    assert apply_specimen_status("dilute", "positive") == ("positive", True)
    assert apply_specimen_status("dilute", "negative") == ("negative", False)
    assert apply_specimen_status("dilute", "inconclusive") == ("inconclusive", True)


@pytest.mark.parametrize("interpretation", ["positive", "negative", "inconclusive"])
def test_it_leaves_results_on_a_valid_specimen_alone(interpretation):
    assert apply_specimen_status("valid", interpretation) == (interpretation, True)


def test_it_refuses_an_unknown_specimen_status():
    with pytest.raises(ValueError, match="Unknown specimen status"):
        apply_specimen_status("unclear", "positive")


def uds(validity, **drug_values):
    entries = [{"test": code, "value": value} for code, value in validity.items()]
    entries += [{"test": code, "value": value} for code, value in drug_values.items()]
    return entries


def by_test(panel):
    return {result["test"]: result for result in panel["results"]}


def test_it_reports_an_invalid_specimen_as_inconclusive_and_asks_for_recollection():
    validity = {**VALID_SPECIMEN, "specimen-temperature": D("30")}
    panel = interpret_panel(
        TESTS_BY_CODE,
        uds(validity, buprenorphine=D("50"), norbuprenorphine=D("0"), fentanyl=D("20")),
        {"buprenorphine"},
    )
    assert panel["specimen_status"] == "invalid"
    assert panel["recollect_observed"] is True
    results = by_test(panel)
    assert {
        code: (results[code]["interpretation"], results[code]["expected"])
        for code in (
            "buprenorphine",
            "norbuprenorphine",
            "fentanyl",
        )
    } == {
        "buprenorphine": ("inconclusive", None),
        "norbuprenorphine": ("inconclusive", None),
        "fentanyl": ("inconclusive", None),
    }
    assert results["specimen-temperature"]["interpretation"] is None
    assert results["buprenorphine"]["value"] == D("50")
    # On a specimen that may not be reliable, a missing metabolite raises nothing.
    assert panel["alerts"] == []


@pytest.mark.parametrize(
    ("validity_change", "status"),
    [
        ({"ph": D("3")}, "adulterated"),
        ({"creatinine": D("1"), "specific-gravity": D("1.0000")}, "substituted"),
    ],
)
def test_it_reports_adulterated_and_substituted_specimens_inconclusive(validity_change, status):
    panel = interpret_panel(
        TESTS_BY_CODE,
        uds({**VALID_SPECIMEN, **validity_change}, methadone=D("1000"), eddp=D("500")),
        {"methadone"},
    )
    assert panel["specimen_status"] == status
    assert {
        (r["interpretation"], r["expected"])
        for r in panel["results"]
        if r["test"] in ("methadone", "eddp")
    } == {("inconclusive", None)}


def test_it_keeps_dilute_positives_and_reports_dilute_negatives_without_expected():
    validity = {**VALID_SPECIMEN, "creatinine": D("10"), "specific-gravity": D("1.0020")}
    panel = interpret_panel(
        TESTS_BY_CODE,
        uds(
            validity,
            buprenorphine=D("40"),
            norbuprenorphine=D("2"),
            fentanyl=D("3"),
            cocaine=D("0"),
        ),
        {"buprenorphine-naloxone"},
    )
    assert panel["specimen_status"] == "dilute"
    assert panel["recollect_observed"] is False
    results = by_test(panel)
    assert (results["buprenorphine"]["interpretation"], results["buprenorphine"]["expected"]) == (
        "positive",
        True,
    )
    assert (results["fentanyl"]["interpretation"], results["fentanyl"]["expected"]) == (
        "positive",
        False,
    )
    assert (results["cocaine"]["interpretation"], results["cocaine"]["expected"]) == (
        "negative",
        None,
    )
    assert (
        results["norbuprenorphine"]["interpretation"],
        results["norbuprenorphine"]["expected"],
    ) == ("negative", None)
    # a dilute negative is still reported negative, so the spiking alert stands
    assert panel["alerts"] == ["buprenorphine-without-metabolite"]
