"""CIWA-Ar: band edges (ASAM 2020: mild 0-9, moderate 10-18, severe 19-67), each item's range
(items 1-9 rated 0-7, item 10 orientation 0-4, every integer) and the maximum 67."""

from __future__ import annotations

import pytest

from intake.scoring import AnswerError, get_instrument
from intake.scoring.ciwa_ar import rated_item
from tests.scoring_support import item_answers

CIWA_AR = get_instrument("ciwa-ar")

# Ratings for items 1, 2, ... in order, the total and the band: both sides of every edge.
CIWA_AR_EDGES = [
    ((), 0, "mild"),  # all 0
    ((7, 2), 9, "mild"),  # nausea 7 + tremor 2 = 9, the top of mild
    ((7, 3), 10, "moderate"),  # 7 + 3 = 10, the bottom of moderate
    ((7, 7, 4), 18, "moderate"),  # 7 + 7 + sweats 4 = 18, the top of moderate
    ((7, 7, 5), 19, "severe"),  # 7 + 7 + 5 = 19, the bottom of severe
    ((7, 7, 7, 7, 7, 7, 7, 7, 7, 4), 67, "severe"),  # nine items at 7 + orientation 4 = 67
]


def answers(*ratings: int) -> dict[str, str]:
    return item_answers(10, *ratings)


@pytest.mark.parametrize(("ratings", "total", "band"), CIWA_AR_EDGES)
def test_it_bands_at_every_edge(ratings: tuple[int, ...], total: int, band: str) -> None:
    result = CIWA_AR.score(answers(*ratings))

    assert (result.total, result.band, result.alerts) == (total, band, ())


def test_its_bands_are_asams_in_clinical_words() -> None:
    bands = [(b.code, b.label, b.min, b.max) for b in CIWA_AR.bands]

    assert bands == [
        ("mild", "Mild withdrawal (0-9)", 0, 9),
        ("moderate", "Moderate withdrawal (10-18)", 10, 18),
        ("severe", "Severe withdrawal (19-67)", 19, 67),
    ]


def test_it_is_versioned_with_ten_items_in_published_order() -> None:
    texts = [item.text.split(":")[0].rstrip(".") for item in CIWA_AR.items]

    assert (CIWA_AR.code, CIWA_AR.version) == ("ciwa-ar", "1")
    assert [item.key for item in CIWA_AR.items] == [str(n) for n in range(1, 11)]
    assert texts == [
        "Nausea and vomiting",
        "Tremor",
        "Paroxysmal sweats",
        "Anxiety",
        "Agitation",
        "Tactile disturbances",
        "Auditory disturbances",
        "Visual disturbances",
        "Headache, fullness in head",
        "Orientation and clouding of sensorium",
    ]


def test_it_offers_every_integer_rating_up_to_each_items_top() -> None:
    ratings = {item.key: [o.points for o in item.options] for item in CIWA_AR.items}

    assert ratings == {str(n): list(range(8)) for n in range(1, 10)} | {"10": list(range(5))}


def test_it_words_the_published_anchors_and_names_the_ratings_between() -> None:
    nausea = [option.label for option in CIWA_AR.item("1").options]

    assert nausea == [
        "No nausea and no vomiting",
        "Mild nausea with no vomiting",
        "Between 1 and 4",
        "Between 1 and 4",
        "Intermittent nausea with dry heaves",
        "Between 4 and 7",
        "Between 4 and 7",
        "Constant nausea, frequent dry heaves and vomiting",
    ]
    assert CIWA_AR.item("10").options[-1].label == "Disoriented for place and/or person"


# Each item alone at its lowest and its highest rating (the others 0).
ITEM_TOPS = [(str(n), 7) for n in range(1, 10)] + [("10", 4)]


@pytest.mark.parametrize(("key", "top"), ITEM_TOPS)
def test_each_item_scores_from_0_to_its_top(key: str, top: int) -> None:
    lowest = CIWA_AR.score(answers() | {key: "0"})
    highest = CIWA_AR.score(answers() | {key: str(top)})

    assert (lowest.total, lowest.band) == (0, "mild")
    assert (highest.total, highest.band) == (top, "mild")
    assert highest.details == {}


@pytest.mark.parametrize(("key", "top"), ITEM_TOPS)
def test_it_refuses_one_over_an_items_top_naming_the_item(key: str, top: int) -> None:
    choices = ", ".join(str(n) for n in range(top + 1))

    with pytest.raises(AnswerError) as caught:
        CIWA_AR.score(answers() | {key: str(top + 1)})

    assert caught.value.errors == {
        key: [f"'{top + 1}' is not a valid choice for this item; choose one of {choices}."]
    }


def test_it_refuses_negative_fractional_missing_and_unknown_items_together() -> None:
    given: dict[str, object] = dict(answers())
    given["2"] = -1
    given["3"] = "2.5"
    del given["4"]
    given["11"] = "0"  # there is no item 11

    with pytest.raises(AnswerError) as caught:
        CIWA_AR.score(given)

    assert caught.value.errors == {
        "2": ["'-1' is not a valid choice for this item; choose one of 0, 1, 2, 3, 4, 5, 6, 7."],
        "3": ["'2.5' is not a valid choice for this item; choose one of 0, 1, 2, 3, 4, 5, 6, 7."],
        "4": ["This item is required."],
        "11": ["Unknown item."],
    }


def test_it_accepts_integer_answers() -> None:
    given = {str(n): 0 for n in range(1, 11)} | {"2": 4, "10": 4}  # tremor 4 + orientation 4

    assert CIWA_AR.score(given).total == 8


def test_an_item_needs_anchors_at_both_ends() -> None:
    with pytest.raises(ValueError, match="anchors must include 0 and 7"):
        rated_item("1", "Tremor.", {0: "No tremor", 4: "Moderate"})
