"""The rules a dose must pass to be recorded as given (docs/clinical-rules.md#administration-rules).
Pure: the service (intake/services/medication_administration.py) gathers the facts as of the
time given and raises the first refusal found, naming its rule.

Each function returns None when the dose may be given, or (rule, what to tell the nurse)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from intake import mar_schedule as schedule
from intake.formulary import ABSOLUTE_MAXIMA, BUPRENORPHINE_INDUCTION_DRUGS, DRUGS, amount_text
from intake.local_time import format_local
from intake.models import AdministrationRule

Refusal = tuple[str, str]

# Vital signs a clonidine or lofexidine dose needs, and how recent (§8 hold parameters).
HOLD_DRUGS = frozenset({"clonidine", "lofexidine"})
VITALS_WITHIN = datetime.timedelta(minutes=60)
COWS_WITHIN = datetime.timedelta(minutes=60)
# (measure, hold when below) per drug; the lofexidine label gives no numbers: these are the
# pivotal trial's thresholds.
HOLD_BELOW: dict[str, tuple[tuple[str, int], ...]] = {
    "clonidine": (("systolic", 90), ("diastolic", 60), ("heart_rate", 60)),
    "lofexidine": (("systolic", 90), ("diastolic", 50), ("heart_rate", 50)),
}
MEASURE_WORDS = {"systolic": "systolic", "diastolic": "diastolic", "heart_rate": "heart rate"}
METHADONE_FIRST_DAY_LIMIT = Decimal(40)


@dataclass(frozen=True)
class Vitals:
    taken_at: datetime.datetime
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None


@dataclass(frozen=True)
class DoseFacts:
    """What the rules need to know about one dose to be given at `given_at`."""

    drug: str
    frequency: str
    ordered: Decimal
    ordered_unit: str
    dose: Decimal
    unit: str
    given_at: datetime.datetime
    # The standing PRN doses given of this drug, as (time, dose), from the start of the day
    # (or, for a PRN line, the interval before `given_at`) on, those after `given_at` included.
    prn_given: Sequence[tuple[datetime.datetime, Decimal]] = ()
    # The standing scheduled doses of this drug given on `given_at`'s clinic day, which count
    # with the PRN doses against the drug's absolute maximum a day.
    scheduled_given_today: Decimal = Decimal(0)
    latest_vitals: Vitals | None = None  # the latest set with BP and pulse in the last 60 min
    first_induction_dose: bool = False
    cows_totals: Sequence[int] = ()  # COWS totals of the last 60 minutes
    induction_threshold: int = 8
    methadone_first_day_given: Decimal | None = None  # given today, if today is the first day
    methadone_first_dose_acknowledged: bool = False


def _name(drug: str) -> str:
    return DRUGS[drug].name if drug in DRUGS else drug


def dose_mismatch(f: DoseFacts) -> Refusal | None:
    if f.dose != f.ordered or f.unit != f.ordered_unit:
        return (
            AdministrationRule.DOSE_MISMATCH,
            f"The order is {amount_text(f.ordered)} {f.ordered_unit} of {_name(f.drug)}, not "
            f"{amount_text(f.dose)} {f.unit}. Give the ordered dose, or ask the prescriber to "
            "amend the plan.",
        )
    return None


def prn_daily_limit(drug: str, frequency: str, dose: Decimal) -> Decimal:
    """A PRN line's daily maximum: the dose × its times a day, never above the drug's absolute
    maximum a day (the MAR page shows it; `prn_limits` refuses past it)."""
    daily = dose * schedule.PRN_TIMES_PER_DAY[frequency]
    maximum = ABSOLUTE_MAXIMA.get(drug)
    if maximum is not None and maximum.per_day is not None:
        daily = min(daily, maximum.per_day)
    return daily


def prn_daily_max(f: DoseFacts) -> Decimal:
    return prn_daily_limit(f.drug, f.frequency, f.ordered)


def prn_limits(f: DoseFacts) -> Refusal | None:
    if not schedule.is_prn(f.frequency):
        return None
    interval = datetime.timedelta(hours=schedule.PRN_INTERVAL_HOURS[f.frequency])
    earlier = [at for at, _ in f.prn_given if at <= f.given_at]
    if earlier and f.given_at - max(earlier) < interval:
        allowed = max(earlier) + interval
        return (
            AdministrationRule.PRN_INTERVAL,
            f"{_name(f.drug)} was last given at {format_local(max(earlier))}; the next dose is "
            f"allowed from {format_local(allowed)}.",
        )
    # A dose documented late keeps the interval before a dose already given after it.
    later = [at for at, _ in f.prn_given if at > f.given_at]
    if later and min(later) - f.given_at < interval:
        return (
            AdministrationRule.PRN_INTERVAL,
            f"{_name(f.drug)} was given at {format_local(min(later))}; a dose at "
            f"{format_local(f.given_at)} would be less than "
            f"{schedule.PRN_INTERVAL_HOURS[f.frequency]} hours "
            "before it.",
        )
    start, end = schedule.local_day_bounds(schedule.local_date(f.given_at))
    today = sum((dose for at, dose in f.prn_given if start <= at < end), Decimal(0))
    daily = prn_daily_max(f)
    if today + f.dose > daily:
        return (
            AdministrationRule.PRN_DAILY_MAX,
            f"{amount_text(today)} {f.unit} of {_name(f.drug)} given today; another "
            f"{amount_text(f.dose)} {f.unit} would exceed the daily maximum of "
            f"{amount_text(daily)} {f.unit}.",
        )
    return None


def absolute_daily_max(f: DoseFacts) -> Refusal | None:
    """The drug's absolute maximum a day counts every dose of it given that day, scheduled and
    as needed, whichever line the dose is of (docs/clinical-rules.md#administration-rules)."""
    maximum = ABSOLUTE_MAXIMA.get(f.drug)
    if maximum is None or maximum.per_day is None:
        return None
    start, end = schedule.local_day_bounds(schedule.local_date(f.given_at))
    prn_today = sum((dose for at, dose in f.prn_given if start <= at < end), Decimal(0))
    total = f.scheduled_given_today + prn_today
    if total + f.dose > maximum.per_day:
        return (
            AdministrationRule.PRN_DAILY_MAX,
            f"{amount_text(total)} {f.unit} of {_name(f.drug)} given today, scheduled and as "
            f"needed; another {amount_text(f.dose)} {f.unit} would exceed its absolute maximum "
            f"of {amount_text(maximum.per_day)} {f.unit} a day.",
        )
    return None


def hold_parameters(f: DoseFacts) -> Refusal | None:
    if f.drug not in HOLD_DRUGS:
        return None
    v = f.latest_vitals
    if v is None:
        return (
            AdministrationRule.VITALS_REQUIRED,
            f"{_name(f.drug)} needs blood pressure and heart rate taken in the last 60 minutes. "
            "Record vital signs first.",
        )
    below = [
        f"{MEASURE_WORDS[measure]} {getattr(v, measure)} (hold below {limit})"
        for measure, limit in HOLD_BELOW[f.drug]
        if getattr(v, measure) is not None and getattr(v, measure) < limit
    ]
    if below:
        return (
            AdministrationRule.HOLD_PARAMETERS,
            f"Hold {_name(f.drug)}: {', '.join(below)} at {format_local(v.taken_at)}. "
            "Record the dose as held, with the reason.",
        )
    return None


def induction_cows(f: DoseFacts) -> Refusal | None:
    if f.drug not in BUPRENORPHINE_INDUCTION_DRUGS or not f.first_induction_dose:
        return None
    if any(total >= f.induction_threshold for total in f.cows_totals):
        return None
    latest = f", the latest was {f.cows_totals[-1]}" if f.cows_totals else ""
    return (
        AdministrationRule.COWS_REQUIRED,
        f"The first {_name(f.drug)} dose needs a COWS of {f.induction_threshold} or more in the "
        f"last 60 minutes{latest}. Score a COWS before the induction dose.",
    )


def methadone_first_day(f: DoseFacts) -> Refusal | None:
    if f.drug != "methadone" or f.methadone_first_day_given is None:
        return None
    total = f.methadone_first_day_given + f.dose
    if total > METHADONE_FIRST_DAY_LIMIT and not f.methadone_first_dose_acknowledged:
        return (
            AdministrationRule.METHADONE_FIRST_DAY,
            f"{amount_text(total)} mg of methadone on the first day is above "
            f"{amount_text(METHADONE_FIRST_DAY_LIMIT)} mg, and the signed plan does not document a "
            "reason for a higher first-day total (42 CFR 8.12).",
        )
    return None


RULES = (
    dose_mismatch,
    prn_limits,
    absolute_daily_max,
    hold_parameters,
    induction_cows,
    methadone_first_day,
)


def refusal(f: DoseFacts) -> Refusal | None:
    """The first rule that refuses this dose, or None."""
    for rule in RULES:
        found = rule(f)
        if found is not None:
            return found
    return None
