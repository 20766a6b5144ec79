"""The medications a patient takes now, which urine drug screens are judged against
(`LabResult.expected`): the active plan's lines, or before any plan what the intake interview
recorded in free text."""

from __future__ import annotations

import datetime
import re

from intake.models import Interview, Patient, PlanMedication

# Current medications ---------------------------------------------------------------------------

# Medication code (docs/clinical-rules.md#medicines) -> how clinicians write it. Checked in this
# order, and a matched span is blanked out, so "buprenorphine-naloxone" is not also read as
# plain buprenorphine.
_MEDICATION_PATTERNS = (
    (
        "buprenorphine-xr",
        r"buprenorphine[\s-]*(?:xr|er|extended[\s-]*release)\b|\bsublocade\b|\bbrixadi\b",
    ),
    (
        "buprenorphine-naloxone",
        r"buprenorphine\s*(?:-|/|\+|\band\b|\bwith\b)?\s*naloxone\b|\bsuboxone\b|\bzubsolv\b"
        r"|\bbunavail\b",
    ),
    ("buprenorphine", r"\bbuprenorphine\b|\bsubutex\b"),
    ("methadone", r"\bmethadone\b|\bmethadose\b|\bdolophine\b"),
)
_MEDICATION_RES = tuple((code, re.compile(pattern)) for code, pattern in _MEDICATION_PATTERNS)
# A clause that says the drug is not taken now ("stopped methadone in 2019", "no suboxone").
_CLAUSE_SPLIT = re.compile(r"[.;,\n]|\bbut\b|\bnow\b")
_NEGATION = re.compile(
    r"\b(?:no|not|denies|denied|stopped|discontinued|quit|off|former|formerly|previously|past"
    r"|history of|hx of)\b"
)


def medication_codes_from_text(text: str) -> set[str]:
    """Medication codes named in free text, skipping a mention its clause negates before it."""
    codes: set[str] = set()
    for clause in _CLAUSE_SPLIT.split((text or "").lower()):
        for code, pattern in _MEDICATION_RES:
            for match in pattern.finditer(clause):
                if not _NEGATION.search(clause[: match.start()]):
                    codes.add(code)
            clause = pattern.sub(lambda m: " " * len(m.group()), clause)
    return codes


def current_medication_codes(
    *, patient: Patient, collected_on: datetime.date | None = None
) -> set[str]:
    """The medication codes drug screens are judged against (`expected`).

    The active plan's medications when it has any (docs/clinical-rules.md#expected-results),
    counting a line only for a specimen collected from the day after its start date through its
    end date: a specimen taken on the start date may precede the first dose, so a negative then
    is not "unexpected", and after the end date the drug is no longer prescribed.
    `collected_on` None (no collection date) counts every line. Before any plan with
    medications is signed, the `current_medications` the latest intake interview recorded (a
    patient transferring on buprenorphine from elsewhere). One or two queries."""
    lines = list(
        PlanMedication.objects.filter(plan__patient=patient, plan__status="active").values_list(
            "drug", "start_date", "end_date"
        )
    )
    if lines:
        return {
            drug
            for drug, start, end in lines
            if collected_on is None
            or (start < collected_on and (end is None or collected_on <= end))
        }
    text = (
        Interview.objects.filter(patient=patient)
        .order_by("-interviewed_on", "-created_at")
        .values_list("current_medications", flat=True)
        .first()
    )
    return medication_codes_from_text(text or "")
