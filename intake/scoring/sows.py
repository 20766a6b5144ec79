"""Subjective Opiate Withdrawal Scale (`sows`), docs/clinical-rules.md#sows.

Sixteen patient-rated symptoms, each 0-4 (Handelsman et al. 1987).
"""

from .base import Instrument, contiguous_bands, numbered_items

ANCHORS = (
    (0, "Not at all"),
    (1, "A little"),
    (2, "Moderately"),
    (3, "Quite a bit"),
    (4, "Extremely"),
)

INSTRUMENT = Instrument(
    code="sows",
    name="Subjective Opiate Withdrawal Scale (SOWS)",
    version="1",
    description="The patient rates how strongly they feel each of sixteen symptoms right now.",
    items=numbered_items(
        (
            "Anxiety.",
            "Yawning.",
            "Sweating.",
            "Watery eyes.",
            "Runny nose.",
            "Goosebumps.",
            "Shakiness.",
            "Hot flushes.",
            "Cold flushes.",
            "Aches in bones and muscles.",
            "Restlessness.",
            "Nausea.",
            "Feeling about to vomit.",
            "Twitching muscles.",
            "Cramps in the stomach.",
            "Urge to use right now.",
        ),
        ANCHORS,
    ),
    bands=contiguous_bands(
        ("none", "None", 0),
        ("mild", "Mild", 10),
        ("moderate", "Moderate", 20),
        ("severe", "Severe", 64),
    ),
)
