"""Clinical Institute Withdrawal Assessment for Alcohol, revised (`ciwa-ar`),
docs/clinical-rules.md#ciwa-ar (Sullivan et al. 1989).

Ten clinician-rated items in published order: items 1-9 are rated 0-7 and item 10
(orientation) 0-4, every integer allowed, so the maximum is 67. The published form words only
some ratings (the anchors); a rating between two anchors is the clinician's judgement that the
sign lies between them, and scores its own number like any other.
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import Instrument, Item, contiguous_bands, points_item

# Most items are rated 0-7; orientation (item 10) only 0-4.
SIGN_TOP = 7
ORIENTATION_TOP = 4


def rated_item(key: str, text: str, anchors: Mapping[int, str], top: int = SIGN_TOP) -> Item:
    """An item offering every integer rating 0..top: the published anchors with their words,
    the ratings between them named by the anchors they lie between."""
    if 0 not in anchors or top not in anchors or max(anchors) != top:
        raise ValueError(f"item {key}: anchors must include 0 and {top} and stop there")
    anchored = sorted(anchors)
    options: list[tuple[int, str]] = []
    for rating in range(top + 1):
        if rating in anchors:
            options.append((rating, anchors[rating]))
            continue
        below = max(a for a in anchored if a < rating)
        above = min(a for a in anchored if a > rating)
        options.append((rating, f"Between {below} and {above}"))
    return points_item(key, text, options)


INSTRUMENT = Instrument(
    code="ciwa-ar",
    name="Clinical Institute Withdrawal Assessment for Alcohol, revised (CIWA-Ar)",
    version="1",
    description=(
        "Clinician rating of ten alcohol withdrawal signs and symptoms, by observation and by "
        "asking the patient. Rate what is present now; ratings between the worded anchors are "
        "allowed."
    ),
    items=(
        rated_item(
            "1",
            "Nausea and vomiting: ask whether they feel sick to the stomach or have vomited.",
            {
                0: "No nausea and no vomiting",
                1: "Mild nausea with no vomiting",
                4: "Intermittent nausea with dry heaves",
                7: "Constant nausea, frequent dry heaves and vomiting",
            },
        ),
        rated_item(
            "2",
            "Tremor: arms extended and fingers spread apart.",
            {
                0: "No tremor",
                1: "Not visible, but can be felt fingertip to fingertip",
                4: "Moderate, with arms extended",
                7: "Severe, even with arms not extended",
            },
        ),
        rated_item(
            "3",
            "Paroxysmal sweats.",
            {
                0: "No sweat visible",
                1: "Barely perceptible sweating, palms moist",
                4: "Beads of sweat obvious on the forehead",
                7: "Drenching sweats",
            },
        ),
        rated_item(
            "4",
            "Anxiety: ask whether they feel nervous; observe.",
            {
                0: "No anxiety, at ease",
                1: "Mildly anxious",
                4: "Moderately anxious, or guarded, so anxiety is inferred",
                7: "Equivalent to acute panic, as in severe delirium",
            },
        ),
        rated_item(
            "5",
            "Agitation: observe.",
            {
                0: "Normal activity",
                1: "Somewhat more than normal activity",
                4: "Moderately fidgety and restless",
                7: "Paces back and forth most of the interview, or constantly thrashes about",
            },
        ),
        rated_item(
            "6",
            "Tactile disturbances: ask about itching, pins and needles, burning, numbness, or "
            "bugs crawling on or under the skin.",
            {
                0: "None",
                1: "Very mild itching, pins and needles, burning or numbness",
                2: "Mild itching, pins and needles, burning or numbness",
                3: "Moderate itching, pins and needles, burning or numbness",
                4: "Moderately severe hallucinations",
                5: "Severe hallucinations",
                6: "Extremely severe hallucinations",
                7: "Continuous hallucinations",
            },
        ),
        rated_item(
            "7",
            "Auditory disturbances: ask whether sounds are harsher or frightening, or whether "
            "they hear things that are not there.",
            {
                0: "Not present",
                1: "Very mild harshness or ability to frighten",
                2: "Mild harshness or ability to frighten",
                3: "Moderate harshness or ability to frighten",
                4: "Moderately severe hallucinations",
                5: "Severe hallucinations",
                6: "Extremely severe hallucinations",
                7: "Continuous hallucinations",
            },
        ),
        rated_item(
            "8",
            "Visual disturbances: ask whether light is too bright or its colour different, "
            "whether it hurts the eyes, or whether they see things that are not there.",
            {
                0: "Not present",
                1: "Very mild sensitivity",
                2: "Mild sensitivity",
                3: "Moderate sensitivity",
                4: "Moderately severe hallucinations",
                5: "Severe hallucinations",
                6: "Extremely severe hallucinations",
                7: "Continuous hallucinations",
            },
        ),
        rated_item(
            "9",
            "Headache, fullness in head: ask whether the head feels different or as if there "
            "is a band around it (do not rate dizziness or light-headedness).",
            {
                0: "Not present",
                1: "Very mild",
                2: "Mild",
                3: "Moderate",
                4: "Moderately severe",
                5: "Severe",
                6: "Very severe",
                7: "Extremely severe",
            },
        ),
        rated_item(
            "10",
            "Orientation and clouding of sensorium: ask the date, the place and who they are.",
            {
                0: "Oriented and can do serial additions",
                1: "Cannot do serial additions or is uncertain about the date",
                2: "Disoriented for date by no more than 2 calendar days",
                3: "Disoriented for date by more than 2 calendar days",
                4: "Disoriented for place and/or person",
            },
            top=ORIENTATION_TOP,
        ),
    ),
    # ASAM Clinical Practice Guideline on Alcohol Withdrawal Management (2020); other sources
    # draw the lines elsewhere (8, 10, 15 or 20), this system uses ASAM's.
    bands=contiguous_bands(
        ("mild", "Mild withdrawal", 9),
        ("moderate", "Moderate withdrawal", 18),
        ("severe", "Severe withdrawal", 9 * SIGN_TOP + ORIENTATION_TOP),
    ),
)
