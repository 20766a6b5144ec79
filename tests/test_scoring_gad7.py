"""GAD-7: band edges."""

import pytest

from intake.scoring import AnswerError, get_instrument

GAD7 = get_instrument("gad7")


def answers(*points):
    """Points for items 1, 2, ... in order; items not given score 0."""
    padded = list(points) + [0] * (7 - len(points))
    return {str(n): str(p) for n, p in enumerate(padded, start=1)}


@pytest.mark.parametrize(
    ("points", "total", "band"),
    [
        ((), 0, "minimal"),  # all 0
        ((3, 1), 4, "minimal"),  # 3 + 1 = 4
        ((3, 2), 5, "mild"),  # 3 + 2 = 5
        ((3, 3, 3), 9, "mild"),  # 3 + 3 + 3 = 9
        ((3, 3, 3, 1), 10, "moderate"),  # 9 + 1 = 10
        ((3, 3, 3, 3, 2), 14, "moderate"),  # 12 + 2 = 14
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
