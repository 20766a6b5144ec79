"""Safety warnings on a treatment plan (docs/clinical-rules.md#plan-safety-warnings).

Pure functions: `plan_warnings(plan, facts)` reads a plan's medications and the patient's
recent facts (gathered by `intake.selectors.treatment_plan.plan_facts`) and returns every
warning that applies. Each must be acknowledged with a reason before the plan is signed."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from intake.formulary import (
    AGONISTS,
    BUPRENORPHINE_DRUGS,
    BUPRENORPHINE_INDUCTION_DRUGS,
    NALTREXONE_DRUGS,
    TIMES_PER_DAY,
    dose_problem,
)
from intake.labs.catalog import TESTS_BY_CODE

COWS_INDUCTION_THRESHOLD = 8
COWS_WINDOW = datetime.timedelta(hours=24)
# Hours to wait after the last use of each opioid before a buprenorphine induction.
INDUCTION_WAIT_HOURS = {
    "heroin": 12,
    "prescription-opioid": 12,
    "other-opioid": 12,
    "fentanyl": 24,
    "methadone": 36,
}
# The lab catalog's limits, so a rule and the result's own flag can never disagree: the QTc
# warning at the top of the normal range (450 ms), high risk at the critical limit (500 ms).
QTC_WARNING_MS = TESTS_BY_CODE["qtc"]["high"]
QTC_HIGH_RISK_MS = TESTS_BY_CODE["qtc"]["critical_high"]
METHADONE_MAX_FIRST_DOSE = Decimal("30")
METHADONE_MAX_FIRST_DAY = Decimal("40")
# Opioid-free period before naltrexone: 7 days, 10 after methadone or buprenorphine.
OPIOID_FREE_DAYS = 7
OPIOID_FREE_DAYS_LONG_ACTING = 10
LONG_ACTING = frozenset({"methadone", "buprenorphine"})
NALTREXONE_SCREENS = frozenset(
    {"opiates", "6-mam", "fentanyl", "oxycodone", "methadone", "buprenorphine"}
)
# Upper limits of normal, from the catalog (AST 40, ALT 56 U/L).
LIVER_ULN = {code: TESTS_BY_CODE[code]["high"] for code in ("ast", "alt")}
LIVER_FACTOR = 3
PREGNANCY_REVIEW_DRUGS = frozenset({"naltrexone", "naltrexone-xr", "lofexidine"})
# Symptom medicines that prolong the QT interval (methadone has its own rule, methadone-qtc).
QT_PROLONGING_DRUGS = frozenset(
    {"ondansetron", "hydroxyzine", "trazodone", "lofexidine", "loperamide"}
)
NSAIDS = frozenset({"ibuprofen"})
PLATELETS_LOW = Decimal("50")  # 10^3/µL
SEDATIVE_WINDOW = datetime.timedelta(days=30)
LIVER_DRUGS = NALTREXONE_DRUGS | BUPRENORPHINE_DRUGS | {"acetaminophen"}


@dataclass(frozen=True)
class MedLine:
    drug: str
    dose: Decimal
    frequency: str
    start_date: datetime.date
    taper: tuple[tuple[int, Decimal], ...] = ()
    end_date: datetime.date | None = None


@dataclass(frozen=True)
class PlanDraft:
    medications: tuple[MedLine, ...]
    medically_supervised_detox: bool = False


@dataclass
class PlanFacts:
    now: datetime.datetime
    cows_totals_24h: list[int] = field(default_factory=list)
    last_opioid_use_at: datetime.datetime | None = None
    last_opioid: str = ""
    latest_qtc: Decimal | None = None
    # (screen test code, resulted_at) of positive opioid screens in the last 10 days.
    opioid_positive_screens: list[tuple[str, datetime.datetime]] = field(default_factory=list)
    benzodiazepine_positive_30d: bool = False
    latest_auditc_positive: bool = False
    hcg_positive_30d: bool = False
    pregnancy_reported: bool = False
    # Highest AST and ALT values in the last 90 days.
    liver_max: dict[str, Decimal] = field(default_factory=dict)
    # Lowest platelet count (10^3/µL) in the last 30 days.
    platelets_min_30d: Decimal | None = None
    # Benzodiazepine or alcohol use the latest interview records in the 30 days before now.
    sedative_use_30d: frozenset[str] = frozenset()
    # Drugs of the active plan this one would replace: continuing them is not a new start.
    continuing_drugs: frozenset[str] = frozenset()
    today: datetime.date | None = None


@dataclass(frozen=True)
class PlanWarning:
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def _starts(plan: PlanDraft, facts: PlanFacts, drugs: Collection[str]) -> list[MedLine]:
    return [m for m in plan.medications if m.drug in drugs and m.drug not in facts.continuing_drugs]


def _start_moment(med: MedLine, facts: PlanFacts) -> datetime.datetime:
    today = facts.today or facts.now.date()
    if med.start_date <= today:
        return facts.now
    return datetime.datetime.combine(med.start_date, datetime.time.min, tzinfo=facts.now.tzinfo)


def plan_warnings(plan: PlanDraft, facts: PlanFacts) -> list[PlanWarning]:
    """Every warning that applies, rule family by rule family, in a fixed order."""
    drugs = {m.drug for m in plan.medications}
    found: list[PlanWarning] = []
    found += _buprenorphine_induction(plan, facts)
    found += _methadone(plan, facts, drugs)
    found += _naltrexone(facts, drugs)
    found += _sedative_with_agonist(facts, drugs)
    found += _pregnancy_review(plan, facts, drugs)
    found += _liver_enzymes(facts, drugs)
    found += _qt_prolonging(facts, drugs)
    found += _agonist_duplication(plan)
    found += _nsaid_low_platelets(facts, drugs)
    found += _no_naloxone(plan, drugs)
    found += _dose_range(plan)
    return found


def _sedative_with_agonist(facts: PlanFacts, drugs: set[str]) -> list[PlanWarning]:
    sedatives_used = sorted(facts.sedative_use_30d)
    if not drugs & AGONISTS or not (
        facts.benzodiazepine_positive_30d or facts.latest_auditc_positive or sedatives_used
    ):
        return []
    why = []
    if facts.benzodiazepine_positive_30d:
        why.append("a benzodiazepine-positive screen in the last 30 days")
    if facts.latest_auditc_positive:
        why.append("a positive latest AUDIT-C")
    if sedatives_used:
        why.append(f"{' and '.join(sedatives_used)} use in the last 30 days (interview)")
    return [
        PlanWarning(
            "sedative-with-agonist",
            "Opioid agonist with " + " and ".join(why) + ": risk of respiratory depression.",
        )
    ]


def _pregnancy_review(plan: PlanDraft, facts: PlanFacts, drugs: set[str]) -> list[PlanWarning]:
    pregnant = facts.hcg_positive_30d or facts.pregnancy_reported
    if not pregnant or not (plan.medically_supervised_detox or drugs & PREGNANCY_REVIEW_DRUGS):
        return []
    return [
        PlanWarning(
            "pregnancy-review",
            "Pregnancy (positive hCG in 30 days or reported) with withdrawal "
            "management, naltrexone or lofexidine: agonist treatment is usually "
            "preferred in pregnancy.",
        )
    ]


def _liver_enzymes(facts: PlanFacts, drugs: set[str]) -> list[PlanWarning]:
    if not drugs & LIVER_DRUGS:
        return []
    high = [
        f"{test.upper()} {value} U/L"
        for test, value in sorted(facts.liver_max.items())
        if value > LIVER_ULN[test] * LIVER_FACTOR
    ]
    if not high:
        return []
    return [
        PlanWarning(
            "liver-enzymes",
            f"{', '.join(high)} (above 3 × the upper limit of normal in "
            "the last 90 days) with a naltrexone, buprenorphine or "
            "acetaminophen order.",
        )
    ]


def _nsaid_low_platelets(facts: PlanFacts, drugs: set[str]) -> list[PlanWarning]:
    if not drugs & NSAIDS or facts.platelets_min_30d is None:
        return []
    if facts.platelets_min_30d >= PLATELETS_LOW:
        return []
    return [
        PlanWarning(
            "nsaid-low-platelets",
            f"Ibuprofen with platelets {facts.platelets_min_30d} × 10^3/µL (below 50 in "
            "the last 30 days): risk of bleeding.",
        )
    ]


def _no_naloxone(plan: PlanDraft, drugs: set[str]) -> list[PlanWarning]:
    if not (drugs & AGONISTS or plan.medically_supervised_detox) or "naloxone" in drugs:
        return []
    return [
        PlanWarning(
            "no-naloxone",
            "No naloxone rescue kit on a plan with an opioid agonist or withdrawal management.",
        )
    ]


def _dose_range(plan: PlanDraft) -> list[PlanWarning]:
    """One warning listing each distinct out-of-range dose, tapers included."""
    problems: list[str] = []
    for med in plan.medications:
        for dose in (med.dose, *(d for _day, d in med.taper)):
            problem = dose_problem(med.drug, dose, med.frequency)
            if problem and problem not in problems:
                problems.append(problem)
    if not problems:
        return []
    return [PlanWarning("dose-range", " ".join(problems))]


def _buprenorphine_induction(plan: PlanDraft, facts: PlanFacts) -> list[PlanWarning]:
    starts = _starts(plan, facts, BUPRENORPHINE_INDUCTION_DRUGS)
    if not starts:
        return []
    found = []
    if not any(total >= COWS_INDUCTION_THRESHOLD for total in facts.cows_totals_24h):
        found.append(
            PlanWarning(
                "buprenorphine-induction-cows",
                f"Buprenorphine induction without a COWS of "
                f"{COWS_INDUCTION_THRESHOLD} or more in the last 24 hours: risk "
                "of precipitated withdrawal.",
            )
        )
    wait = INDUCTION_WAIT_HOURS.get(facts.last_opioid)
    if facts.last_opioid_use_at is not None and wait is not None:
        start = min(_start_moment(m, facts) for m in starts)
        elapsed = start - facts.last_opioid_use_at
        if elapsed < datetime.timedelta(hours=wait):
            hours = max(elapsed.total_seconds() / 3600, 0)
            found.append(
                PlanWarning(
                    "buprenorphine-induction-timing",
                    f"Buprenorphine starts {hours:.0f} h after the last "
                    f"{facts.last_opioid} use; wait at least {wait} h.",
                )
            )
    return found


def _methadone(plan: PlanDraft, facts: PlanFacts, drugs: set[str]) -> list[PlanWarning]:
    if "methadone" not in drugs:
        return []
    found = []
    if facts.latest_qtc is None:
        found.append(PlanWarning("methadone-qtc", "Methadone with no QTc on record: get an ECG."))
    elif facts.latest_qtc >= QTC_HIGH_RISK_MS:
        found.append(
            PlanWarning(
                "methadone-qtc",
                f"Methadone with latest QTc {facts.latest_qtc} ms (≥ 500: high risk of torsades).",
            )
        )
    elif facts.latest_qtc >= QTC_WARNING_MS:
        found.append(
            PlanWarning("methadone-qtc", f"Methadone with latest QTc {facts.latest_qtc} ms (≥ 450)")
        )
    for med in _starts(plan, facts, {"methadone"}):
        first = min(med.taper)[1] if med.taper else med.dose
        first_day = first * TIMES_PER_DAY.get(med.frequency, 1)
        if first > METHADONE_MAX_FIRST_DOSE or first_day > METHADONE_MAX_FIRST_DAY:
            found.append(
                PlanWarning(
                    "methadone-first-dose",
                    f"Methadone first dose {first} mg, first-day total {first_day} "
                    "mg: above 30 mg / 40 mg (42 CFR 8.12), document the reason.",
                )
            )
            break
    return found


def _naltrexone(facts: PlanFacts, drugs: set[str]) -> list[PlanWarning]:
    if not drugs & NALTREXONE_DRUGS:
        return []
    reasons = []
    if facts.last_opioid_use_at is not None:
        days = (
            OPIOID_FREE_DAYS_LONG_ACTING if facts.last_opioid in LONG_ACTING else OPIOID_FREE_DAYS
        )
        if facts.now - facts.last_opioid_use_at < datetime.timedelta(days=days):
            reasons.append(f"opioid use ({facts.last_opioid or 'opioid'}) within {days} days")
    for test, at in facts.opioid_positive_screens:
        if test not in NALTREXONE_SCREENS:
            continue
        days = OPIOID_FREE_DAYS_LONG_ACTING if test in LONG_ACTING else OPIOID_FREE_DAYS
        if facts.now - at < datetime.timedelta(days=days):
            reasons.append(f"{test} positive screen within {days} days")
    if not reasons:
        return []
    return [
        PlanWarning(
            "naltrexone-opioid-free",
            "Naltrexone before the opioid-free period: "
            + "; ".join(reasons)
            + " (risk of precipitated withdrawal).",
        )
    ]


def _qt_prolonging(facts: PlanFacts, drugs: set[str]) -> list[PlanWarning]:
    named = sorted(drugs & QT_PROLONGING_DRUGS)
    if not named or facts.latest_qtc is None or facts.latest_qtc < QTC_WARNING_MS:
        return []
    return [
        PlanWarning(
            "qt-prolonging-drug",
            f"{', '.join(d.capitalize() for d in named)} prolong the QT interval and the latest "
            f"QTc is {facts.latest_qtc} ms (≥ 450): consider another medicine or a repeat ECG.",
        )
    ]


def _agonist_duplication(plan: PlanDraft) -> list[PlanWarning]:
    """Methadone and a buprenorphine drug whose dates overlap. A planned switch, one ending
    before the other starts, is not a duplication. A line with no end date runs on."""
    methadone = [m for m in plan.medications if m.drug == "methadone"]
    buprenorphine = [m for m in plan.medications if m.drug in BUPRENORPHINE_DRUGS]
    for a in methadone:
        for b in buprenorphine:
            a_before_b = a.end_date is not None and a.end_date < b.start_date
            b_before_a = b.end_date is not None and b.end_date < a.start_date
            if not (a_before_b or b_before_a):
                return [
                    PlanWarning(
                        "agonist-duplication",
                        "Methadone and buprenorphine on overlapping dates: two opioid agonists "
                        "at once. For a switch, end one before the other starts.",
                    )
                ]
    return []
