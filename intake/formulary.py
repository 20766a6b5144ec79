"""Medicines a plan may prescribe, with the dose rules of docs/clinical-rules.md#medicines.

Pure data and arithmetic; the plan warnings (intake/plan_rules.py) read it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Administrations per day. A prn frequency counts at its maximum (q4h: 6, q6h: 4, q8h: 3).
# Weekly, monthly and every-4-weeks doses are checked per administration, not per day.
TIMES_PER_DAY = {
    "once": 1,
    "daily": 1,
    "bid": 2,
    "tid": 3,
    "qid": 4,
    "q4h-prn": 6,
    "q6h-prn": 4,
    "q8h-prn": 3,
}
LONG_INTERVAL = {"weekly", "monthly", "q4w"}
FREQUENCIES = (*TIMES_PER_DAY, *LONG_INTERVAL)


# What a plan's medication line holds, in the order the API, the services and the signed content
# list them (intake/models/treatment_plan.py PlanMedication, without its plan and position).
MEDICATION_FIELDS = (
    "drug",
    "dose",
    "unit",
    "route",
    "frequency",
    "start_date",
    "end_date",
    "indication",
    "taper",
)


@dataclass(frozen=True)
class Drug:
    code: str
    name: str
    route: str
    low: Decimal | None  # dose range, per day (or per administration for long intervals)
    high: Decimal | None
    indication: str = ""
    agonist: bool = False
    max_single: Decimal | None = None
    unit: str = "mg"  # every medicine of the formulary is dosed in mg


def _d(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


OUD = "Opioid use disorder"
RELAPSE = "Relapse prevention"
WITHDRAWAL = "Withdrawal symptoms"

DRUGS: dict[str, Drug] = {
    d.code: d
    for d in (
        Drug(
            "buprenorphine-naloxone",
            "Buprenorphine/naloxone",
            "sublingual",
            _d("2"),
            _d("24"),
            OUD,
            agonist=True,
        ),
        Drug("buprenorphine", "Buprenorphine", "sublingual", _d("2"), _d("24"), OUD, agonist=True),
        Drug(
            "buprenorphine-xr",
            "Extended-release buprenorphine injection",
            "subcutaneous",
            _d("100"),
            _d("300"),
            f"{OUD} (monthly)",
            agonist=True,
        ),
        Drug("methadone", "Methadone", "oral", _d("1"), _d("200"), OUD, agonist=True),
        Drug("naltrexone", "Naltrexone", "oral", _d("25"), _d("50"), RELAPSE),
        Drug(
            "naltrexone-xr",
            "Extended-release naltrexone injection",
            "intramuscular",
            _d("380"),
            _d("380"),
            f"{RELAPSE} (every 4 weeks)",
        ),
        Drug(
            "lofexidine",
            "Lofexidine",
            "oral",
            _d("0.18"),
            _d("2.88"),
            WITHDRAWAL,
            max_single=_d("0.72"),
        ),
        Drug("clonidine", "Clonidine", "oral", _d("0.1"), _d("1.2"), WITHDRAWAL),
        Drug("ondansetron", "Ondansetron", "oral", _d("4"), _d("24"), "Nausea, vomiting"),
        Drug("loperamide", "Loperamide", "oral", _d("2"), _d("16"), "Diarrhea"),
        Drug("ibuprofen", "Ibuprofen", "oral", _d("200"), _d("3200"), "Pain"),
        Drug("acetaminophen", "Acetaminophen", "oral", _d("325"), _d("4000"), "Pain"),
        Drug("hydroxyzine", "Hydroxyzine", "oral", _d("25"), _d("200"), "Anxiety, insomnia"),
        Drug("trazodone", "Trazodone", "oral", _d("25"), _d("100"), "Insomnia"),
        Drug("dicyclomine", "Dicyclomine", "oral", _d("20"), _d("160"), "Abdominal cramps"),
        Drug("methocarbamol", "Methocarbamol", "oral", _d("500"), _d("6000"), "Muscle aches"),
        Drug(
            "naloxone", "Naloxone rescue kit", "intranasal", None, None, "Take-home, for overdose"
        ),
    )
}


@dataclass(frozen=True)
class AbsoluteMaximum:
    """Above these a dose is refused when the plan is saved, not warned
    (docs/clinical-rules.md#absolute-dose-maxima). `per_day` applies to dose x times a day (a prn
    frequency at its maximum; a weekly or monthly line to its one dose); `per_dose` to each
    administration."""

    per_day: Decimal | None = None
    per_dose: Decimal | None = None


# Keyed by drug code: each drug with a maximum (docs/clinical-rules.md#absolute-dose-maxima).
ABSOLUTE_MAXIMA: dict[str, AbsoluteMaximum] = {
    "buprenorphine": AbsoluteMaximum(per_day=_d("32")),
    "buprenorphine-naloxone": AbsoluteMaximum(per_day=_d("32")),
    "buprenorphine-xr": AbsoluteMaximum(per_dose=_d("300")),
    "methadone": AbsoluteMaximum(per_day=_d("500")),
    "naltrexone": AbsoluteMaximum(per_day=_d("150")),
    "naltrexone-xr": AbsoluteMaximum(per_dose=_d("380")),
    # FDA label: 2.88 mg a day, no single dose above 0.72 mg.
    "lofexidine": AbsoluteMaximum(per_day=_d("2.88"), per_dose=_d("0.72")),
    "clonidine": AbsoluteMaximum(per_day=_d("2.4")),
    "ondansetron": AbsoluteMaximum(per_day=_d("32")),
    "loperamide": AbsoluteMaximum(per_day=_d("16")),
    "ibuprofen": AbsoluteMaximum(per_day=_d("3200")),
    "acetaminophen": AbsoluteMaximum(per_day=_d("4000")),
    "hydroxyzine": AbsoluteMaximum(per_day=_d("400")),
    "trazodone": AbsoluteMaximum(per_day=_d("400")),
    "dicyclomine": AbsoluteMaximum(per_day=_d("160")),
    "methocarbamol": AbsoluteMaximum(per_day=_d("8000")),
    "naloxone": AbsoluteMaximum(per_dose=_d("8")),
}


def amount_text(value: Decimal) -> str:
    """3200.000 -> "3200", 0.720 -> "0.72" (doses are stored with 3 decimal places)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):f}"
    return f"{value.normalize():f}"


def dose_refusal(drug_code: str, dose: Decimal, frequency: str) -> str | None:
    """Why this dose cannot be saved (above the drug's absolute maximum), or None. Unknown
    drugs and frequencies are left to the caller's own checks."""
    maximum = ABSOLUTE_MAXIMA.get(drug_code)
    if maximum is None or frequency not in FREQUENCIES:
        return None
    drug = DRUGS.get(drug_code)
    name = drug.name if drug else drug_code
    unit = drug.unit if drug else "mg"
    dose = Decimal(dose)
    if maximum.per_dose is not None and dose > maximum.per_dose:
        return (
            f"{name}: a dose of {amount_text(dose)} {unit} is above the maximum of "
            f"{amount_text(maximum.per_dose)} {unit} a dose."
        )
    if maximum.per_day is not None:
        total = daily_dose(dose, frequency)
        if total > maximum.per_day:
            return (
                f"{name}: {amount_text(total)} {unit} a day is above the maximum of "
                f"{amount_text(maximum.per_day)} {unit} a day."
            )
    return None


BUPRENORPHINE_DRUGS = frozenset({"buprenorphine", "buprenorphine-naloxone", "buprenorphine-xr"})
# Sublingual buprenorphine starts with an induction; the monthly injection follows one.
BUPRENORPHINE_INDUCTION_DRUGS = frozenset({"buprenorphine", "buprenorphine-naloxone"})
NALTREXONE_DRUGS = frozenset({"naltrexone", "naltrexone-xr"})
AGONISTS = frozenset(code for code, drug in DRUGS.items() if drug.agonist)


def daily_dose(dose: Decimal, frequency: str) -> Decimal:
    """Dose × administrations a day; for weekly/monthly/q4w, the dose of one administration."""
    if frequency in LONG_INTERVAL:
        return dose
    return dose * TIMES_PER_DAY[frequency]


def dose_problem(drug_code: str, dose: Decimal, frequency: str) -> str | None:
    """Why this dose is outside the drug's range, or None."""
    drug = DRUGS[drug_code]
    if drug.low is None and drug.high is None:
        return None
    total = daily_dose(dose, frequency)
    per = "per administration" if frequency in LONG_INTERVAL else "a day"
    if drug.low is not None and total < drug.low:
        return f"{drug.name}: {total} {drug.unit} {per} is below the usual {drug.low}–{drug.high}."
    if drug.high is not None and total > drug.high:
        return f"{drug.name}: {total} {drug.unit} {per} is above the usual {drug.low}–{drug.high}."
    if drug.max_single is not None and dose > drug.max_single:
        return f"{drug.name}: a single dose of {dose} {drug.unit} is above {drug.max_single}."
    return None
