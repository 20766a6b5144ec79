"""Interpretation of lab results: screens, ranges, specimen validity, `expected` and alerts.

Rules: docs/clinical-rules.md#labs; response codes: docs/api.md#labs. Values are Decimal (never
float) so a result exactly at a cutoff or limit compares exactly. Tests are catalog dicts
(`catalog.LAB_TESTS`, or rows with the same keys).

Choices where the reference leaves room (each pinned by a test):

- Critical limits are inclusive: a value at a critical limit is `critical` (value <= critical_low
  or >= critical_high), following "critical at or beyond a critical limit"; so hemoglobin 7.0 is
  critical although the catalog line reads "<7".
- hcv-rna ("detected above 0"): `positive` with flag `high` when value > 0, `negative` with flag
  `normal` at 0.
- A screen given both a value and a qualitative `positive`/`negative` must agree with the cutoff,
  otherwise it is refused; a qualitative result alone (or `inconclusive`) is taken as given.
- Ranged and validity tests take a number only; qualitative-only tests take no number.
- Specimen status rules that need a value not reported do not match; with no validity values at
  all (e.g. a blood panel) the status is `valid`.
- `not-tested` is a statement that an analyte was not read (a strip missing from the cup): it is
  stored as such, never as a negative, has `expected` null and raises nothing. An analyte nobody
  mentions gets no row at all.
- An adulterated, substituted or invalid specimen does not rewrite what was read: the reading
  stays stored as entered (`qualitative`, or the value), while what is *reported*
  (`interpretation`) is `inconclusive` with `expected` null, as the reference rules. The pages
  show both ("read positive, reported inconclusive") with the order's "recollect" notice
  (clinical-usability issue: a fentanyl positive shown only as "inconclusive" hid what the
  nurse saw).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .catalog import (
    CRITICAL,
    DETECT,
    HIGH,
    INCONCLUSIVE,
    LOW,
    NEGATIVE,
    NORMAL,
    NOT_TESTED,
    POSITIVE,
    QUALITATIVE_RESULTS,
    RANGED,
    SCREEN,
    VALIDITY,
    LabTestRow,
)
from .drug_screen import (
    ADULTERATED,
    BUPRENORPHINE_WITHOUT_METABOLITE,
    DILUTE,
    INVALID,
    METHADONE_WITHOUT_METABOLITE,
    RECOLLECT_STATUSES,
    SPECIMEN_STATUSES,
    SUBSTITUTED,
    VALID,
    apply_specimen_status,
    expected_for,
    expected_positive_screens,
    order_alerts,
    screen_expected,
    specimen_status,
)

# The result words and the drug-screen rules are defined beside this module (catalog.py,
# drug_screen.py) and importable from here, as they always were.
__all__ = [
    "ADULTERATED",
    "BUPRENORPHINE_WITHOUT_METABOLITE",
    "CRITICAL",
    "CRITICAL_VALUE",
    "DILUTE",
    "HIGH",
    "INCONCLUSIVE",
    "INVALID",
    "LOW",
    "METHADONE_WITHOUT_METABOLITE",
    "NEGATIVE",
    "NORMAL",
    "NOT_TESTED",
    "POSITIVE",
    "PREGNANCY_POSITIVE",
    "QTC_PROLONGED",
    "QUALITATIVE_RESULTS",
    "RECOLLECT_STATUSES",
    "SPECIMEN_STATUSES",
    "SUBSTITUTED",
    "VALID",
    "LabValueError",
    "apply_specimen_status",
    "critical_alerts",
    "display_number",
    "expected_for",
    "expected_positive_screens",
    "interpret_panel",
    "interpret_result",
    "order_alerts",
    "plain_number",
    "specimen_status",
    "to_decimal",
    "validate_value",
]

# The result columns store 4 decimal places; more would be rounded silently.
MAX_DECIMAL_PLACES = 4

# Alert codes a result raises by itself (the drug-screen ones are in drug_screen.py).
CRITICAL_VALUE = "critical-value"
PREGNANCY_POSITIVE = "pregnancy-positive"
QTC_PROLONGED = "qtc-prolonged"


class LabValueError(ValueError):
    """Results that cannot be interpreted. `errors` maps a test code to messages (DRF style)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(errors)


def to_decimal(raw: object) -> Decimal:
    """A finite Decimal from a Decimal, int, float or numeric string.

    TypeError for any other type (bool included), ValueError for text that is not a number and
    for NaN / infinity. Floats go through their shortest repr, so 1.003 becomes Decimal("1.003"),
    not the binary approximation just below it.
    """
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int | float | str):
        raise TypeError(f"not a number: {type(raw).__name__}")
    try:
        number = Decimal(raw) if isinstance(raw, Decimal | int) else Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not number.is_finite():
        raise ValueError("not a finite number")
    return number


def _decimal_places(value: Decimal) -> int:
    """Places after the point of a finite Decimal as written: 1.0300 -> 4, 520 -> 0."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def plain_number(value: Decimal | int | None) -> str:
    """520.0000 -> "520", 1.0300 -> "1.03", 1E+6 -> "1000000" (never exponent notation)."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):f}"
    return f"{value.normalize():f}"


def display_number(value: Decimal | int | None, decimals: int = 0) -> str:
    """A result as people read it: at least `decimals` places (hemoglobin 12 -> "12.0"), more
    only when the value has them (13.25 -> "13.25"), never storage padding (198.0000 -> "198")
    nor exponent notation."""
    if value is None:
        return ""
    plain = Decimal(plain_number(value))
    places = max(decimals, _decimal_places(plain))
    return f"{plain:.{places}f}"


def _bounds_message(test: LabTestRow) -> str:
    low, high = test["plausible_min"], test["plausible_max"]
    unit = f" {test['unit']}" if test["unit"] else ""
    if high is not None:
        return f"Must be between {plain_number(low)} and {plain_number(high)}{unit}."
    if low == 0:
        return "Must not be negative."
    return f"Must be at least {plain_number(low)}{unit}."


def _numeric_interpretation(test: LabTestRow, value: Decimal) -> str:
    """Screens: positive at or above the cutoff. hcv-rna: positive above `high` (0)."""
    if test["kind"] == DETECT:
        return POSITIVE if value > test["high"] else NEGATIVE
    return POSITIVE if value >= test["cutoff"] else NEGATIVE


def _value_errors(test: LabTestRow, value: Decimal | None, qualitative: str | None) -> list[str]:
    if value is None and qualitative is None:
        return ["Give a value or a qualitative result."]
    messages = []
    if qualitative is not None and (
        not isinstance(qualitative, str) or qualitative not in QUALITATIVE_RESULTS
    ):
        messages.append(
            "Qualitative result must be positive, negative, inconclusive or not-tested."
        )
        qualitative = None
    if value is not None and (
        isinstance(value, bool)
        or not isinstance(value, Decimal | int)
        or not Decimal(value).is_finite()
    ):
        messages.append("Value must be a number.")
        value = None
    if qualitative == NOT_TESTED:
        if value is not None:
            messages.append("A test that was not done has no value.")
        return messages
    if test["qualitative_only"]:
        if value is not None:
            messages.append(
                "This test is reported as positive, negative or inconclusive, not as a number."
            )
        return messages
    if test["kind"] in (RANGED, VALIDITY) and qualitative is not None:
        messages.append("This test is reported as a number, not as a qualitative result.")
    if value is None:
        return messages
    low, high = test["plausible_min"], test["plausible_max"]
    if (low is not None and value < low) or (high is not None and value > high):
        messages.append(_bounds_message(test))
    elif _decimal_places(Decimal(value)) > MAX_DECIMAL_PLACES and value != round(
        value, MAX_DECIMAL_PLACES
    ):
        messages.append(f"Give at most {MAX_DECIMAL_PLACES} decimal places.")
    elif (
        test["kind"] in (SCREEN, DETECT)
        and qualitative in (POSITIVE, NEGATIVE)
        and _numeric_interpretation(test, value) != qualitative
    ):
        messages.append(f"The qualitative result ({qualitative}) contradicts the value.")
    return messages


def validate_value(test: LabTestRow, value: Decimal | None, qualitative: str | None) -> None:
    """Refuse a result that cannot be interpreted; LabValueError names the test code."""
    messages = _value_errors(test, value, qualitative)
    if messages:
        raise LabValueError({test["code"]: messages})


def _flag(test: LabTestRow, value: Decimal) -> str:
    critical_low, critical_high = test["critical_low"], test["critical_high"]
    if (critical_low is not None and value <= critical_low) or (
        critical_high is not None and value >= critical_high
    ):
        return CRITICAL
    if test["low"] is not None and value < test["low"]:
        return LOW
    if test["high"] is not None and value > test["high"]:
        return HIGH
    return NORMAL


def interpret_result(
    test: LabTestRow, value: Decimal | None, qualitative: str | None
) -> tuple[str | None, str | None]:
    """(interpretation, flag) of one result, before the specimen status is applied.

    - screen: positive when value >= cutoff, else negative; a qualitative result as given; no flag.
    - qualitative: the qualitative result; no flag.
    - detect (hcv-rna): positive / flag high when value > 0, negative / flag normal at 0.
    - ranged: no interpretation; flag normal within [low, high], low / high outside, critical at
      or beyond a critical limit.
    - validity: neither (they decide the specimen status instead).
    """
    validate_value(test, value, qualitative)
    kind = test["kind"]
    if qualitative == NOT_TESTED:
        return NOT_TESTED, None
    if kind == VALIDITY:
        return None, None
    if value is None:  # validated: only a qualitative result of a screen or qualitative test
        return qualitative, None
    if kind == RANGED:
        return None, _flag(test, value)
    flag = None
    if kind == DETECT:
        flag = HIGH if _numeric_interpretation(test, value) == POSITIVE else NORMAL
    if qualitative is not None:
        return qualitative, flag
    return _numeric_interpretation(test, value), flag


def critical_alerts(test: LabTestRow, interpretation: str | None, flag: str | None) -> list[str]:
    """Alerts one result raises by itself.

    - `critical-value`: the flag is critical (any ranged test).
    - `pregnancy-positive`: hcg positive.
    - `qtc-prolonged`: qtc above its normal range (flag high or critical, i.e. > 450 ms). The plan
      warning `methadone-qtc` (>= 450 ms) is a separate rule on the value, not on this alert.
    """
    alerts = []
    if flag == CRITICAL:
        alerts.append(CRITICAL_VALUE)
    if test["code"] == "hcg" and interpretation == POSITIVE:
        alerts.append(PREGNANCY_POSITIVE)
    if test["code"] == "qtc" and flag in (HIGH, CRITICAL):
        alerts.append(QTC_PROLONGED)
    return alerts


def _parse_entries(
    tests_by_code: Mapping[str, LabTestRow], entries: Iterable[Mapping[str, Any]]
) -> list[tuple[LabTestRow, Decimal | None, str | None]]:
    errors: dict[str, list[str]] = {}
    parsed = []
    seen = set()
    for entry in entries:
        code = entry.get("test")
        if not isinstance(code, str) or not code:
            errors.setdefault("test", []).append("Each result needs a test code.")
            continue
        test = tests_by_code.get(code)
        if test is None:
            errors.setdefault(code, []).append("Unknown test.")
            continue
        if code in seen:
            errors.setdefault(code, []).append("Reported more than once.")
            continue
        seen.add(code)
        value = entry.get("value")
        qualitative = entry.get("qualitative")
        if value is not None:
            try:
                value = to_decimal(value)
            except (TypeError, ValueError):
                errors.setdefault(code, []).append("Value must be a number.")
                continue
        messages = _value_errors(test, value, qualitative)
        if messages:
            errors.setdefault(code, []).extend(messages)
            continue
        parsed.append((test, value, qualitative))
    if not parsed and not errors:
        errors["results"] = ["Give at least one result."]
    if errors:
        raise LabValueError(errors)
    return parsed


def interpret_panel(
    tests_by_code: Mapping[str, LabTestRow],
    entries: Iterable[Mapping[str, Any]],
    prescribed_drugs: Iterable[str] | None,
) -> dict[str, Any]:
    """Interpret one order's results together (the specimen status applies to all of them).

    `entries`: [{"test": code, "value"?: number, "qualitative"?: str}]; values may be Decimal,
    int, float or numeric strings. Every bad entry is reported at once in a LabValueError keyed by
    test code ("test" for an entry without a code, "results" when there are none).

    Returns {"specimen_status", "recollect_observed", "results": [{"test", "value", "unit",
    "qualitative", "interpretation", "flag", "expected", "alerts"}], "alerts": [codes]}, results
    in the order given, order alerts first then each result's alerts, without repeats.
    """
    parsed = _parse_entries(tests_by_code, entries)
    status = specimen_status(
        {test["code"]: value for test, value, _ in parsed if test["kind"] == VALIDITY}
    )
    expected_positive = expected_positive_screens(prescribed_drugs)
    results = []
    reported_screens = {}
    for test, value, qualitative in parsed:
        interpretation, flag = interpret_result(test, value, qualitative)
        expected = None
        if test["kind"] == SCREEN:
            interpretation, applies = apply_specimen_status(status, interpretation)
            expected = screen_expected(test["code"], interpretation, applies, expected_positive)
            reported_screens[test["code"]] = interpretation
        results.append(
            {
                "test": test["code"],
                "value": value,
                "unit": test["unit"],
                "qualitative": qualitative,
                "interpretation": interpretation,
                "flag": flag,
                "expected": expected,
                "alerts": critical_alerts(test, interpretation, flag),
            }
        )
    # On a specimen that may not be reliable a missing metabolite says nothing about spiking.
    alerts = [] if status in RECOLLECT_STATUSES else order_alerts(reported_screens)
    for result in results:
        alerts.extend(alert for alert in result["alerts"] if alert not in alerts)
    return {
        "specimen_status": status,
        "recollect_observed": status in RECOLLECT_STATUSES,
        "results": results,
        "alerts": alerts,
    }
