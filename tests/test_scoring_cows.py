"""COWS: band edges, the per-item point sets and maximum 48."""

import pytest

from intake.scoring import AnswerError, get_instrument
from tests.scoring_support import item_answers

COWS = get_instrument("cows")


def answers(*points: int) -> dict[str, str]:
    return item_answers(11, *points)


@pytest.mark.parametrize(
    ("points", "total", "band"),
    [
        ((), 0, "none"),  # all 0
        ((4,), 4, "none"),  # pulse >120: 4
        ((0, 0, 5), 5, "mild"),  # restlessness 5
        ((4, 0, 5, 0, 0, 0, 3), 12, "mild"),  # pulse 4 + restless 5 + GI 3 = 12
        ((4, 0, 5, 0, 0, 0, 3, 0, 1), 13, "moderate"),  # 12 + yawning 1 = 13
        ((4, 4, 5, 5, 4, 2), 24, "moderate"),  # 4 + 4 + 5 + 5 + 4 + 2 = 24
        ((4, 4, 5, 5, 4, 2, 1), 25, "moderately-severe"),  # 24 + GI 1 = 25
        # 4 + 4 + 5 + 5 + 4 + 4 + 5 + 4 + 1 = 36
        ((4, 4, 5, 5, 4, 4, 5, 4, 1), 36, "moderately-severe"),
        ((4, 4, 5, 5, 4, 4, 5, 4, 1, 1), 37, "severe"),  # 36 + anxiety 1 = 37
        # every item at its top: 4 + 4 + 5 + 5 + 4 + 4 + 5 + 4 + 4 + 4 + 5 = 48
        ((4, 4, 5, 5, 4, 4, 5, 4, 4, 4, 5), 48, "severe"),
    ],
)
def test_it_bands_at_every_edge(points, total, band):
    result = COWS.score(answers(*points))

    assert (result.total, result.band) == (total, band)


def test_it_offers_exactly_the_published_point_sets():
    point_sets = {item.key: [o.points for o in item.options] for item in COWS.items}

    assert point_sets == {
        "1": [0, 1, 2, 4],
        "2": [0, 1, 2, 3, 4],
        "3": [0, 1, 3, 5],
        "4": [0, 1, 2, 5],
        "5": [0, 1, 2, 4],
        "6": [0, 1, 2, 4],
        "7": [0, 1, 2, 3, 5],
        "8": [0, 1, 2, 4],
        "9": [0, 1, 2, 4],
        "10": [0, 1, 2, 4],
        "11": [0, 3, 5],
    }


def test_it_labels_pulse_options_with_their_ranges():
    labels = [option.label for option in COWS.item("1").options]

    assert labels == ["Pulse 80 or below", "Pulse 81-100", "Pulse 101-120", "Pulse over 120"]


def test_it_refuses_points_outside_an_items_set_naming_each_item():
    given = answers()
    given["1"] = "3"  # pulse has no 3
    given["3"] = "2"  # restlessness is 0, 1, 3, 5
    given["11"] = 1  # gooseflesh is 0, 3, 5 (ints are read as strings)

    with pytest.raises(AnswerError) as caught:
        COWS.score(given)

    assert caught.value.errors == {
        "1": ["'3' is not a valid choice for this item; choose one of 0, 1, 2, 4."],
        "3": ["'2' is not a valid choice for this item; choose one of 0, 1, 3, 5."],
        "11": ["'1' is not a valid choice for this item; choose one of 0, 3, 5."],
    }


def test_it_accepts_integer_answers():
    # pulse 2 + restlessness 3 = 5
    given = {str(n): 0 for n in range(1, 12)} | {"1": 2, "3": 3}

    assert COWS.validate(given)["3"] == "3"
    assert COWS.score(given).total == 5
