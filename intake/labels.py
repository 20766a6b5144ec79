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

from collections.abc import Iterable

from django.db import models

from intake.models import (
    assessment,
    audit,
    break_glass,
    care_team,
    consent,
    episode,
    interview,
    lab,
    patient,
    staff,
    treatment_plan,
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
    patient,
    staff,
    treatment_plan,
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

# Plan safety warnings (CLINICAL_REFERENCE.md section 5): the short name a reviewer reads
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
PLAN_PART_NAMES = {
    "setting": "Setting",
    "asam_level": "ASAM level",
    "medically_supervised_detox": "Medically supervised detox",
    "hospitalize_for_detox": "Hospitalize for detox",
    "withdrawal_monitoring": "Withdrawal monitoring",
    "problems": "Problems",
    "review_date": "Review by",
    "medications": "Medications",
    "behavioral": "Behavioral components",
}


def plan_part_name(part: str) -> str:
    return PLAN_PART_NAMES.get(part) or humanize(part)


def medication_words(m: dict) -> str:
    text = (
        f"{label(m.get('drug'), 'DrugCode')} {m.get('dose', '')} {m.get('unit', '')} "
        f"{label(m.get('route'), 'MedicationRoute').lower()}, "
        f"{label(m.get('frequency'), 'Frequency').lower()}, from {m.get('start_date') or '—'}"
    )
    if m.get("end_date"):
        text += f" to {m['end_date']}"
    if m.get("indication"):
        text += f", for {m['indication']}"
    if m.get("taper"):
        steps = ", ".join(f"day {t.get('day')}: {t.get('dose')}" for t in m["taper"])
        text += f" (taper {steps})"
    return text


def behavioral_words(b: dict) -> str:
    targets = ", ".join(labels(b.get("targets"), "Target"))
    text = f"{label(b.get('modality'), 'Modality')} ({label(b.get('setting'), 'BehavioralSetting')}"
    text += f", {b['frequency']})" if b.get("frequency") else ")"
    return f"{text}: {targets}" if targets else text


def plan_part_words(part: str, value) -> str:
    """One part of a plan version's content as a clinician reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if part == "setting":
        return label(value, "PlanSetting")
    if part == "asam_level":
        return label(value, "AsamLevel")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if part == "withdrawal_monitoring" and isinstance(value, dict):
        text = f"{str(value.get('instrument', '')).upper()} every {value.get('every_hours')} hours"
        return f"{text}; {value['notes']}" if value.get("notes") else text
    if part == "problems" and isinstance(value, list):
        return "; ".join(
            f"{label(p.get('code'), 'ProblemCode')}: {p.get('description', '')}".rstrip(": ")
            for p in value
        )
    if part == "medications" and isinstance(value, list):
        return "; ".join(medication_words(m) for m in value)
    if part == "behavioral" and isinstance(value, list):
        return "; ".join(behavioral_words(b) for b in value)
    return str(value)


_ITEM_WORDS = {
    "medications": medication_words,
    "behavioral": behavioral_words,
    "problems": lambda p: plan_part_words("problems", [p]),
}


def plan_change(part: str, before, after) -> dict:
    """What changed in one part between two versions, in words: for a list (medications,
    behavioral components, problems) only the items that differ, and how many did not."""
    words = _ITEM_WORDS.get(part)
    if words is None or not isinstance(before or [], list) or not isinstance(after or [], list):
        return {
            "before": [plan_part_words(part, before)],
            "after": [plan_part_words(part, after)],
            "unchanged": 0,
        }
    old = [words(item) for item in before or []]
    new = [words(item) for item in after or []]
    remaining = list(new)
    removed = []
    for item in old:
        if item in remaining:
            remaining.remove(item)
        else:
            removed.append(item)
    return {
        "before": removed or ["—"],
        "after": remaining or ["—"],
        "unchanged": len(new) - len(remaining),
    }
