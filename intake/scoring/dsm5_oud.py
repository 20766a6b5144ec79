"""DSM-5 OUD criteria (`dsm5-oud`), docs/clinical-rules.md#dsm-5-opioid-use-disorder.

Total = number of criteria met, except that tolerance (10) and withdrawal (11) are not counted
when opioids are taken solely under appropriate medical supervision (item "supervised").
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import Band, Instrument, ScoreResult, yes_no_item

CRITERIA = (
    "Took opioids in larger amounts or for longer than meant to.",
    "Kept wanting to cut down or control use, or tried and could not.",
    "Spent a lot of time getting opioids, using them or recovering from them.",
    "Had cravings or strong urges to use opioids.",
    "Use led to repeatedly not meeting duties at work, school or home.",
    "Kept using despite ongoing social or relationship problems caused or worsened by it.",
    "Gave up or cut back important social, work or leisure activities because of use.",
    "Used repeatedly in situations where it was physically dangerous.",
    "Kept using while knowing of a physical or mental problem it causes or worsens.",
    "Tolerance: needs clearly more for the same effect, or gets less effect from the same amount.",
    "Withdrawal: typical opioid withdrawal, or takes opioids to relieve or avoid it.",
)

#: Criteria not counted when opioids are taken solely under appropriate medical supervision.
SUPERVISION_EXEMPT = ("10", "11")

REMISSIONS = ("none", "early", "sustained")


class Dsm5OudInstrument(Instrument):
    def score_cleaned(
        self, cleaned: Mapping[str, str], *, sex_at_birth: str | None = None
    ) -> ScoreResult:
        supervised = cleaned["supervised"] == "yes"
        met = [str(n) for n in range(1, len(CRITERIA) + 1) if cleaned[str(n)] == "yes"]
        excluded = [key for key in met if supervised and key in SUPERVISION_EXEMPT]
        counted = [key for key in met if key not in excluded]
        return ScoreResult(
            total=len(counted),
            band=self.band_for(len(counted)).code,
            details={"counted_criteria": counted, "excluded_criteria": excluded},
        )


INSTRUMENT = Dsm5OudInstrument(
    code="dsm5-oud",
    name="DSM-5 opioid use disorder criteria",
    version="1",
    description=(
        "Eleven criteria over the past 12 months, each met or not. Severity follows the number "
        "met; tolerance and withdrawal do not count when opioids are taken solely under "
        "appropriate medical supervision."
    ),
    items=(
        *(yes_no_item(str(n), text) for n, text in enumerate(CRITERIA, start=1)),
        yes_no_item(
            "supervised",
            "Opioids taken solely under appropriate medical supervision "
            "(tolerance and withdrawal are then not counted).",
            yes_points=0,
        ),
    ),
    bands=(
        Band("none", "No disorder (0-1 criteria)", 0, 1),
        Band("mild", "Mild (2-3 criteria)", 2, 3),
        Band("moderate", "Moderate (4-5 criteria)", 4, 5),
        Band("severe", "Severe (6 or more criteria)", 6, 11),
    ),
)


def icd10_for(severity: str, remission: str) -> str:
    """ICD-10-CM code for an opioid use disorder of this severity and remission status.

    severity is a `dsm5-oud` band code other than "none"; remission is "none", "early" or
    "sustained". ValueError for anything else, including severity "none" (no disorder).
    """
    if remission not in REMISSIONS:
        raise ValueError(f"Unknown remission {remission!r}; expected one of {REMISSIONS}.")
    in_remission = remission != "none"
    if severity == "mild":
        return "F11.11" if in_remission else "F11.10"
    if severity in ("moderate", "severe"):
        return "F11.21" if in_remission else "F11.20"
    if severity == "none":
        raise ValueError("Severity 'none' is not a disorder and has no ICD-10-CM code.")
    raise ValueError(f"Unknown severity {severity!r}; expected mild, moderate or severe.")
