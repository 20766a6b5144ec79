"""Lab catalog and single-result interpretation (docs/clinical-rules.md#labs).

Expected numbers are written out here from the reference, not read back from the catalog, so a
wrong catalog entry fails a test.
"""

from decimal import Decimal

import pytest

from intake.labs.catalog import (
    DRUG_SCREEN_FOR_MEDICATION,
    LAB_TESTS,
    PANELS,
    TESTS_BY_CODE,
    panels_for_test,
)
from intake.labs.interpret import (
    LabValueError,
    critical_alerts,
    interpret_result,
    validate_value,
)

D = Decimal

REFERENCE_CUTOFFS = {
    "opiates": "300",
    "6-mam": "10",
    "fentanyl": "1",
    "norfentanyl": "1",
    "oxycodone": "100",
    "buprenorphine": "5",
    "norbuprenorphine": "5",
    "methadone": "300",
    "eddp": "100",
    "benzodiazepines": "200",
    "cocaine": "150",
    "amphetamines": "500",
    "thc": "50",
}

REFERENCE_LOINC = {
    "creatinine": "2161-8",
    "specific-gravity": "2965-2",
    "ph": "2756-5",
    "hiv": "56888-1",
    "hcv-ab": "16128-1",
    "hcv-rna": "11011-4",
    "hbsag": "5196-1",
    "ast": "1920-8",
    "alt": "1742-6",
    "hemoglobin": "718-7",
    "wbc": "6690-2",
    "platelets": "777-3",
}

VALIDITY_CODES = ("specimen-temperature", "creatinine", "specific-gravity", "ph")


def result(code, value=None, qualitative=None):
    return interpret_result(TESTS_BY_CODE[code], value, qualitative)


def errors_for(code, value=None, qualitative=None):
    with pytest.raises(LabValueError) as caught:
        validate_value(TESTS_BY_CODE[code], value, qualitative)
    return caught.value.errors


# Catalog


def test_it_lists_every_reference_test_once():
    codes = [test["code"] for test in LAB_TESTS]
    assert len(codes) == len(set(codes))
    assert set(codes) == (
        set(REFERENCE_CUTOFFS)
        | {"xylazine"}
        | set(VALIDITY_CODES)
        | {"hiv", "hcv-ab", "hcv-rna", "hbsag", "ast", "alt", "hcg", "hemoglobin", "wbc"}
        | {"platelets", "qtc"}
    )


def test_it_gives_every_test_the_same_keys():
    keys = {
        "code",
        "name",
        "loinc",
        "unit",
        "kind",
        "cutoff",
        "low",
        "high",
        "critical_low",
        "critical_high",
        "plausible_min",
        "plausible_max",
        "method",
        "is_opioid",
        "qualitative_only",
    }
    for test in LAB_TESTS:
        assert set(test) == keys, test["code"]
        assert test["name"], test["code"]
        for key in ("cutoff", "low", "high", "critical_low", "critical_high"):
            assert test[key] is None or isinstance(test[key], Decimal), (test["code"], key)


def test_it_has_the_reference_cutoffs():
    cutoffs = {t["code"]: t["cutoff"] for t in LAB_TESTS if t["cutoff"] is not None}
    assert cutoffs == {code: D(cutoff) for code, cutoff in REFERENCE_CUTOFFS.items()}
    assert all(TESTS_BY_CODE[code]["unit"] == "ng/mL" for code in REFERENCE_CUTOFFS)


def test_it_fills_only_the_reference_loinc_codes():
    assert {t["code"]: t["loinc"] for t in LAB_TESTS if t["loinc"]} == REFERENCE_LOINC


def test_it_sorts_tests_into_kinds():
    kinds = {test["code"]: test["kind"] for test in LAB_TESTS}
    assert {c for c, k in kinds.items() if k == "screen"} == set(REFERENCE_CUTOFFS) | {"xylazine"}
    assert {c for c, k in kinds.items() if k == "validity"} == set(VALIDITY_CODES)
    assert {c for c, k in kinds.items() if k == "qualitative"} == {"hiv", "hcv-ab", "hbsag", "hcg"}
    assert {c for c, k in kinds.items() if k == "ranged"} == {
        "ast",
        "alt",
        "hemoglobin",
        "wbc",
        "platelets",
        "qtc",
    }
    assert kinds["hcv-rna"] == "detect"


def test_it_marks_opioids_qualitative_only_tests_and_screen_methods():
    assert {t["code"] for t in LAB_TESTS if t["is_opioid"]} == {
        "opiates",
        "6-mam",
        "fentanyl",
        "norfentanyl",
        "oxycodone",
        "methadone",
        "eddp",
        "buprenorphine",
        "norbuprenorphine",
    }
    assert {t["code"] for t in LAB_TESTS if t["qualitative_only"]} == {
        "xylazine",
        "hiv",
        "hcv-ab",
        "hbsag",
        "hcg",
    }
    assert {t["code"] for t in LAB_TESTS if t["method"] == "immunoassay"} == (
        set(REFERENCE_CUTOFFS) | {"xylazine"}
    )


@pytest.mark.parametrize(
    ("code", "unit", "low", "high", "critical_low", "critical_high"),
    [
        ("ast", "U/L", "10", "40", None, None),
        ("alt", "U/L", "7", "56", None, None),
        ("hemoglobin", "g/dL", "12.0", "17.5", "7", "20"),
        ("wbc", "10^3/µL", "4.0", "11.0", "2", "30"),
        ("platelets", "10^3/µL", "150", "400", "50", "1000"),
        ("qtc", "ms", "350", "450", None, "500"),
    ],
)
def test_it_has_the_reference_ranges(code, unit, low, high, critical_low, critical_high):
    test = TESTS_BY_CODE[code]
    as_decimal = [None if x is None else D(x) for x in (low, high, critical_low, critical_high)]
    assert test["unit"] == unit
    assert [test[k] for k in ("low", "high", "critical_low", "critical_high")] == as_decimal


def test_it_has_the_reference_panels():
    assert PANELS["uds"][1] == (*REFERENCE_CUTOFFS, "xylazine", *VALIDITY_CODES)
    assert PANELS["intake-blood"][1] == (
        "hiv",
        "hcv-ab",
        "hbsag",
        "ast",
        "alt",
        "hemoglobin",
        "wbc",
        "platelets",
        "hcg",
    )
    assert PANELS["hcv-confirm"][1] == ("hcv-rna",)
    assert PANELS["pregnancy"][1] == ("hcg",)
    assert PANELS["ecg"][1] == ("qtc",)
    assert set(PANELS) == {"uds", "intake-blood", "hcv-confirm", "pregnancy", "ecg"}
    assert all(name for name, _codes in PANELS.values())
    assert all(code in TESTS_BY_CODE for _name, codes in PANELS.values() for code in codes)


def test_it_lists_the_panels_of_a_test():
    assert panels_for_test("hcg") == ("intake-blood", "pregnancy")
    assert panels_for_test("ph") == ("uds",)


def test_it_maps_medications_to_the_screens_they_turn_positive():
    bup = ("buprenorphine", "norbuprenorphine")
    expected = {
        "buprenorphine": bup,
        "buprenorphine-naloxone": bup,
        "buprenorphine-xr": bup,
        "methadone": ("methadone", "eddp"),
    }
    assert expected == DRUG_SCREEN_FOR_MEDICATION


# Screens


@pytest.mark.parametrize(
    ("offset", "expected"),
    [("-0.01", "negative"), ("0", "positive"), ("0.01", "positive")],
    ids=["just-below", "at", "just-above"],
)
@pytest.mark.parametrize("code", list(REFERENCE_CUTOFFS))
def test_it_reads_a_screen_against_its_cutoff(code, offset, expected):
    value = D(REFERENCE_CUTOFFS[code]) + D(offset)
    assert result(code, value) == (expected, None)


def test_it_reads_zero_as_negative():
    assert result("fentanyl", D("0")) == ("negative", None)


@pytest.mark.parametrize("qualitative", ["positive", "negative", "inconclusive"])
def test_it_takes_a_qualitative_screen_as_given(qualitative):
    assert result("xylazine", qualitative=qualitative) == (qualitative, None)
    assert result("fentanyl", qualitative=qualitative) == (qualitative, None)


def test_it_accepts_a_value_with_an_agreeing_qualitative_result():
    assert result("methadone", D("300"), "positive") == ("positive", None)
    assert result("methadone", D("299"), "negative") == ("negative", None)
    assert result("methadone", D("299"), "inconclusive") == ("inconclusive", None)


def test_it_refuses_a_qualitative_result_that_contradicts_the_cutoff():
    assert list(errors_for("methadone", D("299"), "positive")) == ["methadone"]
    assert list(errors_for("fentanyl", D("1"), "negative")) == ["fentanyl"]


# hcv-rna: detected above 0


def test_it_reads_hcv_rna_as_detected_above_zero():
    assert result("hcv-rna", D("0")) == ("negative", "normal")
    assert result("hcv-rna", D("1")) == ("positive", "high")
    assert result("hcv-rna", D("0.1")) == ("positive", "high")
    assert result("hcv-rna", qualitative="negative") == ("negative", None)


# Ranged tests


@pytest.mark.parametrize(
    ("code", "value", "flag"),
    [
        ("ast", "9.9", "low"),
        ("ast", "10", "normal"),
        ("ast", "40", "normal"),
        ("ast", "40.1", "high"),
        ("ast", "0", "low"),
        ("ast", "500", "high"),
        ("alt", "6.9", "low"),
        ("alt", "7", "normal"),
        ("alt", "56", "normal"),
        ("alt", "56.1", "high"),
        ("hemoglobin", "6.9", "critical"),
        ("hemoglobin", "7", "critical"),
        ("hemoglobin", "7.1", "low"),
        ("hemoglobin", "11.9", "low"),
        ("hemoglobin", "12.0", "normal"),
        ("hemoglobin", "17.5", "normal"),
        ("hemoglobin", "17.6", "high"),
        ("hemoglobin", "19.9", "high"),
        ("hemoglobin", "20", "critical"),
        ("hemoglobin", "20.1", "critical"),
        ("wbc", "1.9", "critical"),
        ("wbc", "2", "critical"),
        ("wbc", "2.1", "low"),
        ("wbc", "3.9", "low"),
        ("wbc", "4.0", "normal"),
        ("wbc", "11.0", "normal"),
        ("wbc", "11.1", "high"),
        ("wbc", "29.9", "high"),
        ("wbc", "30", "critical"),
        ("wbc", "30.1", "critical"),
        ("platelets", "49", "critical"),
        ("platelets", "50", "critical"),
        ("platelets", "51", "low"),
        ("platelets", "149", "low"),
        ("platelets", "150", "normal"),
        ("platelets", "400", "normal"),
        ("platelets", "401", "high"),
        ("platelets", "999", "high"),
        ("platelets", "1000", "critical"),
        ("platelets", "1001", "critical"),
        ("qtc", "349", "low"),
        ("qtc", "350", "normal"),
        ("qtc", "450", "normal"),
        ("qtc", "451", "high"),
        ("qtc", "499", "high"),
        ("qtc", "500", "critical"),
        ("qtc", "501", "critical"),
        ("qtc", "300", "low"),
    ],
)
def test_it_flags_a_ranged_result(code, value, flag):
    assert result(code, D(value)) == (None, flag)


@pytest.mark.parametrize("code", ["hiv", "hcv-ab", "hbsag", "hcg"])
@pytest.mark.parametrize("qualitative", ["positive", "negative", "inconclusive"])
def test_it_reports_a_qualitative_test_as_given_without_flag(code, qualitative):
    assert result(code, qualitative=qualitative) == (qualitative, None)


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("specimen-temperature", "35"),
        ("creatinine", "1"),
        ("specific-gravity", "1.0000"),
        ("ph", "3"),
    ],
)
def test_it_gives_validity_tests_no_interpretation_or_flag(code, value):
    assert result(code, D(value)) == (None, None)


# Refused input


def test_it_refuses_a_result_with_neither_value_nor_qualitative():
    assert errors_for("fentanyl") == {"fentanyl": ["Give a value or a qualitative result."]}


@pytest.mark.parametrize(
    "code",
    [*REFERENCE_CUTOFFS, "creatinine", "hcv-rna", "ast", "wbc", "qtc"],
)
def test_it_refuses_a_negative_value(code):
    (message,) = errors_for(code, D("-0.1"))[code]
    assert message.startswith("Must be between ")


@pytest.mark.parametrize("value", ["0.9", "-0.1", "14.1", "15"])
def test_it_refuses_an_impossible_ph(value):
    assert errors_for("ph", D(value)) == {"ph": ["Must be between 1 and 14."]}


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("ph", "1"),
        ("ph", "14"),
        ("specific-gravity", "0.9900"),
        ("specific-gravity", "1.0800"),
        ("specimen-temperature", "0"),
        ("specimen-temperature", "50"),
    ],
)
def test_it_accepts_the_edges_of_the_plausible_range(code, value):
    validate_value(TESTS_BY_CODE[code], D(value), None)


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("specific-gravity", "0.9899"),
        ("specific-gravity", "1.0801"),
        ("specimen-temperature", "-1"),
        ("specimen-temperature", "50.1"),
    ],
)
def test_it_refuses_an_impossible_validity_value(code, value):
    assert list(errors_for(code, D(value))) == [code]


@pytest.mark.parametrize("code", ["xylazine", "hiv", "hcv-ab", "hbsag", "hcg"])
def test_it_refuses_a_number_for_a_qualitative_only_test(code):
    assert errors_for(code, D("1"), "positive") == {
        code: ["This test is reported as positive, negative or inconclusive, not as a number."]
    }


@pytest.mark.parametrize("qualitative", ["pos", "Positive", "detected", ""])
def test_it_refuses_an_unknown_qualitative_result(qualitative):
    assert errors_for("hiv", qualitative=qualitative) == {
        "hiv": ["Qualitative result must be positive, negative, inconclusive or not-tested."]
    }


@pytest.mark.parametrize("code", ["ast", "qtc", "ph", "creatinine"])
def test_it_refuses_a_qualitative_result_for_a_numeric_test(code):
    assert errors_for(code, qualitative="negative") == {
        code: ["This test is reported as a number, not as a qualitative result."]
    }


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), 1.5, "300", True])
def test_it_refuses_a_value_that_is_not_a_finite_decimal(value):
    assert errors_for("opiates", value) == {"opiates": ["Value must be a number."]}


def test_it_refuses_in_interpret_result_too():
    with pytest.raises(LabValueError) as caught:
        result("ph", D("15"))
    assert list(caught.value.errors) == ["ph"]
    assert isinstance(caught.value, ValueError)


# Alerts on one result


@pytest.mark.parametrize(
    ("code", "value", "qualitative", "alerts"),
    [
        ("hemoglobin", "6.5", None, ["critical-value"]),
        ("hemoglobin", "11", None, []),
        ("platelets", "1000", None, ["critical-value"]),
        ("hcg", None, "positive", ["pregnancy-positive"]),
        ("hcg", None, "negative", []),
        ("hcg", None, "inconclusive", []),
        ("qtc", "450", None, []),
        ("qtc", "451", None, ["qtc-prolonged"]),
        ("qtc", "500", None, ["critical-value", "qtc-prolonged"]),
        ("hiv", None, "positive", []),
        ("fentanyl", "50", None, []),
    ],
)
def test_it_raises_alerts_for_one_result(code, value, qualitative, alerts):
    test = TESTS_BY_CODE[code]
    interpretation, flag = interpret_result(test, None if value is None else D(value), qualitative)
    assert critical_alerts(test, interpretation, flag) == alerts
