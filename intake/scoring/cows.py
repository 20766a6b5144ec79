"""Clinical Opiate Withdrawal Scale (`cows`), docs/clinical-rules.md#cows (Wesson & Ling 2003).

Eleven clinician-rated signs; each item allows only its published point values.
"""

from .base import Instrument, contiguous_bands, points_item

INSTRUMENT = Instrument(
    code="cows",
    name="Clinical Opiate Withdrawal Scale (COWS)",
    version="1",
    description=(
        "Clinician rating of eleven opioid withdrawal signs observed at the visit. "
        "Rate only what withdrawal explains, not a cold, allergies or recent exercise."
    ),
    items=(
        points_item(
            "1",
            "Resting pulse after the patient has sat or lain for one minute.",
            [
                (0, "Pulse 80 or below"),
                (1, "Pulse 81-100"),
                (2, "Pulse 101-120"),
                (4, "Pulse over 120"),
            ],
        ),
        points_item(
            "2",
            "Sweating over the last half hour, not explained by room temperature or activity.",
            [
                (0, "None"),
                (1, "Feels clammy or flushed"),
                (2, "Damp or flushed face"),
                (3, "Beads of sweat on face"),
                (4, "Sweat streaming off face"),
            ],
        ),
        points_item(
            "3",
            "Restlessness seen during the assessment.",
            [
                (0, "Sits still"),
                (1, "Some trouble sitting still"),
                (3, "Shifts often or moves limbs"),
                (5, "Cannot sit still for seconds"),
            ],
        ),
        points_item(
            "4",
            "Pupil size in room light.",
            [
                (0, "Normal or pinpoint"),
                (1, "Possibly larger than normal"),
                (2, "Moderately dilated"),
                (5, "Only a rim of iris visible"),
            ],
        ),
        points_item(
            "5",
            "Bone or joint aches that are new (ignore pain that was already there).",
            [
                (0, "None"),
                (1, "Mild general discomfort"),
                (2, "Severe general aching"),
                (4, "Rubbing joints or muscles, cannot stay still"),
            ],
        ),
        points_item(
            "6",
            "Runny nose or watery eyes, not from a cold or allergies.",
            [
                (0, "None"),
                (1, "Stuffy nose or moist eyes"),
                (2, "Runny nose or tearing"),
                (4, "Nose running or tears streaming constantly"),
            ],
        ),
        points_item(
            "7",
            "Stomach or bowel upset over the last half hour.",
            [
                (0, "None"),
                (1, "Stomach cramps"),
                (2, "Nausea or loose stool"),
                (3, "Vomiting or diarrhoea"),
                (5, "Repeated vomiting or diarrhoea"),
            ],
        ),
        points_item(
            "8",
            "Tremor of the hands held out in front.",
            [
                (0, "None"),
                (1, "Felt, not seen"),
                (2, "Slight visible tremor"),
                (4, "Marked tremor or twitching"),
            ],
        ),
        points_item(
            "9",
            "Yawning seen during the assessment.",
            [
                (0, "None"),
                (1, "Once or twice"),
                (2, "Three or more times"),
                (4, "Several times a minute"),
            ],
        ),
        points_item(
            "10",
            "Anxiety or irritability.",
            [
                (0, "None"),
                (1, "Reports feeling anxious or irritable"),
                (2, "Clearly anxious or irritable"),
                (4, "Too anxious or irritable to take part"),
            ],
        ),
        points_item(
            "11",
            "Gooseflesh on the skin.",
            [
                (0, "Smooth skin"),
                (3, "Raised hairs felt or seen on arms"),
                (5, "Marked gooseflesh"),
            ],
        ),
    ),
    bands=contiguous_bands(
        ("none", "No active withdrawal", 4),
        ("mild", "Mild", 12),
        ("moderate", "Moderate", 24),
        ("moderately-severe", "Moderately severe", 36),
        ("severe", "Severe", 48),
    ),
)
