"""Treatment plans: a version at admission and one at each scheduled review (every four to eight
months), each with its medication and behavioral lines; signed with the hash of the signed
content as the service computes it, the earlier versions superseded, the last one closed at
discharge (or, in a current episode, active, submitted, in draft or sent back)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench.generate import events, tables
from bench.generate.common import BASE, jsonb
from bench.generate.course import Course
from bench.generate.plan_lines import behavioral, medications
from bench.generate.programs import PLAN_SETTING
from bench.generate.state import ClinicState
from intake.services.treatment_plan import content_hash

SIGNED = ("active", "superseded", "closed")
QTC_WARNING = {"code": "methadone-qtc", "message": "No QTc on record before methadone."}
QTC_ACKNOWLEDGED = {
    "code": "methadone-qtc",
    "reason": "ECG ordered for today; dose held until read.",
}


@dataclass(frozen=True)
class Basis:
    """What every version of the episode's plan shares."""

    medications: list[dict[str, Any]]
    behavioral: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    asam_level: str
    detox: bool


def _problems(course: Course) -> list[dict[str, Any]]:
    target = (course.start + dt.timedelta(days=90)).isoformat()
    oud = {
        "code": "oud",
        "description": "Opioid use disorder",
        "goals": [
            {
                "text": "No illicit opioid use",
                "objectives": [
                    {"text": "Negative drug screens for 8 weeks", "target_date": target}
                ],
                "interventions": [
                    {"text": "Medication and weekly counseling", "responsible": "team"}
                ],
            }
        ],
    }
    problems = [oud]
    if course.hcv:
        problems.append({"code": "hcv", "description": "Hepatitis C", "goals": [
            {"text": "Start HCV treatment", "objectives": [], "interventions": [
                {"text": "Refer to hepatology", "responsible": "physician"}]}]})  # fmt: skip
    return problems


def plans(state: ClinicState, course: Course, asam_level: str) -> None:
    """The episode's plan versions up to BASE, each amending the one before."""
    rng = state.rng
    basis = Basis(
        medications=medications(course.regime, course.start, rng),
        behavioral=behavioral(course.program, rng),
        problems=_problems(course),
        asam_level=asam_level,
        detox=course.regime == "detox",
    )
    created = state.at_day(course.start, 14) + dt.timedelta(days=rng.randrange(0, 3))
    length = (course.last_day - course.start).days
    offsets, day = [], 0
    while True:
        offsets.append(day)
        day += rng.randrange(120, 240)
        if day > length - 3:
            break
    dates = []
    for offset in offsets:
        at = created + dt.timedelta(days=offset)
        if at > BASE:
            break
        dates.append(at)
    previous = None
    for version, at in enumerate(dates, start=1):
        previous = _version(state, course, basis, version, at, version == len(dates), previous)


def _final_status(state: ClinicState, course: Course, at: dt.datetime, last: bool) -> str:
    """Earlier versions were superseded; the last is closed at discharge, or in a current
    episode usually active (a recent one often still waiting for review)."""
    if not last:
        return "superseded"
    if not course.active:
        return "closed"
    age = (BASE - at).days
    r = state.rng.random()
    if age < 21 and r < 0.35 or r < 0.06:
        return "submitted"
    if r < 0.09:
        return "draft"
    if r < 0.11:
        return "changes-requested"
    return "active"


@dataclass
class Version:
    """One plan version's ids, people, status and times."""

    plan_id: uuid.UUID
    previous: uuid.UUID | None
    number: int
    final: str
    author: int
    signer: int
    at: dt.datetime
    submitted_at: dt.datetime | None
    signed_at: dt.datetime | None
    closed_at: dt.datetime | None
    revision: int

    @property
    def signed(self) -> bool:
        return self.final in SIGNED


def _version(
    state: ClinicState,
    course: Course,
    basis: Basis,
    number: int,
    at: dt.datetime,
    last: bool,
    previous: uuid.UUID | None,
) -> uuid.UUID:
    """One version: its row (a draft; plan_status records the status it is then set to), its
    lines, and the audit events of its creation, submission and signature."""
    rng, team = state.rng, course.team
    plan_id = state.ids.new("plan")
    final = _final_status(state, course, at, last)
    meds = [
        dict(m, start_date=max(m["start_date"], at.date()).isoformat()) for m in basis.medications
    ]
    content = _content(course, basis, number, at, meds)
    submitted_at: dt.datetime | None = at + dt.timedelta(hours=rng.uniform(1, 30))
    if final == "draft":
        submitted_at = None
    signed_at = None
    if final in SIGNED and submitted_at is not None:
        signed_at = submitted_at + dt.timedelta(hours=rng.uniform(2, 48))
        if signed_at > BASE:
            signed_at = BASE - dt.timedelta(minutes=5)
    if basis.medications or basis.detox:
        signer = team.physician
    else:
        signer = rng.choice((team.counselor, team.physician))
    closed_at = state.at_day(course.last_day, 15) if final == "closed" else None
    v = Version(
        plan_id=plan_id,
        previous=previous,
        number=number,
        final=final,
        author=team.physician if basis.medications else team.counselor,
        signer=signer,
        at=at,
        submitted_at=submitted_at,
        signed_at=signed_at,
        closed_at=closed_at,
        revision=rng.randrange(1, 4),
    )
    _plan_row(state, course, basis, v, content)
    _plan_lines(state, plan_id, meds, basis.behavioral)
    if final != "draft":
        state.plan_status.append((plan_id, final))
    return plan_id


def _content(
    course: Course, basis: Basis, number: int, at: dt.datetime, meds: list[dict[str, Any]]
) -> dict[str, Any]:
    """The content the signature covers (services.treatment_plan.treatment_plan_content)."""
    detox = basis.detox
    return {
        "patient": str(course.pid),
        "version": number,
        "setting": PLAN_SETTING[course.program],
        "asam_level": basis.asam_level,
        "medically_supervised_detox": detox,
        "hospitalize_for_detox": detox and course.program == "inpatient",
        "withdrawal_monitoring": _monitoring(detox),
        "problems": basis.problems,
        "review_date": (at + dt.timedelta(days=90)).date().isoformat(),
        "medications": meds,
        "behavioral": basis.behavioral,
    }


def _monitoring(detox: bool, every_hours: int = 6) -> dict[str, Any]:
    return {"instrument": "cows", "every_hours": every_hours, "notes": ""} if detox else {}


def supervised_plan(
    state: ClinicState,
    course: Course,
    asam_level: str,
    meds: list[dict[str, Any]],
    created: dt.datetime,
) -> tuple[uuid.UUID, dt.datetime]:
    """A supervised detox's plan: one version, written by the physician on the morning of
    admission, signed within two hours and active, COWS every 4 hours. Returns its id and
    signature time."""
    rng, team = state.rng, course.team
    basis = Basis(
        medications=meds,
        behavioral=behavioral(course.program, rng),
        problems=_problems(course),
        asam_level=asam_level,
        detox=True,
    )
    submitted = created + dt.timedelta(minutes=rng.uniform(10, 30))
    signed = submitted + dt.timedelta(minutes=rng.uniform(5, 20))
    v = Version(
        plan_id=state.ids.new("plan"),
        previous=None,
        number=1,
        final="active",
        author=team.physician,
        signer=team.physician,
        at=created,
        submitted_at=submitted,
        signed_at=signed,
        closed_at=None,
        revision=1,
    )
    lines = [dict(m, start_date=m["start_date"].isoformat()) for m in meds]
    content = _content(course, basis, 1, created, lines)
    content["withdrawal_monitoring"] = _monitoring(True, every_hours=4)
    _plan_row(state, course, basis, v, content)
    _plan_lines(state, v.plan_id, lines, basis.behavioral)
    state.plan_status.append((v.plan_id, "active"))
    return v.plan_id, signed


def _plan_row(
    state: ClinicState, course: Course, basis: Basis, v: Version, content: dict[str, Any]
) -> None:
    team = course.team
    methadone_start = course.regime == "methadone" and v.number == 1
    warnings = [QTC_WARNING] if methadone_start else []
    acknowledged = [QTC_ACKNOWLEDGED] if methadone_start and v.signed else []
    digest = content_hash(content) if v.signed else ""
    changes = v.final == "changes-requested"
    by_physician = v.signer == team.physician
    state.add(
        tables.PLAN,
        {
            "id": v.plan_id,
            "created_at": v.at,
            "updated_at": v.closed_at or v.signed_at or v.submitted_at or v.at,
            "created_by_id": v.author,
            "updated_by_id": v.author,
            "patient_id": course.pid,
            "episode_id": course.eid,
            "version": v.number,
            "revision": v.revision,
            "status": "draft",
            "previous_id": v.previous,
            "amendment_reason": "" if v.previous is None else "Scheduled review: plan updated",
            "setting": content["setting"],
            "asam_level": basis.asam_level,
            "medically_supervised_detox": basis.detox,
            "hospitalize_for_detox": content["hospitalize_for_detox"],
            "withdrawal_monitoring": jsonb(content["withdrawal_monitoring"]),
            "problems": jsonb(basis.problems),
            "review_date": (v.at + dt.timedelta(days=90)).date(),
            "submitted_at": v.submitted_at,
            "submitted_by_id": v.author if v.submitted_at else None,
            "warnings": jsonb(warnings),
            "review_comment": "Please add a naloxone kit." if changes else "",
            "reviewed_by_id": team.physician if v.submitted_at and (v.signed or changes) else None,
            "signed_at": v.signed_at,
            "signed_by_id": v.signer if v.signed else None,
            "signed_role": ("physician" if by_physician else "counselor") if v.signed else "",
            "signed_credentials": ("MD" if by_physician else "LADC") if v.signed else "",
            "signed_content": jsonb(content) if v.signed else None,
            "content_hash": digest,
            "acknowledged_warnings": jsonb(acknowledged),
            "closed_at": v.closed_at,
        },
    )
    _plan_audit(state, course, v, [w["code"] for w in warnings], digest, acknowledged)


def _plan_audit(
    state: ClinicState,
    course: Course,
    v: Version,
    warnings: list[str],
    digest: str,
    acknowledged: list[dict[str, str]],
) -> None:
    pid = course.pid
    if v.previous is None:
        created = events.plan_created()
    else:
        created = events.plan_amended(v.previous, v.number)
    state.audit(v.at, v.author, pid, v.plan_id, created)
    if v.submitted_at:
        state.audit(v.submitted_at, v.author, pid, v.plan_id, events.plan_submitted(warnings))
    if v.signed and v.signed_at:
        signed = events.plan_signed(v.number, digest, [a["code"] for a in acknowledged])
        state.audit(v.signed_at, v.signer, pid, v.plan_id, signed)


def _plan_lines(
    state: ClinicState,
    plan_id: uuid.UUID,
    meds: list[dict[str, Any]],
    lines: list[dict[str, Any]],
) -> None:
    for position, m in enumerate(meds):
        state.add(
            tables.PLAN_MEDICATION,
            {
                "plan_id": plan_id,
                "position": position,
                "drug": m["drug"],
                "dose": Decimal(m["dose"]),
                "unit": m["unit"],
                "route": m["route"],
                "frequency": m["frequency"],
                "start_date": dt.date.fromisoformat(m["start_date"]),
                "end_date": dt.date.fromisoformat(m["end_date"]) if m["end_date"] else None,
                "indication": m["indication"],
                "taper": jsonb(m["taper"]),
            },
        )
    for position, b in enumerate(lines):
        state.add(
            tables.PLAN_BEHAVIORAL,
            {
                "plan_id": plan_id,
                "position": position,
                "modality": b["modality"],
                "setting": b["setting"],
                "frequency": b["frequency"],
                "targets": b["targets"],
                "goals": jsonb(b["goals"]),
            },
        )
