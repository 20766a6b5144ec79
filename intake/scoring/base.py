"""Building blocks shared by every instrument: items, options, bands, validation and scoring.

Pure Python on purpose (no Django, no database): an instrument is a frozen value, and scoring is a
function of the answers alone, so a stored assessment can always be re-scored with the version it
was scored with. Scoring rules come from docs/clinical-rules.md#instruments.

The default instrument scores "sum of option points, band by total range"; instruments whose rule
differs subclass `Instrument` and override `score_cleaned` (and `band_for` where the total alone
does not decide the band).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    points: int


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    options: tuple[Option, ...]

    def option(self, value: str) -> Option:
        """The option with this value; KeyError if there is none."""
        for option in self.options:
            if option.value == value:
                return option
        raise KeyError(value)


@dataclass(frozen=True)
class Band:
    """A named band of totals; `min` and `max` are inclusive."""

    code: str
    label: str
    min: int
    max: int

    def contains(self, total: int) -> bool:
        return self.min <= total <= self.max


@dataclass(frozen=True)
class ScoreResult:
    total: int
    band: str
    alerts: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict, hash=False)


class AnswerError(ValueError):
    """Answers that cannot be scored. `errors` maps an item key (or "answers") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(errors)


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    version: str
    description: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    alert_descriptions: dict[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        keys = [item.key for item in self.items]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.code}: duplicate item keys")
        for item in self.items:
            values = [option.value for option in item.options]
            if not values or len(set(values)) != len(values):
                raise ValueError(f"{self.code}: item {item.key} needs distinct option values")
        codes = [band.code for band in self.bands]
        if not codes or len(set(codes)) != len(codes):
            raise ValueError(f"{self.code}: band codes must be present and distinct")
        for lower, upper in zip(self.bands, self.bands[1:], strict=False):
            if lower.min > upper.min or lower.max > upper.max:
                raise ValueError(f"{self.code}: bands must be in increasing order")

    # Lookups

    def item(self, key: str) -> Item:
        """The item with this key; KeyError if there is none."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def band(self, code: str) -> Band:
        """The band with this code; KeyError if there is none."""
        for band in self.bands:
            if band.code == code:
                return band
        raise KeyError(code)

    # Validation and scoring

    def validate(self, answers: Mapping[str, object]) -> dict[str, str]:
        """Return the answers as {key: option value} in item order, or raise AnswerError.

        Every problem is reported at once: unknown keys, unanswered items (missing, None or "")
        and values that are not one of the item's option values. Integer values are accepted
        and read as their decimal string, so 2 and "2" are the same answer.
        """
        if not isinstance(answers, Mapping):
            raise AnswerError({"answers": ["Expected an object mapping item keys to answers."]})
        errors: dict[str, list[str]] = {}
        cleaned: dict[str, str] = {}
        for item in self.items:
            value = answers.get(item.key)
            if value is None or value == "":
                errors[item.key] = ["This item is required."]
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str) or value not in {o.value for o in item.options}:
                choices = ", ".join(option.value for option in item.options)
                errors[item.key] = [
                    f"'{value}' is not a valid choice for this item; choose one of {choices}."
                ]
                continue
            cleaned[item.key] = value
        known = {item.key for item in self.items}
        for key in answers:
            if key not in known:
                errors.setdefault(str(key), []).append("Unknown item.")
        if errors:
            raise AnswerError(errors)
        return cleaned

    def points(self, cleaned: Mapping[str, str]) -> dict[str, int]:
        """Points of each answer in already validated answers."""
        return {item.key: item.option(cleaned[item.key]).points for item in self.items}

    def score(
        self, answers: Mapping[str, object], *, sex_at_birth: str | None = None
    ) -> ScoreResult:
        """Validate the answers, then score them."""
        return self.score_cleaned(self.validate(answers), sex_at_birth=sex_at_birth)

    def score_cleaned(
        self, cleaned: Mapping[str, str], *, sex_at_birth: str | None = None
    ) -> ScoreResult:
        """Score answers that `validate` returned. Default: sum of points, band by total."""
        total = sum(self.points(cleaned).values())
        return ScoreResult(total=total, band=self.band_for(total, sex_at_birth=sex_at_birth).code)

    def band_for(self, total: int, *, sex_at_birth: str | None = None) -> Band:
        """The band whose range holds this total; ValueError if none does."""
        for band in self.bands:
            if band.contains(total):
                return band
        raise ValueError(f"{self.code}: total {total} is outside every band")


# Helpers to declare items


def yes_no_item(key: str, text: str, *, yes_points: int = 1, no_points: int = 0) -> Item:
    """A yes/no item; option values are "yes" and "no"."""
    return Item(
        key=key,
        text=text,
        options=(Option("yes", "Yes", yes_points), Option("no", "No", no_points)),
    )


def points_item(key: str, text: str, anchors: Iterable[tuple[int, str]]) -> Item:
    """An item whose option values are the option points as strings, e.g. "0", "1", "3", "5"."""
    return Item(
        key=key,
        text=text,
        options=tuple(Option(str(points), label, points) for points, label in anchors),
    )


def contiguous_bands(*bands: tuple[str, str, int]) -> tuple[Band, ...]:
    """Bands of totals from 0, each given as (code, label, highest total): each starts one above
    the top of the one before, and its label ends with its range, "Mild (5-9)" or "None (0)"."""
    result = []
    low = 0
    for code, label, high in bands:
        span = f"{low}" if low == high else f"{low}-{high}"
        result.append(Band(code, f"{label} ({span})", low, high))
        low = high + 1
    return tuple(result)


def numbered_items(texts: Iterable[str], anchors: Iterable[tuple[int, str]]) -> tuple[Item, ...]:
    """Items keyed "1".."N" in the order given, all sharing the same point anchors."""
    anchors = tuple(anchors)
    return tuple(points_item(str(n), text, anchors) for n, text in enumerate(texts, start=1))
