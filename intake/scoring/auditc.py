"""AUDIT-C alcohol screen (`auditc`), docs/clinical-rules.md#audit-c (Bush et al. 1998).

Three items, each 0-4. Positive at 4 or more when sex at birth is male, at 3 or more otherwise
(female, intersex, unknown or not recorded). Both bands are listed with the totals they can
hold for some patient, so their ranges overlap at 3; `band_for` decides with the sex at birth.
"""

from __future__ import annotations

from .base import Band, Instrument, points_item

SEX_AT_BIRTH_CODES = ("female", "male", "intersex", "unknown")
MALE_THRESHOLD = 4
OTHER_THRESHOLD = 3


def positive_threshold(sex_at_birth: str | None) -> int:
    """Lowest positive total for a patient of this sex at birth; ValueError for unknown codes."""
    if sex_at_birth is not None and sex_at_birth not in SEX_AT_BIRTH_CODES:
        raise ValueError(
            f"Unknown sex_at_birth {sex_at_birth!r}; expected one of {SEX_AT_BIRTH_CODES} or None."
        )
    return MALE_THRESHOLD if sex_at_birth == "male" else OTHER_THRESHOLD


class AuditCInstrument(Instrument):
    def band_for(self, total: int, *, sex_at_birth: str | None = None) -> Band:
        if not self.bands[0].min <= total <= self.bands[-1].max:
            raise ValueError(f"{self.code}: total {total} is outside every band")
        positive = total >= positive_threshold(sex_at_birth)
        return self.band("positive" if positive else "negative")


INSTRUMENT = AuditCInstrument(
    code="auditc",
    name="Alcohol Use Disorders Identification Test - Consumption (AUDIT-C)",
    version="1",
    description=(
        "Three questions about drinking in the past year. Positive at 4 or more for patients "
        "male at birth, at 3 or more for everyone else."
    ),
    items=(
        points_item(
            "1",
            "How often you have a drink that contains alcohol.",
            [
                (0, "Never"),
                (1, "Monthly or less"),
                (2, "2-4 times a month"),
                (3, "2-3 times a week"),
                (4, "4 or more times a week"),
            ],
        ),
        points_item(
            "2",
            "Standard drinks on a typical day when you drink.",
            [(0, "1-2"), (1, "3-4"), (2, "5-6"), (3, "7-9"), (4, "10 or more")],
        ),
        points_item(
            "3",
            "How often you have 6 or more drinks on one occasion.",
            [
                (0, "Never"),
                (1, "Less than monthly"),
                (2, "Monthly"),
                (3, "Weekly"),
                (4, "Daily or almost daily"),
            ],
        ),
    ),
    bands=(
        Band("negative", "Negative (0-3 if male at birth, 0-2 otherwise)", 0, 3),
        Band("positive", "Positive (4-12 if male at birth, 3-12 otherwise)", 3, 12),
    ),
)
