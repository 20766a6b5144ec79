"""The demo's after-intake story (`seed_demo`): session notes with progress on a signed plan's
targets (one with SUD counseling notes, seen by its author only), a group session with one
attendee absent, and a PHQ-9 a patient answered on the waiting-room tablet, waiting for review.

Written through the services the clinic uses, each auditing what it writes: notes are created
and signed by services/session_note.py and session_note_sign.py (the demo user's known password,
and a single-use code made for the signature where the signer has a second factor, as
_demo_detox.py signs its plan), so every signed demo note verifies with the one session-note
hash; the group is run and signed by services/group_session.py; the self-report link is issued
and answered through services/self_report.py. Idempotent: nothing is added once the demo group
exists."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from intake.models import GroupSession, Patient, SessionNote
from intake.services.group_session import Attendee, group_session_create, group_session_sign
from intake.services.mfa import mfa_enrolled
from intake.services.self_report import self_report_link_issue, self_report_submit
from intake.services.session_note import session_note_create
from intake.services.session_note_sign import session_note_sign

if TYPE_CHECKING:
    from django.contrib.auth.models import User

GROUP_TITLE = "Relapse prevention group"
DAYS = datetime.timedelta(days=1)
# A PHQ-9 as the patient answered it: mild (7), item 9 (thoughts of self-harm) at 0.
PHQ9_ANSWERS = {str(n): "1" if n <= 7 else "0" for n in range(1, 10)}


def _patient(given: str, family: str) -> Patient | None:
    return Patient.objects.filter(given_name=given, family_name=family).first()


@contextmanager
def _one_time_code(user: User) -> Iterator[str | None]:
    """A single-use code for one signature of a user with a second factor (None without):
    the authenticator's current code may already have been spent by another demo signature."""
    if not mfa_enrolled(user):
        yield None
        return
    device = StaticDevice.objects.create(user=user, name="demo signature", confirmed=True)
    code = StaticToken.random_token()
    StaticToken.objects.create(device=device, token=code)
    try:
        yield code
    finally:
        device.delete()


def _note(
    author: User,
    patient: Patient,
    *,
    kind: str,
    on: datetime.date,
    dap: tuple[str, str, str],
    progress: dict[str, str] | None = None,
    counseling: str = "",
) -> SessionNote:
    """A draft note with its progress rows and counseling notes, through the service."""
    return session_note_create(
        actor=author,
        patient=patient,
        data={
            "kind": kind,
            "session_date": on,
            "duration_minutes": 50,
            "data": dap[0],
            "assessment": dap[1],
            "plan_text": dap[2],
        },
        progress=[{"target": t, "status": s} for t, s in (progress or {}).items()],
        counseling_notes=counseling or None,
    )


def _sign(note: SessionNote, password: str) -> None:
    """Signed by its author through the signing service (re-authentication included)."""
    with _one_time_code(note.author) as otp:
        session_note_sign(actor=note.author, note=note, password=password, otp=otp)


def session_examples(users: dict[str, User], password: str) -> None:
    """Skipped once the demo group exists (the command is idempotent). `password`: the demo
    users' password, with which they sign."""
    if GroupSession.objects.filter(title=GROUP_TITLE).exists():
        return
    marcus, rosa = _patient("Marcus", "Delgado"), _patient("Rosa", "Martinez")
    jamal, aisha = _patient("Jamal", "Washington"), _patient("Aisha", "Thompson")
    if not (marcus and rosa and jamal and aisha):
        return
    today = timezone.localdate()
    _marcus_sessions(users, marcus, today, password)
    _group(
        users["counselor2"],
        present=[marcus, rosa],
        absent=[jamal],
        on=today - 2 * DAYS,
        password=password,
    )
    _aisha_sessions(users["counselor"], aisha, today)


def _marcus_sessions(
    users: dict[str, User], marcus: Patient, today: datetime.date, password: str
) -> None:
    counselor = users["counselor2"]
    first = _note(
        counselor,
        marcus,
        kind="individual",
        on=today - 7 * DAYS,
        dap=(
            "Reports two days without heroin since the methadone dose was raised; a craving "
            "after payday, handled by calling his sponsor. Named payday and an old route home as "
            "triggers.",
            "Engaged and motivated; cravings lower on the current dose.",
            "Practise urge surfing; plan a different route home. Next session in one week.",
        ),
        progress={"triggers": "progressing", "coping-cravings": "progressing"},
        counseling=(
            "Counseling notes: his guilt about his brother's overdose came up when he spoke of "
            "the route home; explore the grief next time, gently. Not for the chart."
        ),
    )
    _sign(first, password)
    medical = _note(
        users["physician"],
        marcus,
        kind="medical",
        on=today - 5 * DAYS,
        dap=(
            "Methadone 30 mg daily; no sedation at peak, mild withdrawal in the evening.",
            "Dose adequate for now; QTc 432 ms at intake.",
            "Review the dose at the next visit.",
        ),
    )
    _sign(medical, password)
    # Today's session, not yet signed: it shows on the counselor's worklist as a draft.
    _note(
        counselor,
        marcus,
        kind="individual",
        on=today,
        dap=(
            "Wrote down what a slip would look like and whom he would call.",
            "Relapse plan started; triggers well recognised.",
            "Finish the relapse plan with his partner next week.",
        ),
        progress={"relapse-plan": "progressing", "triggers": "achieved"},
    )


def _group(
    facilitator: User,
    *,
    present: list[Patient],
    absent: list[Patient],
    on: datetime.date,
    password: str,
) -> None:
    """Run through the group service (a draft group note per attendee present), then signed
    all at once by the facilitator."""
    own = {
        present[0].pk: "Shared his payday trigger; helped a newer member with the map.",
        present[1].pk: "Quiet at first; named being alone at night as her high-risk time.",
    }
    group = group_session_create(
        actor=facilitator,
        title=GROUP_TITLE,
        modality="relapse-prevention",
        held_on=on,
        duration_minutes=90,
        summary="High-risk situations and the first hour of a craving: each member mapped one "
        "situation and two ways out of it.",
        attendees=[Attendee(patient=str(p.pk), attended=True, note=own[p.pk]) for p in present]
        + [Attendee(patient=str(p.pk), attended=False) for p in absent],
    )
    with _one_time_code(facilitator) as otp:
        group_session_sign(actor=facilitator, group=group, password=password, otp=otp)


def _aisha_sessions(counselor: User, aisha: Patient, today: datetime.date) -> None:
    """A draft note with counseling notes (her plan awaits review: no targets yet), and a PHQ-9
    she answered on the tablet this morning, waiting for the team to accept it."""
    _note(
        counselor,
        aisha,
        kind="individual",
        on=today,
        dap=(
            "Talked about the knee pain and buying pills; no use for four days.",
            "Ambivalent but attending; PHQ-9 repeated on the tablet.",
            "Review the PHQ-9 together; follow up the safety plan.",
        ),
        counseling="Counseling notes: she links the pills to her mother's illness; "
        "explore at her pace. Not for the chart.",
    )
    issued = self_report_link_issue(actor=counselor, patient=aisha, instruments=["phq9"])
    self_report_submit(link=issued.link, answers={"phq9": PHQ9_ANSWERS}, via="tablet")
