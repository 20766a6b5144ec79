"""Urine drug screens: whether the specimen can be trusted, what the prescribed medications
should turn positive (`expected`), and the metabolite alerts that suggest a spiked sample.

Rules: docs/clinical-rules.md#specimen-validity and docs/clinical-rules.md#expected-results.
`intake.labs.interpret` applies them to a panel (and re-exports these names, which older
callers import from there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from .catalog import (
    CREATININE,
    DRUG_SCREEN_FOR_MEDICATION,
    INCONCLUSIVE,
    NEGATIVE,
    NOT_TESTED,
    PH,
    POSITIVE,
    SCREEN,
    SPECIFIC_GRAVITY,
    SPECIMEN_TEMPERATURE,
    TESTS_BY_CODE,
)

VALID = "valid"
DILUTE = "dilute"
SUBSTITUTED = "substituted"
ADULTERATED = "adulterated"
INVALID = "invalid"
SPECIMEN_STATUSES = (VALID, DILUTE, SUBSTITUTED, ADULTERATED, INVALID)
# The readings may not be reliable: `expected` is null and the chart asks for an observed
# recollection.
RECOLLECT_STATUSES = frozenset({ADULTERATED, SUBSTITUTED, INVALID})

# Specimen validity thresholds (after the HHS Mandatory Guidelines for urine testing).
PH_ADULTERATED_BELOW = Decimal(4)
PH_ADULTERATED_FROM = Decimal(11)
PH_INVALID_LOW_BELOW = Decimal("4.5")  # invalid: 4 <= pH < 4.5
PH_INVALID_HIGH_FROM = Decimal(9)  # invalid: 9 <= pH < 11
CREATININE_SUBSTITUTED_BELOW = Decimal(2)
CREATININE_DILUTE_BELOW = Decimal(20)
SG_LOW = Decimal("1.0010")  # at or below: substituted (creatinine < 2) or invalid
SG_SUBSTITUTED_FROM = Decimal("1.0200")
SG_DILUTE_BELOW = Decimal("1.0030")
TEMPERATURE_MIN = Decimal(32)  # °C, inclusive
TEMPERATURE_MAX = Decimal(38)  # °C, inclusive

# Alert codes.
BUPRENORPHINE_WITHOUT_METABOLITE = "buprenorphine-without-metabolite"
METHADONE_WITHOUT_METABOLITE = "methadone-without-metabolite"

# Parent drug screen -> metabolite screen, and the alert when the parent shows without it.
_METABOLITE_ALERTS = (
    ("buprenorphine", "norbuprenorphine", BUPRENORPHINE_WITHOUT_METABOLITE),
    ("methadone", "eddp", METHADONE_WITHOUT_METABOLITE),
)


def _creatinine_sg_status(creatinine: Decimal | None, sg: Decimal | None) -> str | None:
    """What creatinine and specific gravity say together (substituted, invalid or dilute), or
    None when they say nothing (or one of them was not reported)."""
    if creatinine is None or sg is None:
        return None
    if creatinine < CREATININE_SUBSTITUTED_BELOW:
        return SUBSTITUTED if sg <= SG_LOW or sg >= SG_SUBSTITUTED_FROM else INVALID
    if sg <= SG_LOW:
        return INVALID
    if creatinine < CREATININE_DILUTE_BELOW and sg < SG_DILUTE_BELOW:
        return DILUTE
    return None


def specimen_status(values: Mapping[str, Decimal | None]) -> str:
    """Status of a urine specimen from the validity values reported (other keys are ignored).

    Rules in order, first match wins; a rule needing a value that is missing does not match:
    1. adulterated: pH < 4 or pH >= 11.
    2. substituted: creatinine < 2 and (SG <= 1.0010 or SG >= 1.0200).
    3. invalid: 4 <= pH < 4.5 or 9 <= pH < 11; creatinine < 2 with 1.0010 < SG < 1.0200;
       creatinine >= 2 with SG <= 1.0010; temperature outside 32-38 °C (inclusive range).
    4. dilute: 2 <= creatinine < 20 and 1.0010 < SG < 1.0030.
    5. valid.
    """
    ph = values.get(PH)
    temperature = values.get(SPECIMEN_TEMPERATURE)
    creatinine_and_sg = _creatinine_sg_status(values.get(CREATININE), values.get(SPECIFIC_GRAVITY))

    if ph is not None and (ph < PH_ADULTERATED_BELOW or ph >= PH_ADULTERATED_FROM):
        return ADULTERATED
    if creatinine_and_sg == SUBSTITUTED:
        return SUBSTITUTED
    if (
        creatinine_and_sg == INVALID
        or (
            ph is not None
            and (
                PH_ADULTERATED_BELOW <= ph < PH_INVALID_LOW_BELOW
                or PH_INVALID_HIGH_FROM <= ph < PH_ADULTERATED_FROM
            )
        )
        or (temperature is not None and not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX)
    ):
        return INVALID
    return DILUTE if creatinine_and_sg == DILUTE else VALID


def apply_specimen_status(status: str, interpretation: str | None) -> tuple[str | None, bool]:
    """(reported interpretation, whether `expected` applies) for a drug screen result.

    adulterated / substituted / invalid: reported `inconclusive`, `expected` null (the reading
    itself is kept in `qualitative` / the value; the order's status asks for a recollection).
    dilute: a negative stays `negative` with `expected` null; a positive stands.
    valid: unchanged.
    not-tested: stays not-tested, `expected` null whatever the status.
    When the second item is False, `expected` must be null.
    """
    if interpretation == NOT_TESTED:
        return NOT_TESTED, False
    if status in RECOLLECT_STATUSES:
        return INCONCLUSIVE, False
    if status == DILUTE and interpretation == NEGATIVE:
        return NEGATIVE, False
    if status in (VALID, DILUTE):
        return interpretation, True
    raise ValueError(f"Unknown specimen status: {status!r}")


def expected_positive_screens(prescribed_drugs: Iterable[str] | None) -> frozenset[str]:
    """The screens the prescribed medications should turn positive."""
    return frozenset(
        screen
        for drug in prescribed_drugs or ()
        for screen in DRUG_SCREEN_FOR_MEDICATION.get(drug, ())
    )


def screen_expected(
    code: str, reported: str | None, applies: bool, expected_positive: frozenset[str]
) -> bool | None:
    """Does the reported screen result match what the medications predict (None: no answer)?"""
    if not applies or reported not in (POSITIVE, NEGATIVE):
        return None
    return (reported == POSITIVE) == (code in expected_positive)


def expected_for(
    test_code: str,
    interpretation: str | None,
    prescribed_drugs: Iterable[str] | None,
    specimen_status: str,
) -> bool | None:
    """Whether a drug screen result matches the active plan's medications.

    A screen the prescribed drugs map to (DRUG_SCREEN_FOR_MEDICATION) is expected positive, any
    other screen negative. True when the result matches, False when not; None for tests that are
    not drug screens, inconclusive and not-tested results, and results the specimen status voids
    (see `apply_specimen_status`). `interpretation` may be given before or after the status is
    applied.
    """
    test = TESTS_BY_CODE.get(test_code)
    if test is None or test["kind"] != SCREEN:
        return None
    reported, applies = apply_specimen_status(specimen_status, interpretation)
    return screen_expected(
        test_code, reported, applies, expected_positive_screens(prescribed_drugs)
    )


def order_alerts(results: Mapping[str, str | None]) -> list[str]:
    """Alerts on the order from test code -> reported interpretation.

    `buprenorphine-without-metabolite`: buprenorphine positive, norbuprenorphine negative (the
    sample may have been spiked); `methadone-without-metabolite`: methadone positive, eddp
    negative. A metabolite not reported, or inconclusive, raises nothing.
    """
    return [
        alert
        for parent, metabolite, alert in _METABOLITE_ALERTS
        if results.get(parent) == POSITIVE and results.get(metabolite) == NEGATIVE
    ]
