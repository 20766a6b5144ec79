"""DSM-5 opioid use disorder: counts, the supervision rule and ICD-10-CM codes."""

import pytest

from intake.scoring import AnswerError, get_instrument, icd10_for

DSM5 = get_instrument("dsm5-oud")


def answers(met=(), supervised="no"):
    """Criteria numbers in `met` answered "yes", every other criterion "no"."""
    criteria = {str(n): "yes" if n in met else "no" for n in range(1, 12)}
    return {**criteria, "supervised": supervised}


@pytest.mark.parametrize(
    ("met", "total", "band"),
    [
        ((), 0, "none"),  # no criterion met: 0
        ((4,), 1, "none"),  # craving only: 1
        ((1, 2), 2, "mild"),  # 1 + 1 = 2
        ((1, 2, 3), 3, "mild"),  # 1 + 1 + 1 = 3
        ((1, 2, 3, 4), 4, "moderate"),  # 4 criteria
        ((1, 2, 3, 4, 5), 5, "moderate"),  # 5 criteria
        ((1, 2, 3, 4, 5, 6), 6, "severe"),  # 6 criteria
        (tuple(range(1, 12)), 11, "severe"),  # all 11 criteria
    ],
)
def test_it_bands_by_count_of_criteria(met, total, band):
    result = DSM5.score(answers(met))

    assert (result.total, result.band) == (total, band)
    assert result.details["counted_criteria"] == [str(n) for n in met]
    assert result.alerts == ()


def test_it_drops_tolerance_and_withdrawal_under_medical_supervision():
    met = (1, 2, 3, 4, 10, 11)

    unsupervised = DSM5.score(answers(met, supervised="no"))  # 6 criteria
    supervised = DSM5.score(answers(met, supervised="yes"))  # 6 - tolerance - withdrawal = 4

    assert (unsupervised.total, unsupervised.band) == (6, "severe")
    assert (supervised.total, supervised.band) == (4, "moderate")
    assert supervised.details["counted_criteria"] == ["1", "2", "3", "4"]
    assert supervised.details["excluded_criteria"] == ["10", "11"]
    assert unsupervised.details["excluded_criteria"] == []


def test_it_can_leave_no_disorder_when_only_tolerance_and_withdrawal_are_met():
    # A patient on prescribed opioids with only tolerance + withdrawal: 2 - 2 = 0.
    assert DSM5.score(answers((10, 11), supervised="no")).band == "mild"
    assert DSM5.score(answers((10, 11), supervised="yes")).band == "none"


def test_it_counts_the_other_criteria_normally_under_supervision():
    # Supervision removes only criteria 10 and 11: 1 + 1 + 1 = 3.
    result = DSM5.score(answers((5, 6, 7), supervised="yes"))

    assert (result.total, result.band) == (3, "mild")


def test_it_requires_the_supervised_item():
    given = answers((1, 2))
    del given["supervised"]

    with pytest.raises(AnswerError) as caught:
        DSM5.score(given)

    assert caught.value.errors == {"supervised": ["This item is required."]}


def test_it_names_every_bad_item_at_once():
    given = answers((1,))
    del given["3"]
    given["2"] = "maybe"
    given["12"] = "yes"

    with pytest.raises(AnswerError) as caught:
        DSM5.score(given)

    assert caught.value.errors == {
        "2": ["'maybe' is not a valid choice for this item; choose one of yes, no."],
        "3": ["This item is required."],
        "12": ["Unknown item."],
    }


@pytest.mark.parametrize(
    ("severity", "remission", "code"),
    [
        ("mild", "none", "F11.10"),
        ("mild", "early", "F11.11"),
        ("mild", "sustained", "F11.11"),
        ("moderate", "none", "F11.20"),
        ("moderate", "early", "F11.21"),
        ("moderate", "sustained", "F11.21"),
        ("severe", "none", "F11.20"),
        ("severe", "early", "F11.21"),
        ("severe", "sustained", "F11.21"),
    ],
)
def test_it_maps_severity_and_remission_to_icd10(severity, remission, code):
    assert icd10_for(severity, remission) == code


@pytest.mark.parametrize("remission", ["none", "early", "sustained"])
def test_it_has_no_icd10_code_without_a_disorder(remission):
    with pytest.raises(ValueError, match="not a disorder"):
        icd10_for("none", remission)


@pytest.mark.parametrize(("severity", "remission"), [("severe", "partial"), ("extreme", "none")])
def test_it_refuses_unknown_severity_or_remission(severity, remission):
    with pytest.raises(ValueError, match="Unknown"):
        icd10_for(severity, remission)
