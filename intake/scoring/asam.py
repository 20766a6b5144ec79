"""ASAM Criteria dimensions (`asam`), docs/clinical-rules.md#asam-dimensions.

Six dimensions, each a risk rating 0-4. The total (0-24) is kept for trends only: the band is
the highest rating, and any rating of 4 raises `imminent-danger`. Each band's range lists the
totals it can occur with (highest rating r: totals r to 6r), so ranges overlap and the total
alone cannot pick the band; use `score` or `band_for_rating`.
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import Band, Instrument, ScoreResult, numbered_items

IMMINENT_DANGER = "imminent-danger"

RATINGS = (
    (0, "None"),
    (1, "Mild"),
    (2, "Moderate"),
    (3, "Significant"),
    (4, "Severe"),
)

#: Levels of care for a treatment plan's `asam_level` (The ASAM Criteria, 3rd edition).
ASAM_LEVELS = [
    ("0.5", "Early intervention"),
    ("1", "Outpatient services"),
    ("2.1", "Intensive outpatient"),
    ("2.5", "Partial hospitalization"),
    ("3.1", "Clinically managed low-intensity residential"),
    ("3.3", "Clinically managed population-specific high-intensity residential"),
    ("3.5", "Clinically managed high-intensity residential"),
    ("3.7", "Medically monitored intensive inpatient"),
    ("4", "Medically managed intensive inpatient"),
    ("otp", "Opioid treatment program"),
]


class AsamInstrument(Instrument):
    def score_cleaned(
        self, cleaned: Mapping[str, str], *, sex_at_birth: str | None = None
    ) -> ScoreResult:
        points = self.points(cleaned)
        highest = max(points.values())
        at_four = [key for key, rating in points.items() if rating == 4]
        return ScoreResult(
            total=sum(points.values()),
            band=self.band_for_rating(highest).code,
            alerts=(IMMINENT_DANGER,) if at_four else (),
            details={"highest_rating": highest, "imminent_danger_dimensions": at_four},
        )

    def band_for_rating(self, rating: int) -> Band:
        """The band for this highest dimension rating (0-4)."""
        if not 0 <= rating < len(self.bands):
            raise ValueError(f"{self.code}: rating {rating} is not between 0 and 4")
        return self.bands[rating]

    def band_for(self, total: int, *, sex_at_birth: str | None = None) -> Band:
        raise ValueError(
            f"{self.code}: the band follows the highest dimension rating, not the total; "
            "use score() or band_for_rating()."
        )


INSTRUMENT = AsamInstrument(
    code="asam",
    name="ASAM Criteria dimensions",
    version="1",
    description=(
        "Risk rating 0-4 in each of the six ASAM dimensions. The band is the highest rating; "
        "any rating of 4 means imminent danger."
    ),
    items=numbered_items(
        (
            "Acute intoxication and withdrawal potential.",
            "Biomedical conditions and complications.",
            "Emotional, behavioral or cognitive conditions.",
            "Readiness to change.",
            "Relapse or continued-use potential.",
            "Recovery and living environment.",
        ),
        RATINGS,
    ),
    bands=(
        Band("none", "None (every dimension 0)", 0, 0),
        Band("mild", "Mild (highest rating 1)", 1, 6),
        Band("moderate", "Moderate (highest rating 2)", 2, 12),
        Band("significant", "Significant (highest rating 3)", 3, 18),
        Band("severe", "Severe (highest rating 4)", 4, 24),
    ),
    alert_descriptions={
        IMMINENT_DANGER: (
            "A dimension is rated 4: imminent danger. Needs immediate attention and the most "
            "intensive suitable level of care."
        ),
    },
)
