"""Session note rules (docs/clinical-rules.md#session-notes, #counseling-notes), service level:
the plan's targets, the hash and what it leaves out, who may read counseling notes."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from intake import access
from intake.exceptions import RecordSigned, RuleViolation
from intake.models import CounselingNote, SessionNote, TreatmentPlan
from intake.services.break_glass import break_glass_open
from intake.services.session_note import (
    session_note_addendum_verify_hash,
    session_note_canonical_content,
    session_note_create,
    session_note_update,
    session_note_verify_hash,
)
from intake.services.session_note_sign import session_note_add_addendum, session_note_sign
from tests.factories import PASSWORD
from tests.session_note_support import COUNSELING_TEXT, active_plan

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 24)


def _create(patient, author, progress=(), **extra):
    return session_note_create(
        actor=author,
        patient=patient,
        data={"kind": "individual", "session_date": DAY, "duration_minutes": 50},
        progress=list(progress),
        **extra,
    )


def test_progress_goes_on_the_first_component_holding_the_target(
    patient, team_counselor, team_physician, frozen_now
):
    plan = active_plan(
        patient,
        team_physician,
        (("cbt", ["triggers"]), ("relapse-prevention", ["relapse-plan", "triggers"])),
    )
    note = _create(
        patient,
        team_counselor,
        [
            {"target": "relapse-plan", "status": "achieved"},
            {"target": "triggers", "status": "progressing"},
        ],
    )
    components = {p.target: p.component.position for p in note.progress.all()}
    assert components == {"relapse-plan": 1, "triggers": 0}
    assert note.plan == plan


def test_a_target_named_twice_or_off_the_plan_is_refused(
    patient, team_counselor, team_physician, frozen_now
):
    active_plan(patient, team_physician)
    with pytest.raises(ValidationError) as twice:
        _create(
            patient,
            team_counselor,
            [
                {"target": "triggers", "status": "achieved"},
                {"target": "triggers", "status": "achieved"},
            ],
        )
    assert "named twice" in str(twice.value)
    with pytest.raises(ValidationError) as off:
        _create(patient, team_counselor, [{"target": "legal", "status": "achieved"}])
    assert "Legal (legal)" in str(off.value)
    assert not SessionNote.objects.exists()


def test_an_edit_checks_the_targets_against_the_plan_active_now(
    patient, team_counselor, team_physician, frozen_now
):
    first = active_plan(patient, team_physician, (("cbt", ["triggers"]),))
    note = _create(patient, team_counselor, [{"target": "triggers", "status": "progressing"}])
    TreatmentPlan.objects.filter(pk=first.pk).update(status="superseded")
    second = active_plan(patient, team_physician, (("cbt", ["housing"]),))
    with pytest.raises(ValidationError):
        session_note_update(actor=team_counselor, note=note, data={}, revision=1)
    saved = session_note_update(
        actor=team_counselor,
        note=note,
        data={},
        revision=1,
        progress=[{"target": "housing", "status": "not-started"}],
    )
    assert saved.plan == second and [p.target for p in saved.progress.all()] == ["housing"]


def test_the_hash_leaves_the_counseling_notes_out(
    patient, team_counselor, team_physician, frozen_now
):
    active_plan(patient, team_physician)
    note = _create(patient, team_counselor, counseling_notes=COUNSELING_TEXT)
    signed = session_note_sign(actor=team_counselor, note=note, password=PASSWORD)
    content = session_note_canonical_content(note=signed)
    assert COUNSELING_TEXT not in str(content)
    assert session_note_verify_hash(note=SessionNote.objects.get(pk=note.pk)) is True
    with pytest.raises(RecordSigned):
        session_note_update(
            actor=team_counselor, note=note, data={}, revision=1, counseling_notes="later"
        )
    assert CounselingNote.objects.get().text == COUNSELING_TEXT
    addendum = session_note_add_addendum(
        actor=team_counselor, note=signed, text="Correction", password=PASSWORD
    )
    assert session_note_addendum_verify_hash(addendum=addendum, note=signed)
    signed.content_hash = "0" * 64  # the addendum vouches for the note's hash
    assert not session_note_addendum_verify_hash(addendum=addendum, note=signed)


def test_counseling_notes_are_their_authors_whatever_else(
    patient, team_counselor, team_nurse, offteam_physician, team_physician, frozen_now
):
    note = _create(patient, team_counselor, counseling_notes=COUNSELING_TEXT)
    break_glass_open(actor=offteam_physician, patient_id=patient.pk, reason="Overdose in the lobby")
    assert access.can_view_counseling_notes(team_counselor, note)
    assert access.can(offteam_physician, access.Perm.SESSION_NOTE_VIEW, patient)
    for other in (team_nurse, team_physician, offteam_physician, None):
        assert not access.can_view_counseling_notes(other, note)
    # The author who left the care team, with an emergency grant, no longer reads them.
    patient.care_team.filter(user=team_counselor).update(
        ended_at=datetime.datetime.now(datetime.UTC)
    )
    access.forget_cached(team_counselor)
    break_glass_open(actor=team_counselor, patient_id=patient.pk, reason="Overdose in the lobby")
    assert not access.can_view_counseling_notes(team_counselor, note)


def test_a_group_note_written_here_has_no_group_session(patient, team_counselor, frozen_now):
    note = session_note_create(
        actor=team_counselor,
        patient=patient,
        data={"kind": "group", "session_date": DAY, "duration_minutes": 90},
    )
    assert note.kind == "group" and note.group_session_id is None


def test_someone_off_the_team_cannot_write(patient, offteam_counselor, frozen_now):
    with pytest.raises(RuleViolation):
        _create(patient, offteam_counselor)
