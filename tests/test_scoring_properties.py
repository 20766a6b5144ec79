"""Properties every instrument must keep, whatever the answers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.scoring import AnswerError, Instrument, all_instruments, get_instrument

INSTRUMENTS = all_instruments()
SEXES_AT_BIRTH = (None, "female", "male", "intersex", "unknown")

each_instrument = pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.code)


def answer_sets(instrument: Instrument):
    """Valid answers: one option value drawn per item."""
    return st.fixed_dictionaries(
        {item.key: st.sampled_from([o.value for o in item.options]) for item in instrument.items}
    )


def band_order(instrument: Instrument, code: str) -> int:
    return [band.code for band in instrument.bands].index(code)


@each_instrument
@given(data=st.data())
def test_it_keeps_totals_within_the_bands(instrument, data):
    answers = data.draw(answer_sets(instrument))
    sex_at_birth = data.draw(st.sampled_from(SEXES_AT_BIRTH))

    result = instrument.score(answers, sex_at_birth=sex_at_birth)

    assert instrument.bands[0].min <= result.total <= instrument.bands[-1].max
    assert instrument.band(result.band).contains(result.total)
    assert set(result.alerts) <= set(instrument.alert_descriptions)


@each_instrument
@given(data=st.data())
def test_it_never_lowers_the_band_when_an_answer_scores_more(instrument, data):
    answers = data.draw(answer_sets(instrument))
    sex_at_birth = data.draw(st.sampled_from(SEXES_AT_BIRTH))
    raises = [
        (item.key, option.value)
        for item in instrument.items
        for option in item.options
        if option.points > item.option(answers[item.key]).points
    ]
    if not raises:  # every answer already at its top
        return
    key, value = data.draw(st.sampled_from(raises))

    before = instrument.score(answers, sex_at_birth=sex_at_birth)
    after = instrument.score({**answers, key: value}, sex_at_birth=sex_at_birth)

    assert after.total >= before.total
    assert band_order(instrument, after.band) >= band_order(instrument, before.band)


@pytest.mark.parametrize(
    "instrument", [i for i in INSTRUMENTS if i.code != "asam"], ids=lambda i: i.code
)
@given(data=st.data())
def test_it_bands_the_total_the_same_way_score_does(instrument, data):
    answers = data.draw(answer_sets(instrument))
    sex_at_birth = data.draw(st.sampled_from(SEXES_AT_BIRTH))

    result = instrument.score(answers, sex_at_birth=sex_at_birth)

    assert instrument.band_for(result.total, sex_at_birth=sex_at_birth).code == result.band


@each_instrument
@given(data=st.data())
def test_it_names_exactly_the_item_with_a_bad_value(instrument, data):
    answers = data.draw(answer_sets(instrument))
    item = data.draw(st.sampled_from(instrument.items))
    values = {option.value for option in item.options}
    bad = data.draw(st.text(min_size=1).filter(lambda text: text not in values))

    with pytest.raises(AnswerError) as caught:
        instrument.validate({**answers, item.key: bad})

    assert list(caught.value.errors) == [item.key]
    assert caught.value.errors[item.key][0].startswith(f"'{bad}' is not a valid choice")


def test_it_reports_unknown_missing_and_invalid_items_together():
    phq9 = get_instrument("phq9")
    answers = {str(n): "0" for n in range(1, 10)}
    del answers["4"]
    answers["9"] = "7"
    answers["extra"] = "1"

    with pytest.raises(AnswerError) as caught:
        phq9.validate(answers)

    assert caught.value.errors == {
        "4": ["This item is required."],
        "9": ["'7' is not a valid choice for this item; choose one of 0, 1, 2, 3."],
        "extra": ["Unknown item."],
    }


@pytest.mark.parametrize("answers", [None, [], "1,2,3"])
def test_it_refuses_answers_that_are_not_an_object(answers):
    with pytest.raises(AnswerError) as caught:
        get_instrument("gad7").validate(answers)

    assert list(caught.value.errors) == ["answers"]


def test_it_lists_the_instruments_in_api_order():
    codes = [instrument.code for instrument in INSTRUMENTS]

    assert codes == [
        "dsm5-oud", "cows", "sows", "phq9", "gad7", "dast10", "auditc", "asam", "ciwa-ar"
    ]  # fmt: skip
    assert all(
        get_instrument(code) is instrument
        for code, instrument in zip(codes, INSTRUMENTS, strict=True)
    )
    with pytest.raises(KeyError):
        get_instrument("audit")


@each_instrument
def test_it_keys_items_by_published_number(instrument):
    keys = [item.key for item in instrument.items]
    numbered = [key for key in keys if key != "supervised"]

    assert instrument.version == "1"
    assert numbered == [str(n) for n in range(1, len(numbered) + 1)]
    assert ("supervised" in keys) == (instrument.code == "dsm5-oud")


@each_instrument
def test_it_uses_yes_no_or_points_as_option_values(instrument):
    for item in instrument.items:
        values = [option.value for option in item.options]
        if set(values) == {"yes", "no"}:
            continue
        assert values == [str(option.points) for option in item.options]
        assert values == sorted(values, key=int)
        assert all(option.label for option in item.options)


@each_instrument
def test_it_bands_cover_every_possible_total_without_gaps(instrument):
    lowest = sum(min(o.points for o in item.options) for item in instrument.items)
    highest = sum(max(o.points for o in item.options) for item in instrument.items)

    assert (instrument.bands[0].min, instrument.bands[-1].max) == (lowest, highest)
    for lower, upper in zip(instrument.bands, instrument.bands[1:], strict=False):
        assert upper.min <= lower.max + 1
