"""`expected` on drug screens, order alerts and whole-panel interpretation."""

from decimal import Decimal

import pytest

from intake.labs.catalog import PANELS, TESTS_BY_CODE
from intake.labs.interpret import (
    LabValueError,
    expected_for,
    expected_positive_screens,
    interpret_panel,
    order_alerts,
)

D = Decimal

BUPRENORPHINE_DRUGS = ["buprenorphine", "buprenorphine-naloxone", "buprenorphine-xr"]


@pytest.mark.parametrize("drug", BUPRENORPHINE_DRUGS)
@pytest.mark.parametrize(
    ("test", "interpretation", "expected"),
    [
        ("buprenorphine", "positive", True),
        ("buprenorphine", "negative", False),
        ("norbuprenorphine", "positive", True),
        ("norbuprenorphine", "negative", False),
        ("fentanyl", "positive", False),
        ("fentanyl", "negative", True),
        ("methadone", "positive", False),
        ("eddp", "negative", True),
        ("xylazine", "positive", False),
    ],
)
def test_it_expects_buprenorphine_for_a_buprenorphine_patient(drug, test, interpretation, expected):
    assert expected_for(test, interpretation, {drug}, "valid") is expected


@pytest.mark.parametrize(
    ("test", "interpretation", "expected"),
    [
        ("methadone", "positive", True),
        ("methadone", "negative", False),
        ("eddp", "positive", True),
        ("eddp", "negative", False),
        ("buprenorphine", "positive", False),
        ("norbuprenorphine", "negative", True),
        ("opiates", "negative", True),
        ("oxycodone", "positive", False),
    ],
)
def test_it_expects_methadone_for_a_methadone_patient(test, interpretation, expected):
    assert expected_for(test, interpretation, {"methadone"}, "valid") is expected


@pytest.mark.parametrize("drugs", [set(), {"naltrexone"}, {"naloxone", "ondansetron"}])
@pytest.mark.parametrize(
    ("test", "interpretation", "expected"),
    [
        ("methadone", "positive", False),
        ("buprenorphine", "positive", False),
        ("fentanyl", "negative", True),
        ("thc", "positive", False),
    ],
)
def test_it_expects_every_screen_negative_without_an_agonist(drugs, test, interpretation, expected):
    assert expected_for(test, interpretation, drugs, "valid") is expected


def test_it_expects_both_medications_when_both_are_prescribed():
    drugs = {"methadone", "buprenorphine"}
    assert expected_positive_screens(drugs) == {
        "methadone",
        "eddp",
        "buprenorphine",
        "norbuprenorphine",
    }
    assert expected_for("eddp", "positive", drugs, "valid") is True


@pytest.mark.parametrize("test", ["ast", "hiv", "hcv-rna", "hcg", "ph", "qtc", "unknown"])
def test_it_gives_no_expected_outside_drug_screens(test):
    assert expected_for(test, "positive", {"buprenorphine"}, "valid") is None


def test_it_gives_no_expected_for_inconclusive_results():
    assert expected_for("buprenorphine", "inconclusive", {"buprenorphine"}, "valid") is None


@pytest.mark.parametrize("status", ["adulterated", "substituted", "invalid"])
@pytest.mark.parametrize("interpretation", ["positive", "negative"])
def test_it_gives_no_expected_on_a_failed_specimen(status, interpretation):
    assert expected_for("methadone", interpretation, {"methadone"}, status) is None


def test_it_gives_expected_only_for_dilute_positives():
    assert expected_for("methadone", "positive", {"methadone"}, "dilute") is True
    assert expected_for("fentanyl", "positive", {"methadone"}, "dilute") is False
    assert expected_for("methadone", "negative", {"methadone"}, "dilute") is None
    assert expected_for("fentanyl", "negative", {"methadone"}, "dilute") is None


# Order alerts


@pytest.mark.parametrize(
    ("results", "alerts"),
    [
        (
            {"buprenorphine": "positive", "norbuprenorphine": "negative"},
            ["buprenorphine-without-metabolite"],
        ),
        ({"buprenorphine": "positive", "norbuprenorphine": "positive"}, []),
        ({"buprenorphine": "negative", "norbuprenorphine": "negative"}, []),
        ({"buprenorphine": "positive", "norbuprenorphine": "inconclusive"}, []),
        ({"buprenorphine": "positive"}, []),
        ({"methadone": "positive", "eddp": "negative"}, ["methadone-without-metabolite"]),
        ({"methadone": "positive", "eddp": "positive"}, []),
        ({"methadone": "negative", "eddp": "positive"}, []),
        (
            {
                "buprenorphine": "positive",
                "norbuprenorphine": "negative",
                "methadone": "positive",
                "eddp": "negative",
            },
            ["buprenorphine-without-metabolite", "methadone-without-metabolite"],
        ),
        ({}, []),
    ],
)
def test_it_raises_metabolite_alerts(results, alerts):
    assert order_alerts(results) == alerts


# Whole panel

VALID_VALIDITY = [
    {"test": "specimen-temperature", "value": D("34.5")},
    {"test": "creatinine", "value": D("85")},
    {"test": "specific-gravity", "value": D("1.0180")},
    {"test": "ph", "value": D("6.5")},
]


def test_it_interprets_a_urine_drug_screen_for_a_buprenorphine_patient():
    entries = [
        *VALID_VALIDITY,
        {"test": "buprenorphine", "value": D("120")},
        {"test": "norbuprenorphine", "value": D("4.9")},
        {"test": "fentanyl", "value": D("1")},
        {"test": "opiates", "value": D("0")},
        {"test": "xylazine", "qualitative": "negative"},
    ]
    panel = interpret_panel(TESTS_BY_CODE, entries, {"buprenorphine-naloxone"})
    assert panel["specimen_status"] == "valid"
    assert panel["recollect_observed"] is False
    assert [r["test"] for r in panel["results"]] == [e["test"] for e in entries]
    rows = {r["test"]: (r["interpretation"], r["flag"], r["expected"]) for r in panel["results"]}
    assert rows == {
        "specimen-temperature": (None, None, None),
        "creatinine": (None, None, None),
        "specific-gravity": (None, None, None),
        "ph": (None, None, None),
        "buprenorphine": ("positive", None, True),
        "norbuprenorphine": ("negative", None, False),
        "fentanyl": ("positive", None, False),
        "opiates": ("negative", None, True),
        "xylazine": ("negative", None, True),
    }
    bup = panel["results"][4]
    assert bup == {
        "test": "buprenorphine",
        "value": D("120"),
        "unit": "ng/mL",
        "qualitative": None,
        "interpretation": "positive",
        "flag": None,
        "expected": True,
        "alerts": [],
    }
    assert panel["alerts"] == ["buprenorphine-without-metabolite"]


def test_it_interprets_intake_blood_work_with_critical_and_pregnancy_alerts():
    entries = [
        {"test": "hiv", "qualitative": "negative"},
        {"test": "hcv-ab", "qualitative": "positive"},
        {"test": "hbsag", "qualitative": "negative"},
        {"test": "ast", "value": D("85")},
        {"test": "alt", "value": D("56")},
        {"test": "hemoglobin", "value": D("6.8")},
        {"test": "wbc", "value": D("1.5")},
        {"test": "platelets", "value": D("220")},
        {"test": "hcg", "qualitative": "positive"},
    ]
    assert [e["test"] for e in entries] == list(PANELS["intake-blood"][1])
    panel = interpret_panel(TESTS_BY_CODE, entries, {"methadone"})
    assert panel["specimen_status"] == "valid"
    rows = {r["test"]: (r["interpretation"], r["flag"], r["expected"]) for r in panel["results"]}
    assert rows == {
        "hiv": ("negative", None, None),
        "hcv-ab": ("positive", None, None),
        "hbsag": ("negative", None, None),
        "ast": (None, "high", None),
        "alt": (None, "normal", None),
        "hemoglobin": (None, "critical", None),
        "wbc": (None, "critical", None),
        "platelets": (None, "normal", None),
        "hcg": ("positive", None, None),
    }
    # one code per kind of alert; the results say which test raised it
    assert panel["alerts"] == ["critical-value", "pregnancy-positive"]
    assert [r["test"] for r in panel["results"] if r["alerts"]] == ["hemoglobin", "wbc", "hcg"]


def test_it_accepts_numbers_as_int_float_or_string():
    entries = [
        {"test": "methadone", "value": 300},
        {"test": "eddp", "value": "99.99"},
        {"test": "specific-gravity", "value": 1.003},
        {"test": "creatinine", "value": 10},
    ]
    panel = interpret_panel(TESTS_BY_CODE, entries, ["methadone"])
    values = {r["test"]: r["value"] for r in panel["results"]}
    assert values == {
        "methadone": D("300"),
        "eddp": D("99.99"),
        "specific-gravity": D("1.003"),
        "creatinine": D("10"),
    }
    # 1.003 as a float is not read as a hair below 1.0030, so the specimen is not dilute
    assert panel["specimen_status"] == "valid"
    assert panel["alerts"] == ["methadone-without-metabolite"]


def test_it_refuses_an_unknown_test_naming_it():
    with pytest.raises(LabValueError) as caught:
        interpret_panel(TESTS_BY_CODE, [{"test": "kratom", "value": D("5")}], set())
    assert caught.value.errors == {"kratom": ["Unknown test."]}


def test_it_reports_every_bad_result_at_once():
    entries = [
        {"test": "fentanyl", "value": D("-1")},
        {"test": "ph", "value": D("14.5")},
        {"test": "hiv", "value": D("1")},
        {"test": "hcg", "qualitative": "yes"},
        {"test": "ast"},
        {"test": "opiates", "value": "three hundred"},
        {"test": "thc", "value": [50]},
        {"test": "cocaine", "value": D("10")},
        {"test": "cocaine", "value": D("10")},
        {"value": D("1")},
    ]
    with pytest.raises(LabValueError) as caught:
        interpret_panel(TESTS_BY_CODE, entries, set())
    assert caught.value.errors == {
        "fentanyl": ["Must be between 0 and 1000000 ng/mL."],
        "ph": ["Must be between 1 and 14."],
        "hiv": ["This test is reported as positive, negative or inconclusive, not as a number."],
        "hcg": ["Qualitative result must be positive, negative, inconclusive or not-tested."],
        "ast": ["Give a value or a qualitative result."],
        "opiates": ["Value must be a number."],
        "thc": ["Value must be a number."],
        "cocaine": ["Reported more than once."],
        "test": ["Each result needs a test code."],
    }


def test_it_refuses_an_empty_result_list():
    with pytest.raises(LabValueError) as caught:
        interpret_panel(TESTS_BY_CODE, [], set())
    assert caught.value.errors == {"results": ["Give at least one result."]}
