"""A plan's lines: the medications of the regime (with take-home naloxone; a lofexidine taper and
comfort medications through withdrawal management) and the behavioral components."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

MODALITIES = (
    ("individual-counseling", "weekly"),
    ("group-counseling", "twice weekly"),
    ("cbt", "weekly"),
    ("contingency-management", "with each drug screen"),
    ("motivational-interviewing", "weekly"),
    ("relapse-prevention", "weekly"),
    ("peer-support", "weekly"),
    ("case-management", "every two weeks"),
    ("mutual-help", "three times a week"),
    ("family-therapy", "every two weeks"),
)
TARGETS = (
    "triggers",
    "coping-cravings",
    "relapse-plan",
    "emotional-discomfort",
    "co-occurring",
    "employment",
    "housing",
    "family",
    "legal",
    "harm-reduction",
)
NALOXONE = ("naloxone", "4", "mg", "intranasal", "once", "Take-home, for overdose")
OUD = "Opioid use disorder"
DETOX_DAYS = 7
LOFEXIDINE_TAPER = ((1, "0.72"), (2, "0.72"), (3, "0.54"), (4, "0.36"), (5, "0.18"))


def _line(
    start: dt.date,
    drug: str,
    dose: str,
    unit: str,
    route: str,
    frequency: str,
    indication: str,
    end: dt.date | None = None,
    taper: tuple[tuple[int, str], ...] = (),
) -> dict[str, Any]:
    return {
        "drug": drug,
        "dose": dose,
        "unit": unit,
        "route": route,
        "frequency": frequency,
        "start_date": start,
        "end_date": end.isoformat() if end else None,
        "indication": indication,
        "taper": [{"day": d, "dose": v} for d, v in taper],
    }


def medications(regime: str, start: dt.date, rng: random.Random) -> list[dict[str, Any]]:
    """The regime's lines (start_date a date: each version starts them on its own date)."""
    if regime in ("none", ""):
        return []
    if regime == "detox":
        end = start + dt.timedelta(days=DETOX_DAYS)
        taper = LOFEXIDINE_TAPER
        return [
            _line(
                start, "lofexidine", "0.54", "mg", "oral", "qid", "Opioid withdrawal", end, taper
            ),
            _line(start, "ondansetron", "4", "mg", "oral", "q8h-prn", "Nausea, vomiting", end),
            _line(start, "loperamide", "2", "mg", "oral", "q4h-prn", "Diarrhea", end),
            _line(start, "ibuprofen", "400", "mg", "oral", "q6h-prn", "Pain", end),
            _line(start, *NALOXONE),
        ]
    if regime == "bup":
        dose = rng.choice(("8", "12", "16", "16", "24"))
        main = _line(start, "buprenorphine-naloxone", dose, "mg", "sublingual", "daily", OUD)
    elif regime == "bup-xr":
        dose = rng.choice(("100", "300"))
        main = _line(
            start, "buprenorphine-xr", dose, "mg", "subcutaneous", "monthly", f"{OUD} (monthly)"
        )
    elif regime == "methadone":
        dose = rng.choice(("30", "40", "60", "80", "100", "120"))
        main = _line(start, "methadone", dose, "mg", "oral", "daily", OUD)
    elif regime == "naltrexone":
        main = _line(start, "naltrexone", "50", "mg", "oral", "daily", OUD)
    elif regime == "naltrexone-xr":
        main = _line(start, "naltrexone-xr", "380", "mg", "intramuscular", "q4w", OUD)
    else:
        return []
    return [main, _line(start, *NALOXONE)]


def behavioral(program: str, rng: random.Random) -> list[dict[str, Any]]:
    """One to three components, in the setting of the program (or by telehealth)."""
    setting = (
        "inpatient"
        if program in ("inpatient", "residential")
        else rng.choice(("outpatient", "outpatient", "telehealth"))
    )
    chosen = rng.sample(MODALITIES, rng.randrange(1, 4))
    return [
        {
            "modality": modality,
            "setting": setting,
            "frequency": frequency,
            "targets": sorted(rng.sample(TARGETS, rng.randrange(1, 4)), key=TARGETS.index),
            "goals": [{"text": "Attend 80% of sessions", "target_date": None}],
        }
        for modality, frequency in chosen
    ]
