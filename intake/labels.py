"""Clinical words for stored codes: the one place a code becomes what a screen or a printout
shows. Codes stay the API's and the database's ("coping-cravings", "q6h-prn"); people read
labels ("Coping skills for cravings", "Every 6 hours as needed").

`label(code, kind)` looks the code up in the TextChoices named `kind` ("Target", "Frequency",
...) or in one of the code lists stored as JSON that have no TextChoices (plan warnings,
problem categories, assessment alerts, medication routes). `band_label(code, instrument)`
names a severity band of an instrument. Templates use the `label`/`band_label` filters
(intake/templatetags/clinical.py); the plan PDF calls these functions directly. JSON and FHIR
exports keep the codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from intake import limits
from intake.models import (
    assessment,
    audit,
    break_glass,
    care_team,
    consent,
    episode,
    interview,
    lab,
    medication_administration,
    patient,
    staff,
    treatment_plan,
    withdrawal_review,
)

_MODULES = (
    assessment,
    audit,
    break_glass,
    care_team,
    consent,
    episode,
    interview,
    lab,
    medication_administration,
    patient,
    staff,
    treatment_plan,
    withdrawal_review,
)


def _choice_classes() -> dict[str, type[models.TextChoices]]:
    found: dict[str, type[models.TextChoices]] = {}
    for module in _MODULES:
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, models.TextChoices)
                and value is not models.TextChoices
                and value.__module__ == module.__name__
            ):
                found[name] = value
    return found


CHOICES = _choice_classes()

# Plan safety warnings (docs/clinical-rules.md#plan-safety-warnings): the short name shown
# beside the warning's own message.
WARNING_LABELS = {
    "buprenorphine-induction-cows": "Buprenorphine induction without a COWS of 8 or more",
    "buprenorphine-induction-timing": "Buprenorphine induction too soon after the last opioid",
    "methadone-qtc": "Methadone and the QTc",
    "methadone-first-dose": "Methadone first dose above the limit",
    "naltrexone-opioid-free": "Naltrexone without an opioid-free period",
    "sedative-with-agonist": "Sedative use with an opioid agonist",
    "pregnancy-review": "Pregnancy: review the medication choice",
    "liver-enzymes": "Raised liver enzymes",
    "no-naloxone": "No naloxone rescue kit",
    "dose-range": "Dose outside the usual range",
    "qt-prolonging-drug": "QT-prolonging medicine and the QTc",
    "agonist-duplication": "Methadone and buprenorphine together",
    "nsaid-low-platelets": "Ibuprofen with low platelets",
}

# Assessment safety alerts (intake.models.assessment.SAFETY_ALERTS).
ALERT_LABELS = {
    "suicide-risk": "Suicide risk",
    "imminent-danger": "Imminent danger",
}

# Medication routes (intake.formulary).
ROUTE_LABELS = {
    "oral": "Oral",
    "sublingual": "Sublingual",
    "subcutaneous": "Subcutaneous injection",
    "intramuscular": "Intramuscular injection",
    "intranasal": "Intranasal",
}

_EXTRA: dict[str, dict[str, str]] = {
    "MonitoringScale": limits.MONITORING_SCALES,
    "Warning": WARNING_LABELS,
    "Alert": ALERT_LABELS,
    "MedicationRoute": ROUTE_LABELS,
}


def _table(kind: str) -> dict[str, str]:
    if kind in _EXTRA:
        return _EXTRA[kind]
    choices = CHOICES.get(kind)
    if choices is None:
        raise KeyError(f"no code list named {kind!r}")
    return {value: str(text) for value, text in choices.choices}


def humanize(code: str) -> str:
    """The fallback for a code no list knows (a stored value older than its list): words,
    not the hyphenated code."""
    text = str(code).replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(code, kind: str) -> str:
    """The clinical words for `code` in the code list `kind`; "" for an empty code."""
    if code is None or code == "":
        return ""
    found = _table(kind).get(str(code))
    return found if found is not None else humanize(code)


def labels(codes: Iterable, kind: str) -> list[str]:
    return [label(c, kind) for c in codes or ()]


def band_label(code, instrument: str, *, short: bool = False) -> str:
    """A severity band's name, e.g. "Moderately severe (15-19)"; `short` drops the range."""
    if not code:
        return ""
    from intake.scoring.registry import get_instrument

    try:
        text = get_instrument(str(instrument)).band(str(code)).label
    except (KeyError, ValueError, LookupError):
        text = humanize(code)
    if short and " (" in text:
        text = text.split(" (", 1)[0]
    return text


# A plan version's content (services.treatment_plan.treatment_plan_content) in words: the
# "changes from the previous version" table compares these, not the stored structures.


def monitoring_words(monitoring: Mapping[str, Any] | None) -> str:
    """A plan's withdrawal-monitoring schedule in words, the same on the page, in the diff of
    two versions and in the PDF: "COWS every 4 hours; buprenorphine induction at COWS 12 or
    more" ("none" when there is none)."""
    if not monitoring:
        return "none"
    scale = label(monitoring.get("instrument"), "MonitoringScale")
    words = f"{scale} every {monitoring.get('every_hours')} hours"
    if monitoring.get("induction_threshold") is not None:
        words += f"; buprenorphine induction at COWS {monitoring['induction_threshold']} or more"
    return words
