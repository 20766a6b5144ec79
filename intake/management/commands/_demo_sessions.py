"""The demo's after-intake story (`seed_demo`): session notes with progress on a signed plan's
targets (one with SUD counseling notes, seen by its author only), a group session with one
attendee absent, and a PHQ-9 a patient answered on the waiting-room tablet, waiting for review.

Written with the models directly (the session-note, group and self-report services are not
there yet), each row audited as created, in the order the database guards allow: a note's
progress rows and counseling notes are written while it is a draft, then it is signed.
When the services land, this module should call them instead (and the signed notes' hash
should come from theirs). Idempotent: nothing is added once the demo group exists."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.utils import timezone

from intake.models import (
    AuditAction,
    CounselingNote,
    Episode,
    GroupAttendee,
    GroupSession,
    Patient,
    PendingAssessment,
    PlanStatus,
    SelfReportLink,
    SessionNote,
    SessionNoteProgress,
    SessionNoteStatus,
    TreatmentPlan,
)
from intake.scoring.registry import get_instrument
from intake.services.audit import audit_record
from intake.signing import content_sha256

if TYPE_CHECKING:
    from django.contrib.auth.models import User

GROUP_TITLE = "Relapse prevention group"
DAYS = datetime.timedelta(days=1)
# A PHQ-9 as the patient answered it: mild (7), item 9 (thoughts of self-harm) at 0.
PHQ9_ANSWERS = {str(n): "1" if n <= 7 else "0" for n in range(1, 10)}


def _patient(given: str, family: str) -> Patient | None:
    return Patient.objects.filter(given_name=given, family_name=family).first()


def _active_plan(patient: Patient) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .order_by("-signed_at")
        .first()
    )


def _note(
    author: User,
    patient: Patient,
    *,
    kind: str,
    on: datetime.date,
    dap: tuple[str, str, str],
    progress: dict[str, str] | None = None,
    counseling: str = "",
    group: GroupSession | None = None,
) -> SessionNote:
    """A draft note with its progress rows and counseling notes (written while a draft)."""
    plan = _active_plan(patient) if progress else None
    note = SessionNote.objects.create(
        patient=patient,
        episode=Episode.objects.filter(patient=patient).order_by("-admitted_on").first(),
        plan=plan,
        group_session=group,
        author=author,
        kind=kind,
        session_date=on,
        duration_minutes=90 if group else 50,
        data=dap[0],
        assessment=dap[1],
        plan_text=dap[2],
        created_by=author,
        updated_by=author,
    )
    components = list(plan.behavioral.all()) if plan else []
    for target, status in (progress or {}).items():
        component = next((c for c in components if target in c.targets), None)
        SessionNoteProgress.objects.create(
            note=note, component=component, target=target, status=status
        )
    if counseling:
        CounselingNote.objects.create(
            note=note, author=author, text=counseling, created_by=author, updated_by=author
        )
    audit_record(actor=author, action=AuditAction.CREATE, patient=patient, obj=note)
    return note


def _sign(note: SessionNote, role: str) -> None:
    """Signed as the signing service would leave it: status, time, role and a SHA-256 of the
    note's content (counseling notes excluded, as on the model)."""
    content = {
        "kind": note.kind,
        "session_date": note.session_date.isoformat(),
        "duration_minutes": note.duration_minutes,
        "data": note.data,
        "assessment": note.assessment,
        "plan": note.plan_text,
        "progress": [{"target": p.target, "status": p.status} for p in note.progress.all()],
    }
    SessionNote.objects.filter(pk=note.pk).update(
        status=SessionNoteStatus.SIGNED,
        signed_at=timezone.now(),
        signed_role=role,
        content_hash=content_sha256(content),
    )
    audit_record(actor=note.author, action=AuditAction.SIGN, patient=note.patient, obj=note)


def session_examples(users: dict[str, User]) -> None:
    """Skipped once the demo group exists (the command is idempotent)."""
    if GroupSession.objects.filter(title=GROUP_TITLE).exists():
        return
    marcus, rosa = _patient("Marcus", "Delgado"), _patient("Rosa", "Martinez")
    jamal, aisha = _patient("Jamal", "Washington"), _patient("Aisha", "Thompson")
    if not (marcus and rosa and jamal and aisha):
        return
    today = timezone.localdate()
    _marcus_sessions(users, marcus, today)
    _group(users["counselor2"], present=[marcus, rosa], absent=[jamal], on=today - 2 * DAYS)
    _aisha_sessions(users["counselor"], aisha, today)


def _marcus_sessions(users: dict[str, User], marcus: Patient, today: datetime.date) -> None:
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
    _sign(first, "counselor")
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
    _sign(medical, "physician")
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
    facilitator: User, *, present: list[Patient], absent: list[Patient], on: datetime.date
) -> None:
    group = GroupSession.objects.create(
        title=GROUP_TITLE,
        modality="relapse-prevention",
        held_on=on,
        duration_minutes=90,
        facilitator=facilitator,
        summary="High-risk situations and the first hour of a craving: each member mapped one "
        "situation and two ways out of it.",
        created_by=facilitator,
        updated_by=facilitator,
    )
    for patient in [*present, *absent]:
        GroupAttendee.objects.create(group=group, patient=patient, attended=patient in present)
    own = {
        present[0].pk: "Shared his payday trigger; helped a newer member with the map.",
        present[1].pk: "Quiet at first; named being alone at night as her high-risk time.",
    }
    for patient in present:
        note = _note(
            facilitator,
            patient,
            kind="group",
            on=on,
            dap=(own.get(patient.pk, "Took part."), "Engaged.", "Next group in three days."),
            progress={"relapse-plan": "progressing"} if _active_plan(patient) else None,
            group=group,
        )
        _sign(note, "counselor")


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
    now = timezone.now()
    link = SelfReportLink.objects.create(
        patient=aisha,
        episode=Episode.objects.filter(patient=aisha).order_by("-admitted_on").first(),
        issued_by=counselor,
        instruments=["phq9"],
        # Hashes of tokens nobody keeps: the link is already used.
        token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        code_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        expires_at=now + datetime.timedelta(hours=23),
        used_at=now - datetime.timedelta(minutes=40),
        created_by=counselor,
        updated_by=counselor,
    )
    pending = PendingAssessment.objects.create(
        link=link,
        patient=aisha,
        instrument="phq9",
        # As the self-report service keeps them: the instrument's own validation of the answers.
        answers=get_instrument("phq9").validate(PHQ9_ANSWERS),
        submitted_at=now - datetime.timedelta(minutes=40),
        urgent=False,
        created_by=counselor,
        updated_by=counselor,
    )
    audit_record(actor=counselor, action=AuditAction.CREATE, patient=aisha, obj=link)
    audit_record(actor=counselor, action=AuditAction.CREATE, patient=aisha, obj=pending)
