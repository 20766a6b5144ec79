"""Episodes of care: admission, then the intake interview, the assessments, the labs and the
treatment plans of the stay, then the discharge."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from bench.generate import events, tables
from bench.generate.assessments import assessments
from bench.generate.common import BASE, EMPTY_JSON, pick
from bench.generate.course import Course
from bench.generate.detox import supervised_detox
from bench.generate.interviews import interview
from bench.generate.labs import labs
from bench.generate.plans import plans
from bench.generate.programs import DISCHARGE_REASONS, OPIOIDS, REGIMES
from bench.generate.state import ClinicState, Team


@dataclass(frozen=True)
class Stay:
    """One episode as the patient's history decides it, before its records are built."""

    pid: uuid.UUID
    sex: str
    team: Team
    program: str
    start: dt.date
    end: dt.date
    active: bool
    registered: dt.datetime
    # A medically supervised detox in progress at BASE, its plan and MAR (detox.py).
    supervised: bool = False


def episode(state: ClinicState, stay: Stay) -> None:
    rng = state.rng
    counselor = stay.team.counselor
    eid = state.ids.new("episode")
    admitted_at = max(state.at_day(stay.start, 9.5), stay.registered + dt.timedelta(minutes=30))
    reason = "" if stay.active else pick(rng, DISCHARGE_REASONS)
    discharged_at = None if stay.active else state.at_day(stay.end, 15)
    state.add(
        tables.EPISODE,
        {
            "id": eid,
            "created_at": admitted_at,
            "updated_at": discharged_at or admitted_at,
            "created_by_id": counselor,
            "updated_by_id": counselor,
            "patient_id": stay.pid,
            "program": stay.program,
            "admitted_on": stay.start,
            "status": "active" if stay.active else "discharged",
            "discharged_on": None if stay.active else stay.end,
            "discharge_reason": reason,
            # The completion summary of a supervised detox is written by the physician's
            # review (services/withdrawal_review.py); generated detoxes are still running.
            "withdrawal_summary": EMPTY_JSON,
        },
    )
    state.audit(admitted_at, counselor, stay.pid, eid, events.episode_admitted())
    course = Course(
        pid=stay.pid,
        eid=eid,
        sex=stay.sex,
        team=stay.team,
        program=stay.program,
        regime="detox" if stay.supervised else pick(rng, REGIMES[stay.program]),
        primary=pick(rng, OPIOIDS),
        start=stay.start,
        last_day=min(stay.end, BASE.date()),
        active=stay.active,
        supervised=stay.supervised,
    )
    interview(state, course)
    asam_level = assessments(state, course)
    course.hcv = rng.random() < 0.25
    labs(state, course)
    if course.supervised:
        supervised_detox(state, course, asam_level)
    else:
        plans(state, course, asam_level)
    if discharged_at is not None:
        state.audit(discharged_at, counselor, stay.pid, eid, events.episode_discharged())
