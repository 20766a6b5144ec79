"""Session notes through the API (docs/api.md#session-notes): drafts, edits, signature, addenda,
SUD counseling notes seen by their author only, the permission matrix and bad input."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from intake.models import (
    AuditEvent,
    CounselingNote,
    SessionNote,
    SessionNoteAddendum,
    SessionNoteProgress,
)
from intake.services.break_glass import break_glass_open
from intake.services.session_note import session_note_verify_hash
from tests.factories import second_factor
from tests.session_note_support import COUNSELING_TEXT, active_plan, create, note_body, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(patient, team_physician):
    return active_plan(
        patient,
        team_physician,
        (("cbt", ["triggers", "coping-cravings"]), ("relapse-prevention", ["coping-cravings"])),
    )


def test_it_creates_a_draft_on_the_active_plan(api, patient, team_counselor, plan):
    response = create(api, team_counselor, patient, counseling_notes=COUNSELING_TEXT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["revision"] == 1
    assert body["plan"].startswith("Practise urge surfing")
    assert body["treatment_plan"] == str(plan.pk)
    assert body["progress"] == [{"target": "coping-cravings", "status": "progressing"}]
    assert body["counseling_notes"] == COUNSELING_TEXT  # its author reads them back
    note = SessionNote.objects.get(pk=body["id"])
    assert note.plan_text.startswith("Practise urge surfing") and note.plan_id == plan.pk
    # The first behavioral component holding the target.
    row = note.progress.get()
    assert row.component == plan.behavioral.get(position=0)
    # Kept apart: in their own table, nowhere in the DAP text.
    assert CounselingNote.objects.get(note=note).text == COUNSELING_TEXT
    assert COUNSELING_TEXT not in note.data + note.assessment + note.plan_text


def test_it_refuses_a_target_the_plan_does_not_hold(api, patient, team_counselor, plan):
    response = create(
        api, team_counselor, patient, progress=[{"target": "housing", "status": "achieved"}]
    )
    assert response.status_code == 400
    assert "housing" in str(response.json()["progress"])
    assert not SessionNote.objects.exists() and not SessionNoteProgress.objects.exists()


def test_it_refuses_targets_when_there_is_no_active_plan(api, patient, team_counselor):
    response = create(api, team_counselor, patient)
    assert response.status_code == 400
    assert "coping-cravings" in str(response.json()["progress"])
    assert create(api, team_counselor, patient, progress=[]).status_code == 201


def test_a_group_documented_alone_is_a_group_note(api, patient, team_counselor, plan):
    """The contract's `kind: group` on this endpoint: a group held elsewhere, documented for
    this patient alone (no group session, no other attendee)."""
    response = create(api, team_counselor, patient, kind="group")
    assert response.status_code == 201, response.json()
    note = SessionNote.objects.get()
    assert note.kind == "group" and note.group_session_id is None
    assert response.json()["kind"] == "group"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"data": "a\x00b"}, None),
        ({"data": "x" * 10_001}, "data"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"duration_minutes": "fifty"}, "duration_minutes"),
        ({"session_date": "2026-02-30"}, "session_date"),
        ({"session_date": "2999-01-01"}, "session_date"),
        ({"kind": "séance"}, "kind"),
        ({"data": 42}, "data"),
        ({"progress": "coping-cravings"}, "progress"),
        ({"progress": [{"target": "coping-cravings", "status": "done"}]}, "progress"),
        ({"counseling_notes": ["a"]}, "counseling_notes"),
        ({"counseling_notes": "x" * 10_001}, "counseling_notes"),
    ],
)
def test_it_refuses_bad_input_and_stores_nothing(
    api, patient, team_counselor, plan, overrides, field
):
    response = create(api, team_counselor, patient, **overrides)
    assert response.status_code == 400, response.content
    if field:
        assert field in response.json()
    assert not SessionNote.objects.exists() and not CounselingNote.objects.exists()


def _patch(api, user, note_id, body):
    api.force_authenticate(user)
    return api.patch(f"/api/v1/session-notes/{note_id}/", body, format="json")


def test_the_author_edits_a_draft_with_the_revision_read(api, patient, team_counselor, plan):
    note_id = create(api, team_counselor, patient).json()["id"]
    response = _patch(
        api,
        team_counselor,
        note_id,
        {
            "revision": 1,
            "assessment": "Cravings down.",
            "progress": [{"target": "triggers", "status": "not-started"}],
            "counseling_notes": COUNSELING_TEXT,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["revision"] == 2 and body["assessment"] == "Cravings down."
    assert body["progress"] == [{"target": "triggers", "status": "not-started"}]
    assert body["counseling_notes"] == COUNSELING_TEXT
    # A stale revision: 409, nothing changes.
    stale = _patch(api, team_counselor, note_id, {"revision": 1, "assessment": "Other"})
    assert stale.status_code == 409
    assert SessionNote.objects.get(pk=note_id).assessment == "Cravings down."
    # No revision at all: 400.
    assert _patch(api, team_counselor, note_id, {"data": "x"}).status_code == 400
    # Removing the counseling notes.
    cleared = _patch(api, team_counselor, note_id, {"revision": 2, "counseling_notes": ""})
    assert cleared.status_code == 200 and cleared.json()["counseling_notes"] is None
    assert not CounselingNote.objects.exists()


def test_only_the_author_edits_or_signs_a_draft(api, patient, team_counselor, team_nurse, plan):
    note_id = create(api, team_counselor, patient).json()["id"]
    assert _patch(api, team_nurse, note_id, {"revision": 1, "data": "x"}).status_code == 403
    assert sign(api, team_nurse, note_id).status_code == 403
    assert SessionNote.objects.get(pk=note_id).status == "draft"


def test_signing_fixes_a_verifiable_hash_without_the_counseling_notes(
    api, patient, team_counselor, plan
):
    note_id = create(api, team_counselor, patient, counseling_notes=COUNSELING_TEXT).json()["id"]
    response = sign(api, team_counselor, note_id)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "signed" and body["signed_role"] == "counselor"
    assert len(body["content_hash"]) == 64 and body["hash_verified"] is True
    note = SessionNote.objects.get(pk=note_id)
    assert session_note_verify_hash(note=note) is True
    # The counseling notes are not in the hashed content: changing them (were it allowed)
    # would not change the hash; the DAP text would.
    note.data = "tampered"
    assert session_note_verify_hash(note=note) is False
    assert AuditEvent.objects.filter(action="sign", object_id=note_id, outcome="allowed").exists()


def test_a_signed_note_never_changes(api, patient, team_counselor, plan):
    note_id = create(api, team_counselor, patient, counseling_notes=COUNSELING_TEXT).json()["id"]
    sign(api, team_counselor, note_id)
    response = _patch(api, team_counselor, note_id, {"revision": 1, "data": "later"})
    assert response.status_code == 409
    assert sign(api, team_counselor, note_id).status_code == 409
    for sql in (
        "UPDATE intake_sessionnote SET data = 'x' WHERE id = %s",
        "UPDATE intake_counselingnote SET text = 'x' WHERE note_id = %s",
        "DELETE FROM intake_sessionnoteprogress WHERE note_id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [note_id])
    assert SessionNote.objects.get(pk=note_id).data.startswith("Reports two cravings")


def test_signing_needs_the_right_password_and_second_factor(api, patient, team_physician, plan):
    note_id = create(api, team_physician, patient, kind="medical").json()["id"]
    # A physician must sign with a second factor: without one enrolled, refused.
    assert sign(api, team_physician, note_id).status_code == 403
    second_factor(team_physician)
    wrong_password = sign(api, team_physician, note_id, password="nope", otp="x")
    assert wrong_password.status_code == 400 and "password" in wrong_password.json()
    no_code = sign(api, team_physician, note_id)
    assert no_code.status_code == 400 and "otp" in no_code.json()
    assert sign(api, team_physician, note_id, otp="00000000").status_code == 400
    assert SessionNote.objects.get(pk=note_id).status == "draft"
    assert (
        AuditEvent.objects.filter(action="sign", outcome="denied", object_id=note_id).count() >= 3
    )
    signed = sign(api, team_physician, note_id, otp=second_factor(team_physician))
    assert signed.status_code == 200 and signed.json()["signed_role"] == "physician"


def _addendum(api, user, note_id, **body):
    api.force_authenticate(user)
    from tests.factories import PASSWORD

    return api.post(
        f"/api/v1/session-notes/{note_id}/addenda/",
        {
            "text": "Patient called: the craving episode was on Tuesday.",
            "password": PASSWORD,
            **body,
        },
        format="json",
    )


def test_team_clinicians_add_signed_addenda_to_a_signed_note(
    api, patient, team_counselor, team_nurse, plan
):
    note_id = create(api, team_counselor, patient).json()["id"]
    assert _addendum(api, team_nurse, note_id).status_code == 409  # a draft: edit it instead
    sign(api, team_counselor, note_id)
    assert _addendum(api, team_nurse, note_id, password="nope").status_code == 400
    assert _addendum(api, team_nurse, note_id, text="").status_code == 400
    response = _addendum(api, team_nurse, note_id)
    assert response.status_code == 201, response.content
    assert response.json()["hash_verified"] is True
    addendum = SessionNoteAddendum.objects.get()
    assert addendum.author == team_nurse and addendum.signed_role == "nurse"
    detail = api.get(f"/api/v1/session-notes/{note_id}/").json()
    assert [a["text"] for a in detail["addenda"]] == [addendum.text]
    assert detail["hash_verified"] is True
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE intake_sessionnoteaddendum SET text = 'x'")


def test_counseling_notes_go_to_their_author_only(
    api, patient, team_counselor, team_nurse, offteam_physician, plan
):
    note_id = create(api, team_counselor, patient, counseling_notes=COUNSELING_TEXT).json()["id"]
    break_glass_open(actor=offteam_physician, patient_id=patient.pk, reason="Overdose in the lobby")
    for viewer in (team_nurse, offteam_physician):
        api.force_authenticate(viewer)
        listed = api.get(f"/api/v1/patients/{patient.pk}/session-notes/")
        detail = api.get(f"/api/v1/session-notes/{note_id}/")
        assert listed.status_code == detail.status_code == 200
        assert listed.json()["results"][0]["counseling_notes"] is None
        assert detail.json()["counseling_notes"] is None
        assert COUNSELING_TEXT not in listed.content.decode() + detail.content.decode()
    api.force_authenticate(team_counselor)
    assert api.get(f"/api/v1/session-notes/{note_id}/").json()["counseling_notes"] == (
        COUNSELING_TEXT
    )


def test_every_read_is_audited(api, patient, team_nurse, team_counselor, plan):
    note_id = create(api, team_counselor, patient).json()["id"]
    api.force_authenticate(team_nurse)
    api.get(f"/api/v1/patients/{patient.pk}/session-notes/")
    api.get(f"/api/v1/session-notes/{note_id}/")
    reads = AuditEvent.objects.filter(actor=team_nurse, action="read", outcome="allowed")
    assert reads.filter(object_type="session-note", object_id=str(patient.pk)).exists()
    assert reads.filter(object_id=note_id).exists()
    assert AuditEvent.objects.filter(actor=team_counselor, action="create", object_id=note_id)


def test_outside_the_care_team_it_is_not_found(
    api, patient, team_counselor, offteam_nurse, privacy_officer, plan
):
    note_id = create(api, team_counselor, patient).json()["id"]
    api.force_authenticate(offteam_nurse)
    unknown = api.get("/api/v1/session-notes/00000000-0000-4000-8000-000000000001/")
    for response in (
        api.get(f"/api/v1/patients/{patient.pk}/session-notes/"),
        api.get(f"/api/v1/session-notes/{note_id}/"),
        api.post(f"/api/v1/patients/{patient.pk}/session-notes/", note_body(), format="json"),
        api.patch(f"/api/v1/session-notes/{note_id}/", {"revision": 1}, format="json"),
        api.post(f"/api/v1/session-notes/{note_id}/sign/", {"password": "x"}, format="json"),
        unknown,
    ):
        assert response.status_code == 404 and response.json() == unknown.json()
    api.force_authenticate(privacy_officer)
    assert api.get(f"/api/v1/session-notes/{note_id}/").status_code == 403
    assert api.get(f"/api/v1/patients/{patient.pk}/session-notes/").status_code == 403
    assert AuditEvent.objects.filter(actor=offteam_nurse, outcome="denied").count() >= 5
    assert SessionNote.objects.count() == 1


def test_group_notes_appear_in_the_list(api, patient, team_counselor, plan):
    from django.utils import timezone

    from intake.models import GroupSession

    group = GroupSession.objects.create(
        title="Relapse prevention group",
        modality="relapse-prevention",
        held_on=timezone.localdate(),
        duration_minutes=90,
        facilitator=team_counselor,
        summary="Shared summary",
    )
    SessionNote.objects.create(
        patient=patient,
        author=team_counselor,
        kind="group",
        group_session=group,
        session_date=timezone.localdate(),
        duration_minutes=90,
        data="Shared summary",
    )
    api.force_authenticate(team_counselor)
    listed = api.get(f"/api/v1/patients/{patient.pk}/session-notes/").json()["results"]
    assert [n["kind"] for n in listed] == ["group"]
    assert listed[0]["group_session"] == str(group.pk)
