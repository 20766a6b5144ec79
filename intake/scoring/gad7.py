"""GAD-7 anxiety questionnaire (`gad7`), docs/clinical-rules.md#gad-7.

Seven items over the last two weeks, same 0-3 options as PHQ-9 (Spitzer et al. 2006).
"""

from .base import Instrument, contiguous_bands, numbered_items
from .phq9 import FREQUENCY_ANCHORS

INSTRUMENT = Instrument(
    code="gad7",
    name="Generalized Anxiety Disorder-7 (GAD-7)",
    version="1",
    description="How often, in the last two weeks, each of seven problems bothered the patient.",
    items=numbered_items(
        (
            "Feeling nervous, anxious or keyed up.",
            "Unable to stop worrying or keep it under control.",
            "Worrying too much about many different things.",
            "Finding it hard to relax.",
            "So restless that sitting still is hard.",
            "Getting annoyed or irritated easily.",
            "Feeling afraid that something terrible might happen.",
        ),
        FREQUENCY_ANCHORS,
    ),
    bands=contiguous_bands(
        ("minimal", "Minimal", 4),
        ("mild", "Mild", 9),
        ("moderate", "Moderate", 14),
        ("severe", "Severe", 21),
    ),
)
