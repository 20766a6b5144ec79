"""The demo's after-intake records (`seed_demo`, intake/management/commands/_demo_sessions.py):
signed and draft session notes with progress on the plan's targets, one with counseling notes
kept to its author, a group with one attendee absent, and a pending PHQ-9; idempotent."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from intake.models import (
    AuditEvent,
    CounselingNote,
    GroupAttendee,
    GroupSession,
    PendingAssessment,
    SessionNote,
    SessionNoteProgress,
)
from intake.services.session_note import session_note_verify_hash

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_sessions_a_group_and_a_pending_self_report_once(client):
    call_command("seed_demo")
    counts = (SessionNote.objects.count(), CounselingNote.objects.count())
    call_command("seed_demo")
    assert (SessionNote.objects.count(), CounselingNote.objects.count()) == counts
    assert GroupSession.objects.count() == 1

    statuses = set(SessionNote.objects.values_list("status", flat=True))
    assert statuses == {"signed", "draft"}
    signed = SessionNote.objects.filter(status="signed")
    assert all(n.signed_at and len(n.content_hash) == 64 for n in signed)
    # Signed through the services: each verifies with the one session-note hash, the group's
    # notes too (the note page shows "matches").
    assert {n.kind for n in signed} == {"individual", "medical", "group"}
    for note in signed:
        assert session_note_verify_hash(note=note) is True, note.kind
    assert all(
        AuditEvent.objects.filter(action="sign", object_id=str(n.pk)).count() == 1 for n in signed
    )
    marcus_first = SessionNote.objects.filter(
        patient__given_name="Marcus", kind="individual", status="signed"
    ).get()
    assert marcus_first.plan is not None and marcus_first.plan.status == "active"
    progress = SessionNoteProgress.objects.filter(note=marcus_first)
    assert {(p.target, p.status) for p in progress} == {
        ("triggers", "progressing"),
        ("coping-cravings", "progressing"),
    }
    assert all(p.component is not None and p.target in p.component.targets for p in progress)
    # Counseling notes by the note's own author.
    assert all(c.author_id == c.note.author_id for c in CounselingNote.objects.all())
    assert CounselingNote.objects.filter(note=marcus_first).exists()

    roll = dict(GroupAttendee.objects.values_list("patient__given_name", "attended"))
    assert roll == {"Marcus": True, "Rosa": True, "Jamal": False}
    group_notes = SessionNote.objects.filter(kind="group")
    assert set(group_notes.values_list("patient__given_name", flat=True)) == {"Marcus", "Rosa"}

    [pending] = PendingAssessment.objects.all()
    assert (pending.instrument, pending.status, pending.urgent) == ("phq9", "pending", False)
    assert pending.link.used_at is not None
    assert pending.answers == {str(n): "1" if n <= 7 else "0" for n in range(1, 10)}

    client.force_login(get_user_model().objects.get(username="counselor"))
    assert client.get("/").status_code == 200
