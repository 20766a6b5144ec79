"""Patients: registration, the care team, and the episodes of care that follow one another."""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid

from bench.generate import events, tables
from bench.generate.common import BASE, HISTORY_DAYS, pick
from bench.generate.detox import DETOX_DAYS, DETOX_SHARE
from bench.generate.episodes import Stay, episode
from bench.generate.names import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    LANGUAGES,
    REASONS,
    REFERRALS,
    STREETS,
    TOWNS,
)
from bench.generate.programs import FIRST_PROGRAM, PROGRAM_LENGTH
from bench.generate.state import ClinicState, Team

MAX_EPISODES = 4
SEXES = (("male", 60), ("female", 38), ("intersex", 1), ("unknown", 1))
PRONOUNS = {"male": "he/him", "female": "she/her"}
DETOX_STAY = dt.timedelta(days=DETOX_DAYS)
STEP_DOWN = (("outpatient", 60), ("residential", 25), ("otp", 15))


def _phone(rng: random.Random) -> str:
    return f"555-{rng.randrange(200, 999)}-{rng.randrange(10000):04d}"


def patient(state: ClinicState, index: int, team: Team) -> None:
    """One patient: registered by their counselor, a care team, one to four episodes."""
    rng = state.rng
    pid = state.ids.new("patient")
    sex = pick(rng, SEXES)
    given = rng.choice(GIVEN_NAMES)
    family = rng.choice(FAMILY_NAMES)
    if rng.random() < 0.04:
        family = f"{family}-{rng.choice(FAMILY_NAMES)}"
    preferred = rng.choice(GIVEN_NAMES) if rng.random() < 0.08 else ""
    age = max(18, min(75, int(rng.gauss(37, 11))))
    birth = (BASE - dt.timedelta(days=age * 365 + rng.randrange(365))).date()
    # The network grew: more patients were first admitted recently than years ago.
    days_ago = 2 + int((HISTORY_DAYS - 2) * (1 - math.sqrt(rng.random())))
    # A share of patients are in a medically supervised detox at BASE, admitted 1 to 7 days
    # before (drawn from a Random of its own: the share does not shift the others' draws).
    supervised = state.detox_rng.random() < DETOX_SHARE
    if supervised:
        days_ago = state.detox_rng.randrange(1, DETOX_DAYS + 1)
    first_admit = (BASE - dt.timedelta(days=days_ago)).date()
    registered = state.at_day(first_admit - dt.timedelta(days=rng.randrange(0, 4)), 10)
    counselor = team.counselor
    state.add(
        tables.PATIENT,
        {
            "id": pid,
            "created_at": registered,
            "updated_at": registered,
            "created_by_id": counselor,
            "updated_by_id": counselor,
            "mrn": f"{state.ctx.mrn_start + index:08d}",
            "given_name": given,
            "family_name": family,
            "preferred_name": preferred,
            "birth_date": birth,
            "sex_at_birth": sex,
            "gender_identity": "",
            "pronouns": PRONOUNS.get(sex, "they/them") if rng.random() < 0.7 else "",
            "phone": _phone(rng),
            "address": f"{rng.randrange(1, 9999)} {rng.choice(STREETS)} St, {rng.choice(TOWNS)}",
            "emergency_contact_name": (
                f"{rng.choice(GIVEN_NAMES)} {family}" if rng.random() < 0.8 else ""
            ),
            "emergency_contact_phone": _phone(rng),
            "preferred_language": pick(rng, LANGUAGES),
            "referral_source": rng.choice(REFERRALS),
            "reason_for_visit": rng.choice(REASONS),
            "version": 1,
        },
    )
    state.audit(registered, counselor, pid, pid, events.patient_registered())
    _care_team(state, pid, team, registered)
    if supervised:
        stay = Stay(pid, sex, team, "inpatient", first_admit, first_admit + DETOX_STAY, True,
                    registered, supervised=True)  # fmt: skip
        episode(state, stay)
        return
    _episodes(state, pid, sex, team, first_admit, registered)


def _care_team(state: ClinicState, pid: uuid.UUID, team: Team, joined: dt.datetime) -> None:
    """The clinic administrator adds the team; some patients had another counselor before."""
    rng, clinic = state.rng, state.clinic
    if rng.random() < 0.15:
        counselors = clinic.counselors
        previous = counselors[(counselors.index(team.counselor) + 1) % len(counselors)]
        if previous != team.counselor:
            ended = joined + dt.timedelta(days=rng.randrange(20, 200))
            care_team_member(state, pid, previous, "counselor", joined, ended)
    for role, user in team.members():
        care_team_member(state, pid, user, role, joined + dt.timedelta(minutes=5), None)


def care_team_member(
    state: ClinicState,
    pid: uuid.UUID,
    user: int,
    role: str,
    start: dt.datetime,
    ended: dt.datetime | None,
) -> None:
    mid = state.ids.new("careteam")
    admin = state.clinic.admin
    state.add(
        tables.CARE_TEAM,
        {
            "id": mid,
            "created_at": start,
            "updated_at": ended or start,
            "created_by_id": admin,
            "updated_by_id": admin,
            "patient_id": pid,
            "user_id": user,
            "team_role": role,
            "ended_at": ended,
        },
    )
    state.audit(start, admin, pid, mid, events.care_team_member_added())


def _episodes(
    state: ClinicState,
    pid: uuid.UUID,
    sex: str,
    team: Team,
    first_admit: dt.date,
    registered: dt.datetime,
) -> None:
    """Episodes until the current one (or a last discharge): after withdrawal management most
    step down to another program; otherwise some are readmitted months later."""
    rng = state.rng
    day = first_admit
    program = pick(rng, FIRST_PROGRAM)
    for count in range(1, MAX_EPISODES + 1):
        length_median, spread, longest = PROGRAM_LENGTH[program]
        length = max(1, min(longest, int(rng.lognormvariate(math.log(length_median), spread))))
        end = day + dt.timedelta(days=length)
        active = end >= BASE.date() - dt.timedelta(days=1)
        stay = Stay(pid, sex, team, program, day, end, active, registered)
        episode(state, stay)
        if active or count == MAX_EPISODES:
            return
        if program == "inpatient" and rng.random() < 0.7:
            day = end + dt.timedelta(days=rng.randrange(0, 3))
            program = pick(rng, STEP_DOWN)
        elif rng.random() < 0.25:
            day = end + dt.timedelta(days=rng.randrange(30, 500))
            program = pick(rng, FIRST_PROGRAM)
        else:
            return
        if day >= BASE.date():
            return
