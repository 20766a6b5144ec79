"""DAST-10 drug use screen (`dast10`), docs/clinical-rules.md#dast-10 (Skinner 1982).

Ten yes/no items about the past 12 months. "yes" scores 1, except item 3 (always able to stop),
where "no" scores 1; the option points carry that, so the total is the plain sum.
"""

from .base import Instrument, contiguous_bands, yes_no_item

#: The one item where "no" is the answer that scores.
REVERSED_ITEM = "3"

TEXTS = (
    "Used drugs other than for medical reasons.",
    "Used more than one drug on the same occasion.",
    "Always able to stop using drugs when you wanted to.",
    "Had blackouts or flashbacks because of drug use.",
    "Felt bad or guilty about your drug use.",
    "A partner or parent complained about your drug use.",
    "Neglected your family because of drug use.",
    "Did something illegal to get drugs.",
    "Felt sick with withdrawal when you stopped taking drugs.",
    (
        "Had medical problems from drug use (for example memory loss, hepatitis, seizures or "
        "bleeding)."
    ),
)

INSTRUMENT = Instrument(
    code="dast10",
    name="Drug Abuse Screening Test (DAST-10)",
    version="1",
    description="Ten yes/no questions about drug use (not alcohol) in the past 12 months.",
    items=tuple(
        yes_no_item(str(n), text, yes_points=0, no_points=1)
        if str(n) == REVERSED_ITEM
        else yes_no_item(str(n), text)
        for n, text in enumerate(TEXTS, start=1)
    ),
    bands=contiguous_bands(
        ("none", "No problems reported", 0),
        ("low", "Low", 2),
        ("moderate", "Moderate", 5),
        ("substantial", "Substantial", 8),
        ("severe", "Severe", 10),
    ),
)
