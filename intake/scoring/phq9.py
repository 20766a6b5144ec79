"""PHQ-9 depression questionnaire (`phq9`), docs/clinical-rules.md#phq-9.

Nine items over the last two weeks, each 0-3 (Kroenke, Spitzer & Williams 2001). Alert
`suicide-risk` when item 9 is 1 or more, whatever the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .base import Instrument, ScoreResult, contiguous_bands, numbered_items

#: Shared with GAD-7: how often over the last two weeks.
FREQUENCY_ANCHORS = (
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)

SUICIDE_RISK = "suicide-risk"
SELF_HARM_ITEM = "9"


class Phq9Instrument(Instrument):
    def score_cleaned(
        self, cleaned: Mapping[str, str], *, sex_at_birth: str | None = None
    ) -> ScoreResult:
        result = super().score_cleaned(cleaned, sex_at_birth=sex_at_birth)
        if self.points(cleaned)[SELF_HARM_ITEM] >= 1:
            result = replace(result, alerts=(SUICIDE_RISK,))
        return result


INSTRUMENT = Phq9Instrument(
    code="phq9",
    name="Patient Health Questionnaire-9 (PHQ-9)",
    version="1",
    description="How often, in the last two weeks, each of nine problems bothered the patient.",
    items=numbered_items(
        (
            "Losing interest in, or getting little enjoyment from, usual activities.",
            "Feeling low, depressed or without hope.",
            "Trouble getting to sleep or staying asleep, or sleeping too much.",
            "Feeling tired or short of energy.",
            "Little appetite, or eating too much.",
            "Thinking badly of yourself, or that you have failed yourself or your family.",
            "Hard to concentrate, for example on reading or watching television.",
            (
                "Moving or speaking so slowly that others could notice, or the opposite: so "
                "fidgety or restless that you move around much more than usual."
            ),
            "Thoughts that you would be better off dead, or of hurting yourself in some way.",
        ),
        FREQUENCY_ANCHORS,
    ),
    bands=contiguous_bands(
        ("minimal", "Minimal", 4),
        ("mild", "Mild", 9),
        ("moderate", "Moderate", 14),
        ("moderately-severe", "Moderately severe", 19),
        ("severe", "Severe", 27),
    ),
    alert_descriptions={
        SUICIDE_RISK: (
            "Thoughts of death or self-harm reported (item 9 at 1 or more). Shown at once and "
            "kept on the chart until a clinician records a safety assessment."
        ),
    },
)
