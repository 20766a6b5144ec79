"""AUDIT-C: the positive threshold depends on sex at birth."""

import pytest

from intake.scoring import get_instrument
from tests.scoring_support import item_answers

AUDITC = get_instrument("auditc")


def answers(*points: int) -> dict[str, str]:
    return item_answers(3, *points)


@pytest.mark.parametrize(
    ("points", "sex_at_birth", "total", "band"),
    [
        ((), "male", 0, "negative"),  # 0
        ((), "female", 0, "negative"),  # 0
        ((1, 1, 1), "male", 3, "negative"),  # 1 + 1 + 1 = 3, below 4
        ((2, 1, 1), "male", 4, "positive"),  # 2 + 1 + 1 = 4, male threshold
        ((1, 1), "female", 2, "negative"),  # 1 + 1 = 2, below 3
        ((1, 1, 1), "female", 3, "positive"),  # 1 + 1 + 1 = 3, threshold for everyone else
        ((4, 4, 4), "male", 12, "positive"),  # 4 + 4 + 4 = 12
        ((4, 4, 4), "female", 12, "positive"),  # 12
    ],
)
def test_it_bands_at_every_edge(points, sex_at_birth, total, band):
    result = AUDITC.score(answers(*points), sex_at_birth=sex_at_birth)

    assert (result.total, result.band) == (total, band)


def test_it_reads_a_total_of_3_as_positive_for_female_and_negative_for_male():
    given = answers(2, 1, 0)  # 2 + 1 + 0 = 3

    assert AUDITC.score(given, sex_at_birth="female").band == "positive"
    assert AUDITC.score(given, sex_at_birth="male").band == "negative"


@pytest.mark.parametrize("sex_at_birth", ["intersex", "unknown", None])
def test_it_uses_the_lower_threshold_unless_male(sex_at_birth):
    result = AUDITC.score(answers(3), sex_at_birth=sex_at_birth)  # 3

    assert result.band == "positive"


def test_it_lists_both_bands_with_their_thresholds():
    assert [band.code for band in AUDITC.bands] == ["negative", "positive"]
    assert "male" in AUDITC.band("positive").label


def test_it_picks_the_band_for_a_total_by_sex():
    assert AUDITC.band_for(3, sex_at_birth="male").code == "negative"
    assert AUDITC.band_for(3, sex_at_birth="female").code == "positive"
    assert AUDITC.band_for(3).code == "positive"


def test_it_refuses_an_unknown_sex_at_birth_code():
    with pytest.raises(ValueError, match="sex_at_birth"):
        AUDITC.score(answers(3), sex_at_birth="M")
