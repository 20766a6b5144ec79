"""ASAM dimensions: band = highest rating, total for trends, imminent danger at 4."""

import pytest

from intake.scoring import ASAM_LEVELS, get_instrument
from tests.scoring_support import item_answers

ASAM = get_instrument("asam")


def answers(*points: int) -> dict[str, str]:
    return item_answers(6, *points)


@pytest.mark.parametrize(
    ("ratings", "total", "band"),
    [
        ((), 0, "none"),  # all 0: highest 0, total 0
        ((1,), 1, "mild"),  # highest 1, total 1
        ((1,) * 6, 6, "mild"),  # highest 1, total 6 x 1 = 6
        ((2,), 2, "moderate"),  # highest 2, total 2
        ((2,) * 6, 12, "moderate"),  # highest 2, total 6 x 2 = 12
        ((3,), 3, "significant"),  # highest 3, total 3
        ((3,) * 6, 18, "significant"),  # highest 3, total 6 x 3 = 18
        ((0, 0, 0, 0, 0, 4), 4, "severe"),  # highest 4, total 4
        ((4,) * 6, 24, "severe"),  # highest 4, total 6 x 4 = 24
    ],
)
def test_it_bands_by_the_highest_rating(ratings, total, band):
    result = ASAM.score(answers(*ratings))

    assert (result.total, result.band) == (total, band)


def test_it_does_not_band_by_the_total():
    # 1 x 6 = 6 is only mild, while a single 2 (total 2) is moderate.
    assert ASAM.score(answers(1, 1, 1, 1, 1, 1)).band == "mild"
    assert ASAM.score(answers(2)).band == "moderate"
    with pytest.raises(ValueError, match="highest dimension rating"):
        ASAM.band_for(6)


def test_it_raises_imminent_danger_when_any_dimension_is_4():
    result = ASAM.score(answers(0, 0, 4, 0, 0, 4))  # 4 + 4 = 8

    assert result.alerts == ("imminent-danger",)
    assert result.details == {"highest_rating": 4, "imminent_danger_dimensions": ["3", "6"]}
    assert "imminent-danger" in ASAM.alert_descriptions


def test_it_raises_no_alert_below_4():
    result = ASAM.score(answers(3, 3, 3, 3, 3, 3))  # 18

    assert result.alerts == ()


def test_it_lists_the_levels_of_care():
    codes = [code for code, _ in ASAM_LEVELS]

    assert codes == ["0.5", "1", "2.1", "2.5", "3.1", "3.3", "3.5", "3.7", "4", "otp"]
    assert dict(ASAM_LEVELS)["otp"] == "Opioid treatment program"
