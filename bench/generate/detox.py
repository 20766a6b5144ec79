"""Medically supervised detoxes in progress at BASE (issue 13): a share of patients admitted
to inpatient withdrawal management one to seven days before, with a signed active plan
(buprenorphine as a daily taper or as needed, clonidine four times a day, ondansetron and
loperamide as needed, take-home naloxone; COWS every 4 hours), and their history so far: a
set of vital signs and a COWS every 4 hours (totals falling over the days), a CIWA-Ar every 8
hours for those who also drank, and the medication administration record.

The MAR follows the rules of docs/clinical-rules.md#medication-administration: each scheduled
dose (intake.mar_schedule.line_doses, at the clinic's times in its zone) is mostly given, held
with a reason (clonidine under its hold parameters on the set taken before it, a first
buprenorphine dose without a COWS of 8 or more within the hour) or refused, and a few are never
documented, so the MAR shows them missed; the PRN lines are given on demand, never sooner than
their interval (buprenorphine after a COWS of 8 or more). Each documented scheduled dose has
its DueDose row pointing at its entry. The lines' serial keys, which the due dose ids derive
from, exist only once the lines are written: the rows name a line by (plan, position) and
database.write_clinic puts in the keys and the ids (resolve_mar)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench.generate import events, tables
from bench.generate.assessments import assessment
from bench.generate.common import BASE, EMPTY_JSON, jsonb
from bench.generate.course import Course
from bench.generate.plan_lines import NALOXONE, _line
from bench.generate.plans import supervised_plan
from bench.generate.state import ClinicState
from intake import mar_schedule as schedule
from intake import vital_signs_rules
from intake.mar_rules import HOLD_BELOW, MEASURE_WORDS, VITALS_WITHIN

DETOX_SHARE = 0.05
DETOX_DAYS = 7
EVERY = dt.timedelta(hours=4)
INDUCTION_THRESHOLD = 8
MINUTE = dt.timedelta(minutes=1)
BUPRENORPHINE_TAPER = ((1, "8"), (2, "8"), (3, "6"), (4, "4"), (5, "4"), (6, "2"), (7, "2"))
WITHDRAWAL = "Opioid withdrawal"
HELD_REASONS = ("Patient asleep; held per nursing judgment", "Off the unit at a consult")
REFUSED_REASONS = ("Patient declined", "Patient declined: nauseated, will try later")
PRN_SHARE = {"ondansetron": 0.45, "loperamide": 0.35}


@dataclass(frozen=True)
class Reading:
    """A set of vital signs and the COWS scored a few minutes after it."""

    at: dt.datetime
    systolic: int
    diastolic: int
    heart_rate: int
    cows_at: dt.datetime
    cows_total: int


def medications(start: dt.date, rng: Any) -> list[dict[str, Any]]:
    end = start + dt.timedelta(days=DETOX_DAYS - 1)
    if rng.random() < 0.5:
        bup = _line(start, "buprenorphine", "8", "mg", "sublingual", "daily", WITHDRAWAL, end,
                    BUPRENORPHINE_TAPER)  # fmt: skip
    else:
        bup = _line(start, "buprenorphine", "2", "mg", "sublingual", "q4h-prn",
                    f"{WITHDRAWAL}, COWS {INDUCTION_THRESHOLD} or more", end)  # fmt: skip
    return [
        bup,
        _line(start, "clonidine", "0.1", "mg", "oral", "qid", WITHDRAWAL, end),
        _line(start, "ondansetron", "4", "mg", "oral", "q8h-prn", "Nausea, vomiting", end),
        _line(start, "loperamide", "2", "mg", "oral", "q4h-prn", "Diarrhea", end),
        _line(start, *NALOXONE),
    ]


def supervised_detox(state: ClinicState, course: Course, asam_level: str) -> None:
    rng = state.rng
    zone = schedule.clinic_zone()
    morning = dt.datetime.combine(course.start, dt.time(7, 30), tzinfo=zone)
    created = morning + dt.timedelta(minutes=rng.uniform(-10, 10))
    meds = medications(course.start, rng)
    plan_id, signed = supervised_plan(state, course, asam_level, meds, created)
    state.detox_plans.append(plan_id)
    first = dt.datetime.combine(course.start, dt.time(8, 40), tzinfo=zone)
    readings = _monitoring(state, course, first, drinks=rng.random() < 0.3)
    for position, m in enumerate(meds):
        if schedule.is_prn(m["frequency"]):
            _prn(state, course, plan_id, position, m, signed, readings)
        else:
            _scheduled(state, course, plan_id, position, m, signed, readings)


# Monitoring ------------------------------------------------------------------------------------


def _level(rng: Any, hours: float, first: bool) -> int:
    """Withdrawal severity 0..4 (the answer pool's levels: 2-3 is a moderate COWS), falling
    over the week."""
    level = round(3 - 3 * hours / ((DETOX_DAYS - 1) * 24) + rng.gauss(0, 0.6))
    return max(2 if first else 0, min(4, level))


def _monitoring(
    state: ClinicState, course: Course, first: dt.datetime, *, drinks: bool
) -> list[Reading]:
    """Every 4 hours up to BASE: vital signs, then a COWS (and every 8 hours a CIWA-Ar)."""
    rng, nurse, physician = state.rng, course.team.nurse, course.team.physician
    readings: list[Reading] = []
    k = 0
    while True:
        at = first + k * EVERY + dt.timedelta(minutes=rng.uniform(-5, 5))
        if at + 10 * MINUTE > BASE:
            return readings
        level = _level(rng, (at - first).total_seconds() / 3600, k == 0)
        vitals = _vital_signs(state, course, at, level / 4, weigh=k == 0)
        cows_at = at + 3 * MINUTE
        _aid, total, _band = assessment(
            state, course, "cows", level, cows_at, nurse, follow_up_by=physician
        )
        if drinks and k % 2 == 0:
            ciwa = max(0, level - 1)
            assessment(state, course, "ciwa-ar", ciwa, at + 6 * MINUTE, nurse)
        readings.append(Reading(at, *vitals, cows_at, int(str(total))))
        k += 1


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _vital_signs(
    state: ClinicState, course: Course, at: dt.datetime, s: float, *, weigh: bool
) -> tuple[int, int, int]:
    """One set, its flags as intake.vital_signs_rules gives them (never critical: a critical
    value would raise an alert); returns systolic, diastolic and heart rate."""
    rng, nurse = state.rng, course.team.nurse
    measures: dict[str, Any] = {
        "systolic": round(_clamp(rng.gauss(118 + 22 * s, 12), 86, 172)),
        "diastolic": round(_clamp(rng.gauss(72 + 12 * s, 8), 52, 108)),
        "heart_rate": round(_clamp(rng.gauss(70 + 32 * s, 9), 50, 124)),
        "respiratory_rate": round(_clamp(rng.gauss(16 + 3 * s, 2), 11, 26)),
        "temperature_c": Decimal(str(round(_clamp(rng.gauss(36.8 + 0.5 * s, 0.3), 35.8, 38.6), 1))),
        "spo2": rng.choice((95, 96, 97, 98, 98, 99, 99, 100)),
        "pain": min(10, round(rng.uniform(0, 7 * s + 1))),
    }
    if weigh:
        measures["weight_kg"] = Decimal(str(round(_clamp(rng.gauss(78, 14), 45, 160), 1)))
    flags = vital_signs_rules.flags(measures)
    critical = vital_signs_rules.alerts(flags)
    vid = state.ids.new("vitals")
    documented = min(at + dt.timedelta(minutes=rng.uniform(1, 8)), BASE)
    state.add(
        tables.VITAL_SIGNS,
        {
            "id": vid,
            "created_at": documented,
            "updated_at": documented,
            "created_by_id": nurse,
            "updated_by_id": nurse,
            "patient_id": course.pid,
            "taken_at": at,
            "systolic": measures["systolic"],
            "diastolic": measures["diastolic"],
            "heart_rate": measures["heart_rate"],
            "respiratory_rate": measures["respiratory_rate"],
            "temperature_c": measures["temperature_c"],
            "spo2": measures["spo2"],
            "weight_kg": measures.get("weight_kg"),
            "height_cm": None,
            "pain": measures["pain"],
            "flags": jsonb(flags) if flags else EMPTY_JSON,
            "voided_at": None,
            "voided_by_id": None,
            "void_reason": "",
        },
    )
    event = events.vital_signs_recorded(measures, critical)
    state.audit(documented, nurse, course.pid, vid, event)
    return measures["systolic"], measures["diastolic"], measures["heart_rate"]


# Administrations -------------------------------------------------------------------------------


def _latest(readings: list[Reading], at: dt.datetime) -> Reading | None:
    """The set taken within the hour before `at` (the hold parameters' and induction's window)."""
    found = None
    for r in readings:
        if r.at <= at:
            found = r
        else:
            break
    return found if found is not None and at - found.at <= VITALS_WITHIN else None


def _schedule_line(m: dict[str, Any], plan_id: Any, signed: dt.datetime) -> schedule.Line:
    return schedule.Line(
        pk=0,  # the serial key is not known yet; due_dose_uid is computed when written
        plan_pk=plan_id,
        drug=m["drug"],
        dose=Decimal(m["dose"]),
        unit=m["unit"],
        route=m["route"],
        frequency=m["frequency"],
        start_date=m["start_date"],
        end_date=dt.date.fromisoformat(m["end_date"]) if m["end_date"] else None,
        taper=tuple(m["taper"]),
        active_from=signed,
        active_until=None,
    )


def _hold_reason(drug: str, r: Reading | None, given_at: dt.datetime, induced: bool) -> str:
    """Why the rules would hold this dose now ("" when it may be given)."""
    if drug in HOLD_BELOW:
        if r is None:
            return "No vital signs within the hour; held until taken"
        below = [
            f"{MEASURE_WORDS[measure]} {getattr(r, measure)} (hold below {limit})"
            for measure, limit in HOLD_BELOW[drug]
            if getattr(r, measure) < limit
        ]
        return f"Hold parameters: {', '.join(below)}" if below else ""
    if drug == "buprenorphine" and not induced:
        if r is None or r.cows_total < INDUCTION_THRESHOLD or r.cows_at > given_at:
            total = r.cows_total if r else "none"
            return f"COWS {total}, under {INDUCTION_THRESHOLD}: induction dose held, reassess"
    return ""


def _scheduled(
    state: ClinicState,
    course: Course,
    plan_id: Any,
    position: int,
    m: dict[str, Any],
    signed: dt.datetime,
    readings: list[Reading],
) -> None:
    """Each due dose up to BASE: given, held or refused, a few never documented (missed)."""
    rng = state.rng
    line = _schedule_line(m, plan_id, signed)
    induced = False
    last_day = schedule.local_date(BASE)
    for due in schedule.line_doses(line, course.start, last_day):
        late = (-10, 25) if m["drug"] in HOLD_BELOW else (-15, 45)
        given_at = due.due_at + dt.timedelta(minutes=rng.uniform(*late))
        if given_at > BASE or rng.random() < 0.03:
            continue  # not documented: due, or missed two hours after its time
        reason = _hold_reason(m["drug"], _latest(readings, given_at), given_at, induced)
        r = rng.random()
        if reason:
            status = "held"
        elif r < 0.03:
            status, reason = "refused", rng.choice(REFUSED_REASONS)
        elif r < 0.06:
            status, reason = "held", rng.choice(HELD_REASONS)
        else:
            status = "given"
            induced = True
        _entry(state, course, plan_id, position, m, due.dose, status, given_at, reason, due.due_at)


def _prn(
    state: ClinicState,
    course: Course,
    plan_id: Any,
    position: int,
    m: dict[str, Any],
    signed: dt.datetime,
    readings: list[Reading],
) -> None:
    """Doses on demand, never sooner than the line's interval (plus a quarter of an hour):
    buprenorphine after a COWS of 8 or more, the comfort medications less often as the days
    pass."""
    rng = state.rng
    interval = dt.timedelta(hours=schedule.PRN_INTERVAL_HOURS[m["frequency"]], minutes=15)
    dose = Decimal(m["dose"])
    times: list[dt.datetime] = []
    if m["drug"] == "buprenorphine":
        for r in readings:
            at = r.cows_at + dt.timedelta(minutes=rng.uniform(5, 20))
            if r.cows_total >= INDUCTION_THRESHOLD and at <= BASE and at > signed:
                if not times or at - times[-1] >= interval:
                    times.append(at)
    else:
        at = signed + dt.timedelta(hours=rng.uniform(1, 5))
        while at <= BASE:
            days = (at - signed).total_seconds() / 86400
            if rng.random() < PRN_SHARE[m["drug"]] * max(0.15, 1 - days / (DETOX_DAYS - 1)):
                times.append(at)
                at += interval + dt.timedelta(hours=rng.uniform(0, 6))
            else:
                at += dt.timedelta(hours=rng.uniform(1.5, 5))
    for at in times:
        _entry(state, course, plan_id, position, m, dose, "given", at, "", None)


def _entry(
    state: ClinicState,
    course: Course,
    plan_id: Any,
    position: int,
    m: dict[str, Any],
    dose: Decimal,
    status: str,
    given_at: dt.datetime,
    reason: str,
    due_at: dt.datetime | None,
) -> None:
    """One MAR entry by the patient's nurse, documented minutes after (and its DueDose row for
    a scheduled dose). medication_id is (plan, position) and due_dose_id None until written."""
    nurse = course.team.nurse
    aid = state.ids.new("administration")
    documented = min(given_at + dt.timedelta(minutes=state.rng.uniform(1, 15)), BASE)
    given = status == "given"
    line_key = (plan_id, position)
    state.add(
        tables.ADMINISTRATION,
        {
            "id": aid,
            "created_at": documented,
            "updated_at": documented,
            "created_by_id": nurse,
            "updated_by_id": nurse,
            "patient_id": course.pid,
            "plan_id": plan_id,
            "medication_id": line_key,
            "due_dose_id": None,
            "due_at": due_at,
            "status": status,
            "dose": dose if given else None,
            "unit": m["unit"] if given else "",
            "route": m["route"] if given else "",
            "given_at": given_at,
            "reason": reason,
            "voids_id": None,
        },
    )
    prn = due_at is None
    state.audit(
        documented, nurse, course.pid, aid, events.administration_recorded(status, m["drug"], prn)
    )
    if due_at is not None:
        state.add(
            tables.DUE_DOSE,
            {
                "id": None,
                "patient_id": course.pid,
                "medication_id": line_key,
                "due_at": due_at,
                "entry_id": aid,
            },
        )
