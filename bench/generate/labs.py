"""An episode's labs: intake blood work (and an HCV RNA when the antibody is positive), ECGs on
methadone, urine drug screens on a schedule (an observed recollection after an invalid
specimen), a pregnancy test, and this morning's order not collected yet."""

from __future__ import annotations

import datetime as dt

from bench.generate.common import BASE
from bench.generate.course import Course
from bench.generate.lab_orders import OrderSpec, order
from bench.generate.programs import (
    REGIME_DRUGS,
    UDS_LATER_EVERY,
    UDS_MONTHLY_UNTIL_DAY,
    UDS_WEEKLY_WEEKS,
)
from bench.generate.state import ClinicState

OPIOID_SCREENS = {
    "fentanyl": ("fentanyl", "norfentanyl"),
    "heroin": ("6-mam", "opiates"),
    "prescription-opioid": ("oxycodone",),
    "other-opioid": ("opiates",),
}
CO_USE = (("cocaine", 0.2), ("amphetamines", 0.15), ("benzodiazepines", 0.1), ("thc", 0.3))
# Specimen validity of a screen (cumulative shares; the rest valid).
VALIDITY = (("dilute", 0.04), ("invalid", 0.047), ("substituted", 0.052), ("adulterated", 0.055))
RECOLLECT = ("invalid", "substituted", "adulterated")
# Medication found by a screen when taken, and in a spiked sample; with the shares of screens
# (cumulative) showing each.
MEDICATION_SCREENS = {
    "methadone": (("methadone", "eddp"), ("methadone",)),
    "bup": (("buprenorphine", "norbuprenorphine"), ("buprenorphine",)),
    "bup-xr": (("buprenorphine", "norbuprenorphine"), ("buprenorphine",)),
}
ADHERENCE = {"methadone": (0.93, 0.95), "bup": (0.88, 0.92), "bup-xr": (0.88, 0.92)}


def labs(state: ClinicState, course: Course) -> None:
    pregnant = _intake_blood(state, course)
    _ecgs(state, course)
    _screens(state, course)
    rng, team = state.rng, course.team
    if course.active and course.last_day == BASE.date() and rng.random() < 0.3:
        # An order placed this morning, not collected yet.
        at = BASE - dt.timedelta(minutes=rng.randrange(10, 100))
        order(state, OrderSpec(course.pid, "uds", team.nurse, team.nurse, at, team.physician), None)
    if (
        course.sex == "female"
        and rng.random() < 0.3
        and (BASE - state.at_day(course.start, 9.1)).days > 0
    ):
        panel = state.ctx.labs.get(("pregnancy", pregnant), rng.randrange(6))
        at = state.at_day(course.start, 9.1)
        order(
            state,
            OrderSpec(course.pid, "pregnancy", team.nurse, team.nurse, at, team.physician),
            panel,
        )


def _intake_blood(state: ClinicState, course: Course) -> bool:
    """Intake blood work, and an HCV RNA when the antibody is positive; returns whether the
    patient is pregnant."""
    rng, pool, team = state.rng, state.ctx.labs, course.team
    blood_at = state.at_day(course.start, 9)
    pregnant = course.sex == "female" and rng.random() < 0.05
    key = (
        "intake-blood", "female" if course.sex == "female" else "male", course.hcv,
        rng.random() < 0.03, rng.random() < 0.03, pregnant, course.hcv and rng.random() < 0.4,
        rng.random() < 0.06,
    )  # fmt: skip
    if blood_at > BASE:
        return pregnant
    spec = OrderSpec(
        course.pid, "intake-blood", team.physician, team.nurse, blood_at, team.physician
    )
    order(state, spec, pool.get(key, rng.randrange(6)))
    if course.hcv:
        at = blood_at + dt.timedelta(days=rng.randrange(4, 15))
        if at <= BASE:
            panel = pool.get(("hcv-confirm", rng.random() < 0.7), rng.randrange(6))
            spec = OrderSpec(
                course.pid, "hcv-confirm", team.physician, team.nurse, at, team.physician
            )
            order(state, spec, panel)
    return pregnant


def _ecgs(state: ClinicState, course: Course) -> None:
    """An ECG before methadone and every six months on it."""
    if course.regime != "methadone":
        return
    rng, team = state.rng, course.team
    day = 0
    while course.start + dt.timedelta(days=day) <= course.last_day:
        at = state.at_day(course.start + dt.timedelta(days=day), 9.2)
        panel = state.ctx.labs.get(("ecg", rng.random() < 0.08), rng.randrange(6))
        order(
            state,
            OrderSpec(course.pid, "ecg", team.physician, team.nurse, at, team.physician),
            panel,
        )
        day += 180


def uds_days(program: str, start: dt.date, last_day: dt.date) -> list[int]:
    """Days of the episode with a urine drug screen: weekly for the first weeks (all through
    residential care), then every 4 weeks, then every 8 once stable; once in inpatient care."""
    length = (last_day - start).days
    if program == "inpatient":
        return [0]
    days, day = [], 0
    while day <= length:
        days.append(day)
        if program == "residential" or day < UDS_WEEKLY_WEEKS * 7:
            day += 7
        elif day < UDS_MONTHLY_UNTIL_DAY:
            day += 28
        else:
            day += UDS_LATER_EVERY
    return days


def _screens(state: ClinicState, course: Course) -> None:
    """The urine drug screens, with an observed recollection the next day after an invalid,
    substituted or adulterated specimen."""
    rng, pool, team = state.rng, state.ctx.labs, course.team
    drugs = REGIME_DRUGS[course.regime]
    co_use = [s for s, p in CO_USE if rng.random() < p]
    for i, day in enumerate(uds_days(course.program, course.start, course.last_day)):
        at = state.at_day(course.start + dt.timedelta(days=day), 9.5)
        if at > BASE:
            break
        positives = frozenset(_positives(state, course, co_use, day / 7, i))
        validity = _validity(rng.random())
        panel = pool.get(("uds", drugs, positives, validity), rng.randrange(pool.VARIANTS))
        ordered_by = rng.choice((team.physician, team.nurse))
        order(
            state, OrderSpec(course.pid, "uds", ordered_by, team.nurse, at, team.physician), panel
        )
        if panel.specimen_status in RECOLLECT:
            # The chart asks for an observed recollection: done the next day.
            at2 = at + dt.timedelta(days=1)
            if at2 <= BASE:
                panel = pool.get(("uds", drugs, positives, "valid"), rng.randrange(pool.VARIANTS))
                spec = OrderSpec(
                    course.pid, "uds", team.physician, team.nurse, at2, team.physician, True, "stat"
                )
                order(state, spec, panel)


def _validity(roll: float) -> str:
    for validity, below in VALIDITY:
        if roll < below:
            return validity
    return "valid"


def _positives(
    state: ClinicState, course: Course, co_use: list[str], weeks: float, index: int
) -> set[str]:
    """What a screen detects: use (less likely as treatment goes on), and the medication when
    taken."""
    rng, regime = state.rng, course.regime
    p_use = max(0.12, 0.65 - 0.05 * weeks) if regime != "detox" else 0.9
    positives: set[str] = set()
    if rng.random() < p_use:
        positives.update(OPIOID_SCREENS[course.primary])
        if "fentanyl" in positives and rng.random() < 0.3:
            positives.add("xylazine")
        positives.update(s for s in co_use if rng.random() < 0.6)
    elif rng.random() < 0.15:
        positives.update(s for s in co_use if rng.random() < 0.5)
    if REGIME_DRUGS[regime] and index > 0 or regime == "methadone":
        positives.update(_medication(regime, rng.random()))
    return positives


def _medication(regime: str, adherence: float) -> tuple[str, ...]:
    """The medication and its metabolite when taken; now and then a spiked sample (the drug
    without its metabolite); nothing otherwise (naltrexone is not screened for)."""
    if regime not in MEDICATION_SCREENS:
        return ()
    (taken, spiked), (taken_below, spiked_below) = MEDICATION_SCREENS[regime], ADHERENCE[regime]
    if adherence < taken_below:
        return taken
    if adherence < spiked_below:
        return spiked
    return ()
