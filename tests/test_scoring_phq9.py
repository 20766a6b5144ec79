"""PHQ-9: band edges and the item-9 suicide-risk alert."""

import pytest

from intake.scoring import get_instrument
from tests.scoring_support import MINIMAL_MILD_MODERATE_EDGES, item_answers

PHQ9 = get_instrument("phq9")


def answers(*points: int) -> dict[str, str]:
    return item_answers(9, *points)


@pytest.mark.parametrize(
    ("points", "total", "band"),
    [
        *MINIMAL_MILD_MODERATE_EDGES,
        ((3, 3, 3, 3, 3), 15, "moderately-severe"),  # 5 x 3 = 15
        ((3, 3, 3, 3, 3, 3, 1), 19, "moderately-severe"),  # 18 + 1 = 19
        ((3, 3, 3, 3, 3, 3, 2), 20, "severe"),  # 18 + 2 = 20
        ((3, 3, 3, 3, 3, 3, 3, 3), 24, "severe"),  # 8 x 3 = 24, item 9 still 0
    ],
)
def test_it_bands_at_every_edge_without_an_alert(points, total, band):
    result = PHQ9.score(answers(*points))

    assert (result.total, result.band, result.alerts) == (total, band, ())


def test_it_bands_the_maximum_as_severe():
    result = PHQ9.score(answers(*[3] * 9))  # 9 x 3 = 27

    assert (result.total, result.band) == (27, "severe")
    assert result.alerts == ("suicide-risk",)


def test_it_raises_suicide_risk_when_item_9_is_the_only_answer():
    result = PHQ9.score(answers(0, 0, 0, 0, 0, 0, 0, 0, 1))  # item 9 at 1: total 1

    assert (result.total, result.band) == (1, "minimal")
    assert result.alerts == ("suicide-risk",)


@pytest.mark.parametrize("item_9", [1, 2, 3])
def test_it_raises_suicide_risk_for_every_nonzero_item_9(item_9):
    assert PHQ9.score(answers(*[0] * 8, item_9)).alerts == ("suicide-risk",)


def test_it_describes_the_alert():
    assert "safety assessment" in PHQ9.alert_descriptions["suicide-risk"]
