"""Intake interviews: the interview with its substance rows, signed with the hash the service
computes (a recent one may still be a draft), and now and then a signed addendum."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from bench.generate import events, tables
from bench.generate.columns import instance_row
from bench.generate.common import BASE, pick
from bench.generate.course import Course
from bench.generate.names import REASONS
from bench.generate.programs import CO_SUBSTANCES, MEDICATION_TEXT
from bench.generate.state import ClinicState
from intake.models import Interview, InterviewAddendum, SubstanceUse
from intake.services.interview import addendum_compute_hash, interview_compute_hash

INTERVIEW_ARRAYS = {
    "prior_treatment": ("detox", "medication", "counseling", "residential", "mutual-help"),
    "risk_factors": (
        "family-history-addiction",
        "personal-history-addiction",
        "heavy-tobacco",
        "severe-depression",
        "severe-anxiety",
        "unemployment",
        "high-risk-exposure",
        "risk-taking",
    ),
    "observed_signs": (
        "agitation",
        "drowsiness",
        "slurred-speech",
        "constricted-pupils",
        "depressed-mood",
        "memory-problems",
        "needle-marks",
        "runny-nose",
        "nasal-sores",
        "constipation",
        "reduced-pain-sensitivity",
    ),
    "behavioral_signs": (
        "hygiene-decline",
        "secrecy",
        "hostility-to-family",
        "money-problems",
        "stealing",
        "school-work-problems",
        "risky-behavior",
    ),
    "mental_health_conditions": ("depression", "anxiety", "ptsd", "bipolar", "psychosis"),
    "medical_conditions": ("hepatitis-c", "hiv", "skin-infections", "chronic-pain"),
}
# How often each sign or condition is checked, by list.
ARRAY_RATES = (
    ("prior_treatment", 0.3),
    ("risk_factors", 0.3),
    ("observed_signs", 0.2),
    ("behavioral_signs", 0.25),
    ("mental_health_conditions", 0.2),
    ("medical_conditions", 0.12),
)
GOALS = (
    "Stop using and keep my job.",
    "Get my kids back.",
    "Stay alive; no more overdoses.",
    "Cut down, then stop.",
    "Get stable housing and stop using.",
)
HOW_USE_BEGAN = (
    ("non-prescribed", 55),
    ("prescribed-after-surgery", 20),
    ("prescribed-after-injury", 15),
    ("prescribed-other", 10),
)
PREGNANCY = (("not-pregnant", 92), ("pregnant", 5), ("unknown", 3))
ALLERGIES = ("NKDA", "NKDA", "NKDA", "Penicillin", "Sulfa")
HOUSING = (("stable", 45), ("unstable", 25), ("shelter", 12), ("unhoused", 15), ("institution", 3))
EMPLOYMENT = (
    ("full-time", 25),
    ("part-time", 15),
    ("unemployed", 45),
    ("disabled", 10),
    ("student", 5),
)
LEGAL = (("none", 60), ("pending-charges", 15), ("probation-parole", 18), ("drug-court", 7))
SUPPORTS = ("Mother, sister", "Partner", "None", "Friends in recovery")
READINESS = (("contemplation", 20), ("preparation", 40), ("action", 35), ("maintenance", 5))
OVERDOSES = ((0, 55), (1, 25), (2, 12), (3, 8))
ROUTES = ("injected", "smoked", "snorted", "oral")
ROUTE_ORDER = ("injected", "sniffed", "snorted", "smoked", "oral")
ADDENDUM_RATE = 0.03


def interview(state: ClinicState, course: Course) -> None:
    rng = state.rng
    counselor = course.team.counselor
    iid = state.ids.new("interview")
    created = state.at_day(course.start, 10.5)
    draft = course.active and (BASE.date() - course.start).days < 10 and rng.random() < 0.3
    signed_at = None if draft else created + dt.timedelta(hours=rng.uniform(0.5, 5))
    last_use = created - dt.timedelta(hours=rng.uniform(8, 72))
    record = Interview(
        id=iid,
        created_at=created,
        updated_at=signed_at or created,
        created_by_id=counselor,
        updated_by_id=counselor,
        patient_id=course.pid,
        episode_id=course.eid,
        author_id=counselor,
        status="draft" if draft else "signed",
        interviewed_on=course.start,
        signed_at=signed_at,
        content_hash="",
        revision=1 if draft else rng.randrange(1, 4),
        last_opioid_use_at=last_use,
        **_history(rng, course),
    )
    record.overdose_count = overdoses = pick(rng, OVERDOSES)
    if overdoses:
        record.last_overdose_on = course.start - dt.timedelta(days=rng.randrange(10, 700))
    substances = _substances(state, iid, course.primary, last_use)
    if not draft:
        record.content_hash = interview_compute_hash(interview=record, substances=substances)
    state.add(tables.INTERVIEW, instance_row(record))
    for substance in substances:
        state.add(tables.SUBSTANCE, instance_row(substance))
    state.audit(created, counselor, course.pid, iid, events.interview_created(len(substances)))
    if signed_at is not None:
        sign = events.interview_signed(record.content_hash)
        state.audit(signed_at, counselor, course.pid, iid, sign)
        if rng.random() < ADDENDUM_RATE:
            at = signed_at + dt.timedelta(days=rng.randrange(1, 20))
            _addendum(state, course, record, at)


def _history(rng: random.Random, course: Course) -> dict[str, Any]:
    """The interview's answers (drawn in the order of the form)."""
    return {
        "presenting_problem": rng.choice(REASONS),
        "patient_goals": rng.choice(GOALS),
        "primary_substance": course.primary,
        "how_use_began": pick(rng, HOW_USE_BEGAN),
        "onset_notes": "",
        "last_opioid_used": course.primary,
        "overdose_count": None,
        "last_overdose_on": None,
        "naloxone_at_home": rng.random() < 0.45,
        "unsuccessful_quit_attempts": rng.randrange(0, 6),
        "quit_attempts_outcome": "",
        "use_despite_consequences": rng.random() < 0.85,
        **_checked(rng),
        "prior_treatment_outcome": "",
        "pregnancy_status": (pick(rng, PREGNANCY) if course.sex == "female" else "not-applicable"),
        "psychiatric_history": "",
        "current_medications": MEDICATION_TEXT[course.regime]
        if course.program == "otp" and rng.random() < 0.3
        else "",
        "allergies": rng.choice(ALLERGIES),
        "housing": pick(rng, HOUSING),
        "employment": pick(rng, EMPLOYMENT),
        "legal_involvement": pick(rng, LEGAL),
        "family_supports": rng.choice(SUPPORTS),
        "readiness_to_change": pick(rng, READINESS),
        "impressions": "",
    }


def _checked(rng: random.Random) -> dict[str, list[str]]:
    """The checklists: prior treatment, risk factors, signs, co-occurring conditions."""
    return {
        name: [v for v in INTERVIEW_ARRAYS[name] if rng.random() < p] for name, p in ARRAY_RATES
    }


def _substances(
    state: ClinicState, iid: uuid.UUID, primary: str, last_use: dt.datetime
) -> list[SubstanceUse]:
    """The primary opioid, then the other substances the patient uses."""
    rng = state.rng
    rows = [
        SubstanceUse(
            id=state.ids.new("substance"),
            interview_id=iid,
            substance=primary,
            substance_name="oxycodone" if primary == "prescription-opioid" else "",
            routes=sorted(rng.sample(ROUTES, rng.randrange(1, 3)), key=ROUTE_ORDER.index),
            frequency=pick(rng, (("several-daily", 60), ("daily", 30), ("several-weekly", 10))),
            typical_amount="",
            age_first_use=rng.randrange(14, 35),
            last_use_at=last_use,
            tolerance=rng.random() < 0.8,
        )
    ]
    for substance, p in CO_SUBSTANCES:
        if rng.random() < p:
            rows.append(
                SubstanceUse(
                    id=state.ids.new("substance"),
                    interview_id=iid,
                    substance=substance,
                    substance_name="",
                    routes=["smoked"] if substance in ("tobacco", "cannabis") else ["oral"],
                    frequency=pick(rng, (("daily", 40), ("several-weekly", 35), ("weekly", 25))),
                    typical_amount="",
                    age_first_use=rng.randrange(12, 30),
                    last_use_at=None,
                    tolerance=None,
                )
            )
    return rows


def _addendum(state: ClinicState, course: Course, record: Interview, at: dt.datetime) -> None:
    """Information received after signing, added by the counselor as a signed addendum."""
    counselor = course.team.counselor
    aid = state.ids.new("addendum")
    addendum = InterviewAddendum(
        id=aid,
        created_at=at,
        updated_at=at,
        created_by_id=counselor,
        updated_by_id=counselor,
        interview_id=record.id,
        author_id=counselor,
        reason="Information received after signing",
        text="Patient later reported daily alcohol use as well; see the AUDIT-C.",
        signed_at=at,
    )
    addendum.content_hash = addendum_compute_hash(
        addendum=addendum, interview_hash=record.content_hash
    )
    state.add(tables.ADDENDUM, instance_row(addendum))
    added = events.addendum_added(record.id, addendum.content_hash)
    state.audit(at, counselor, course.pid, aid, added)
