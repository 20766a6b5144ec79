"""GAD-7: band edges."""

import pytest

from intake.scoring import AnswerError, get_instrument
from tests.scoring_support import MINIMAL_MILD_MODERATE_EDGES, item_answers

GAD7 = get_instrument("gad7")


def answers(*points: int) -> dict[str, str]:
    return item_answers(7, *points)


@pytest.mark.parametrize(
    ("points", "total", "band"),
    [
        *MINIMAL_MILD_MODERATE_EDGES,
        ((3, 3, 3, 3, 3), 15, "severe"),  # 5 x 3 = 15
        ((3,) * 7, 21, "severe"),  # 7 x 3 = 21
    ],
)
def test_it_bands_at_every_edge(points, total, band):
    result = GAD7.score(answers(*points))

    assert (result.total, result.band, result.alerts) == (total, band, ())


def test_it_refuses_an_eighth_item():
    with pytest.raises(AnswerError) as caught:
        GAD7.score(answers() | {"8": "0"})

    assert caught.value.errors == {"8": ["Unknown item."]}
