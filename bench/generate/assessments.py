"""Instrument administrations and the diagnosis: DSM-5 criteria and ASAM at admission, PHQ-9
and screens, COWS every 8 hours through withdrawal management or at buprenorphine induction,
PHQ-9 monthly then quarterly, ASAM every six months."""

from __future__ import annotations

import datetime as dt
import uuid

from bench.generate import events, tables
from bench.generate.common import BASE, EMPTY_JSON
from bench.generate.course import Course
from bench.generate.programs import ASAM_LEVEL
from bench.generate.state import ClinicState
from intake.scoring import icd10_for

SAFETY_NOTE = "Safety assessment done; no current plan or intent. Safety plan reviewed."
# Screens at admission, each given to this share of patients.
SCREENS = (("gad7", 0.6), ("dast10", 0.4), ("auditc", 0.7))
INDUCTION_REGIMES = ("bup", "bup-xr")
MAINTENANCE_REGIMES = ("methadone", "bup", "bup-xr")


def assessment(
    state: ClinicState,
    course: Course,
    instrument: str,
    level: int,
    at: dt.datetime,
    by: int,
    *,
    recommended: str = "",
    follow_up_by: int | None = None,
) -> tuple[uuid.UUID, object, str]:
    """One administration, scored; an alert gets its safety follow-up (older ones always).
    Returns the id, the total and the band."""
    rng = state.rng
    answers, total, band, alerts, details, version = state.ctx.answers.get(
        rng, instrument, level, course.sex
    )
    aid = state.ids.new("assessment")
    safety_at = safety_by = None
    note = ""
    if alerts and (BASE - at).days > 10 or alerts and rng.random() < 0.5:
        safety_at = at + dt.timedelta(hours=rng.uniform(0.2, 6))
        safety_by = follow_up_by or by
        note = SAFETY_NOTE
    if safety_at is not None and safety_at > BASE:
        safety_at = safety_by = None
        note = ""
    state.add(
        tables.ASSESSMENT,
        {
            "id": aid,
            "created_at": at,
            "updated_at": safety_at or at,
            "created_by_id": by,
            "updated_by_id": safety_by or by,
            "patient_id": course.pid,
            "episode_id": course.eid,
            "instrument": instrument,
            "version": version,
            "answers": answers,
            "item_notes": EMPTY_JSON,
            "recommended_level": recommended,
            "total": total,
            "band": band,
            "alerts": alerts,
            "details": details,
            "administered_at": at,
            "administered_by_id": by,
            "safety_assessed_at": safety_at,
            "safety_assessed_by_id": safety_by,
            "safety_note": note,
            # Assessment.source (migration 0026): the generated ones are the clinicians'.
            "source": "clinician",
        },
    )
    state.audit(at, by, course.pid, aid, events.assessment_recorded(instrument, alerts))
    return aid, total, band


def assessments(state: ClinicState, course: Course) -> str:
    """The episode's administrations; returns the ASAM level of care recommended."""
    day0 = state.at_day(course.start, 11)
    mood = _admission(state, course, day0)
    _withdrawal(state, course, day0)
    _follow_up(state, course, mood)
    return ASAM_LEVEL[course.program]


def _admission(state: ClinicState, course: Course, day0: dt.datetime) -> int:
    """DSM-5 criteria (and the diagnosis), ASAM, PHQ-9 and screens; returns the mood level."""
    rng = state.rng
    counselor, physician = course.team.counselor, course.team.physician
    level = rng.choice((6, 7, 8, 9))
    aid, _total, band = assessment(state, course, "dsm5-oud", level, day0, physician)
    if band != "none":
        _diagnosis(state, course, aid, band, day0 + dt.timedelta(hours=1))
    level = rng.randrange(3, 8)
    asam_at = day0 + dt.timedelta(minutes=30)
    recommended = ASAM_LEVEL[course.program]
    assessment(state, course, "asam", level, asam_at, counselor, recommended=recommended)
    mood = rng.randrange(0, 10)
    assessment(state, course, "phq9", mood, day0 + dt.timedelta(minutes=40), counselor)
    for instrument, p in SCREENS:
        if rng.random() < p:
            level = rng.randrange(0, 10)
            assessment(state, course, instrument, level, day0 + dt.timedelta(minutes=50), counselor)
    return mood


def _diagnosis(
    state: ClinicState, course: Course, aid: uuid.UUID, band: str, at: dt.datetime
) -> None:
    physician = course.team.physician
    did = state.ids.new("diagnosis")
    icd10 = icd10_for(band, "none")
    state.add(
        tables.DIAGNOSIS,
        {
            "id": did,
            "created_at": at,
            "updated_at": at,
            "created_by_id": physician,
            "updated_by_id": physician,
            "patient_id": course.pid,
            "assessment_id": aid,
            "severity": band,
            "remission": "none",
            "on_maintenance_therapy": course.regime in MAINTENANCE_REGIMES,
            "controlled_environment": False,
            "icd10": icd10,
            "diagnosed_by_id": physician,
            "diagnosed_on": course.start,
            "diagnosed_by_license": "MD",
        },
    )
    state.audit(at, physician, course.pid, did, events.diagnosis_recorded(icd10))


def _withdrawal(state: ClinicState, course: Course, day0: dt.datetime) -> None:
    """COWS every 8 hours through withdrawal management (SOWS now and then), or at induction."""
    rng = state.rng
    nurse, physician = course.team.nurse, course.team.physician
    if course.supervised:
        return  # COWS every 4 hours with the vital signs: bench/generate/detox.py
    if course.regime == "detox":
        hours = min(4, (course.last_day - course.start).days + 1) * 24
        for h in range(0, hours, 8):
            at = day0 + dt.timedelta(hours=h + rng.uniform(-0.5, 0.5))
            if at > BASE:
                break
            level = max(0, round(7 - 7 * h / hours + rng.gauss(0, 1.2)))
            assessment(state, course, "cows", level, at, nurse, follow_up_by=physician)
            if rng.random() < 0.2:
                later = at + dt.timedelta(minutes=5)
                assessment(state, course, "sows", level, later, nurse)
    elif course.regime in INDUCTION_REGIMES:
        for h, level in (
            (0, rng.randrange(3, 7)),
            (2, rng.randrange(2, 5)),
            (24, rng.randrange(0, 3)),
        ):
            at = day0 + dt.timedelta(hours=h)
            if at <= BASE:
                assessment(state, course, "cows", level, at, nurse)


def _follow_up(state: ClinicState, course: Course, mood: int) -> None:
    """PHQ-9 monthly for three months, then quarterly; ASAM every six months."""
    rng = state.rng
    counselor = course.team.counselor
    recommended = ASAM_LEVEL[course.program]
    day = 30
    while course.start + dt.timedelta(days=day) <= course.last_day:
        at = state.at_day(course.start + dt.timedelta(days=day), 11)
        mood = max(0, min(9, mood + rng.choice((-2, -1, -1, 0, 0, 1))))
        assessment(state, course, "phq9", mood, at, counselor)
        if day % 180 < 30 and day >= 180:
            level = rng.randrange(1, 6)
            later = at + dt.timedelta(minutes=15)
            assessment(state, course, "asam", level, later, counselor, recommended=recommended)
        day += 30 if day < 90 else 90
