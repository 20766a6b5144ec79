"""SOWS: 16 items 0-4, band edges."""

import pytest

from intake.scoring import AnswerError, get_instrument
from tests.scoring_support import item_answers

SOWS = get_instrument("sows")


def answers(*points: int) -> dict[str, str]:
    return item_answers(16, *points)


@pytest.mark.parametrize(
    ("points", "total", "band"),
    [
        ((), 0, "none"),  # all 0
        ((1,), 1, "mild"),  # 1
        ((4, 4, 2), 10, "mild"),  # 4 + 4 + 2 = 10
        ((4, 4, 3), 11, "moderate"),  # 4 + 4 + 3 = 11
        ((4, 4, 4, 4, 4), 20, "moderate"),  # 5 x 4 = 20
        ((4, 4, 4, 4, 4, 1), 21, "severe"),  # 20 + 1 = 21
        ((4,) * 16, 64, "severe"),  # 16 x 4 = 64
    ],
)
def test_it_bands_at_every_edge(points, total, band):
    result = SOWS.score(answers(*points))

    assert (result.total, result.band) == (total, band)


def test_it_has_sixteen_items_rated_zero_to_four():
    assert [item.key for item in SOWS.items] == [str(n) for n in range(1, 17)]
    for item in SOWS.items:
        assert [option.value for option in item.options] == ["0", "1", "2", "3", "4"]


def test_it_refuses_a_rating_of_five():
    with pytest.raises(AnswerError) as caught:
        SOWS.score(answers() | {"16": "5"})

    assert caught.value.errors == {
        "16": ["'5' is not a valid choice for this item; choose one of 0, 1, 2, 3, 4."]
    }
