"""Vital signs of adults: the plausible limits and the flag of each value, as
docs/clinical-rules.md#vital-signs tabulates them. Pure rules, no
database: the service, the form and the tests call them.

The thresholds are in one table, MEASURES. Each boundary of §8 is inclusive as written, so a
range "80–89" low followed by "90–139" normal is stored as the value where the next band
starts: `normal_from` 90. Values are whole numbers except temperature (tenths of a degree),
weight and height (tenths), so "35.0–35.9 low, 36.0–37.9 normal" leaves no gap: 35.9 is the
last low tenth. Respiratory rate "critical > 28" is `critical_from` 29.

Weight, height and pain carry no flag (§8 gives them none): they are absent from `flags`,
which holds a flag for every flagged measure recorded and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

NORMAL, LOW, HIGH, CRITICAL = "normal", "low", "high", "critical"
CRITICAL_VITAL = "critical-vital"


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    plausible_low: Decimal
    plausible_high: Decimal
    # Digits after the decimal point the value may have (0: a whole number).
    places: int = 0
    # Below this: critical. Below `normal_from`: low. From `high_from`: high. From
    # `critical_from`: critical. None: §8 has no such band.
    critical_below: Decimal | None = None
    normal_from: Decimal | None = None
    high_from: Decimal | None = None
    critical_from: Decimal | None = None

    @property
    def flagged(self) -> bool:
        return self.normal_from is not None

    @property
    def plausible_text(self) -> str:
        return f"{self.plausible_low}–{self.plausible_high} {self.unit}".strip()


def _d(text: str) -> Decimal:
    return Decimal(text)


def _m(
    code: str, label: str, unit: str, limits: tuple[str, str], *bands: str | None, places: int = 0
) -> Measure:
    low, high = limits
    cuts = [None if b is None else _d(b) for b in (*bands, None, None, None, None)[:4]]
    return Measure(code, label, unit, _d(low), _d(high), places, *cuts)


# measure: plausible limits; critical below, normal from, high from, critical from (§8).
MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        _m("systolic", "Systolic blood pressure", "mmHg", ("40", "300"), "80", "90", "140", "180"),
        _m("diastolic", "Diastolic blood pressure", "mmHg", ("20", "200"), "40", "60", "90", "120"),
        _m("heart_rate", "Heart rate", "/min", ("20", "300"), "40", "60", "101", "130"),
        _m("respiratory_rate", "Respiratory rate", "/min", ("2", "80"), "10", "12", "21", "29"),
        _m(
            "temperature_c",
            "Temperature",
            "°C",
            ("25.0", "45.0"),
            "35.0",
            "36.0",
            "38.0",
            "39.0",
            places=1,
        ),
        _m("spo2", "Oxygen saturation (SpO2)", "%", ("50", "100"), "90", "95", None, None),
        _m("weight_kg", "Weight", "kg", ("2", "350"), places=1),
        _m("height_cm", "Height", "cm", ("40", "250"), places=1),
        _m("pain", "Pain score", "", ("0", "10")),
    )
}
MEASURE_CODES: tuple[str, ...] = tuple(MEASURES)
FLAGGED_CODES: tuple[str, ...] = tuple(code for code, m in MEASURES.items() if m.flagged)


def flag(code: str, value: Decimal | int) -> str | None:
    """The flag of one plausible value; None for a measure §8 does not flag."""
    m = MEASURES[code]
    if not m.flagged:
        return None
    v = Decimal(value)
    if m.critical_below is not None and v < m.critical_below:
        return CRITICAL
    if m.critical_from is not None and v >= m.critical_from:
        return CRITICAL
    if m.normal_from is not None and v < m.normal_from:
        return LOW
    if m.high_from is not None and v >= m.high_from:
        return HIGH
    return NORMAL


def flags(values: Mapping[str, Decimal | int | None]) -> dict[str, str]:
    """{measure: flag} for each flagged measure recorded, in table order."""
    found: dict[str, str] = {}
    for code in FLAGGED_CODES:
        value = values.get(code)
        if value is not None:
            result = flag(code, value)
            if result is not None:
                found[code] = result
    return found


def alerts(found_flags: dict[str, str]) -> list[str]:
    """The measures whose value is critical: each raises one `critical-vital` alert."""
    return [code for code, f in found_flags.items() if f == CRITICAL]


# COWS item 1 (resting pulse) may be taken from a heart rate recorded this recently.
COWS_PULSE_WITHIN_MINUTES = 15


def cows_pulse_points(heart_rate: int) -> int:
    """The points of COWS item 1 for a resting pulse (docs/clinical-rules.md#cows): 80 or
    below 0, 81–100 1, 101–120 2, over 120 4."""
    if heart_rate <= 80:
        return 0
    if heart_rate <= 100:
        return 1
    return 2 if heart_rate <= 120 else 4


def value_error(code: str, value: object) -> str | None:
    """Why `value` cannot be recorded as `code` (wrong type, too precise, not plausible)."""
    m = MEASURES[code]
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "Give a number." if m.places else "Give a whole number."
    try:
        # A float by its shortest spelling: 36.8 is 36.8, not 36.79999…
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        finite = number.is_finite()
    except (InvalidOperation, ValueError):
        finite = False
    if not finite:
        return "Give a number."
    if not m.plausible_low <= number <= m.plausible_high:
        return f"Outside the plausible range ({m.plausible_text}): check the reading and the unit."
    if m.places == 0 and number != number.to_integral_value():
        return "Give a whole number."
    if m.places and number != round(number, m.places):
        return f"Give at most {m.places} decimal place."
    return None


def errors(values: dict[str, object]) -> dict[str, list[str]]:
    """Every reason the measures of one set of vital signs cannot be recorded, by field:
    each value's own, systolic without diastolic (or the reverse), and no measure at all."""
    found: dict[str, list[str]] = {}
    given = {code: v for code, v in values.items() if code in MEASURES and v is not None}
    for code, value in given.items():
        message = value_error(code, value)
        if message:
            found[code] = [message]
    for one, other in (("systolic", "diastolic"), ("diastolic", "systolic")):
        if one in given and other not in given:
            found.setdefault(other, []).append(
                "Record systolic and diastolic blood pressure together."
            )
    if not given:
        found["__all__"] = ["Record at least one measure."]
    return found
