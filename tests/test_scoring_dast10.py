"""DAST-10: band edges and the reversed item 3."""

import pytest

from intake.scoring import get_instrument

DAST10 = get_instrument("dast10")


def answers(yes=()):
    """Item numbers in `yes` answered "yes", every other item "no"."""
    return {str(n): "yes" if n in yes else "no" for n in range(1, 11)}


@pytest.mark.parametrize(
    ("yes", "total", "band"),
    [
        # Item 3 ("always able to stop") answered yes scores 0 in every row but the last two.
        ((3,), 0, "none"),  # nothing scores: 0
        ((1, 3), 1, "low"),  # item 1: 1
        ((1, 2, 3), 2, "low"),  # 1 + 1 = 2
        ((1, 2, 3, 4), 3, "moderate"),  # 1 + 1 + 1 = 3
        ((1, 2, 3, 4, 5, 6), 5, "moderate"),  # items 1, 2, 4, 5, 6: 5
        ((1, 2, 3, 4, 5, 6, 7), 6, "substantial"),  # items 1, 2, 4-7: 6
        ((1, 2, 3, 4, 5, 6, 7, 8, 9), 8, "substantial"),  # items 1, 2, 4-9: 8
        ((1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 9, "severe"),  # all yes: 9 (item 3 yes is 0)
        ((1, 2, 4, 5, 6, 7, 8, 9, 10), 10, "severe"),  # 9 yes + item 3 no (1) = 10
    ],
)
def test_it_bands_at_every_edge(yes, total, band):
    result = DAST10.score(answers(yes))

    assert (result.total, result.band) == (total, band)


def test_it_scores_no_on_item_3_and_yes_elsewhere():
    only_item_3_no = DAST10.score(answers(yes=(3,)))  # 0
    all_no = DAST10.score(answers())  # item 3 no: 1

    assert (only_item_3_no.total, only_item_3_no.band) == (0, "none")
    assert (all_no.total, all_no.band) == (1, "low")


def test_it_puts_the_reversal_in_the_option_points():
    points = {item.key: {o.value: o.points for o in item.options} for item in DAST10.items}

    assert points["3"] == {"yes": 0, "no": 1}
    assert all(points[str(n)] == {"yes": 1, "no": 0} for n in range(1, 11) if n != 3)
