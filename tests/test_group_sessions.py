"""Group sessions (docs/clinical-rules.md#group-sessions, docs/api.md#group-sessions): a
counselor runs a group for patients of their care teams; each attendee present gets a draft
group note, an absent one only their place on the roll; the facilitator signs them all at once.
Every refusal is a 400/403/404 naming the field or the roll row, and stores nothing."""

import datetime

import pytest
from django.utils import timezone

from intake.models import (
    AuditEvent,
    AuditOutcome,
    GroupAttendee,
    GroupSession,
    SessionNote,
)
from intake.services.group_session import NO_SUCH_PATIENT, group_session_sign
from intake.services.session_note import session_note_compute_hash, session_note_verify_hash
from tests.factories import PASSWORD, PatientFactory, second_factor
from tests.group_support import GROUPS_URL, SUMMARY, caseload, group_body, run_group

pytestmark = pytest.mark.django_db

NAMES = [("Ana", "Reyes"), ("Ben", "Okoro"), ("Cleo", "Marsh")]


@pytest.fixture
def roster(team_counselor):
    return caseload(team_counselor, NAMES)


def _nothing_stored():
    assert GroupSession.objects.count() == 0
    assert GroupAttendee.objects.count() == 0
    assert SessionNote.objects.count() == 0


def _post(api, user, body):
    api.force_authenticate(user)
    return api.post(GROUPS_URL, body, format="json")


def test_it_writes_a_group_note_for_each_attendee_present(api, team_counselor, roster):
    a, b, c = roster
    response = _post(api, team_counselor, group_body(roster, absent=[c]))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["others"] == 0 and body["drafts"] == 2
    assert {row["patient"] for row in body["attendees"]} == {str(a.pk), str(b.pk), str(c.pk)}
    group = GroupSession.objects.get()
    assert group.facilitator == team_counselor
    for patient, index in ((a, 0), (b, 1)):
        note = SessionNote.objects.get(patient=patient)
        assert note.kind == "group" and note.group_session == group
        assert note.author == team_counselor and note.status == "draft"
        assert note.session_date == group.held_on and note.duration_minutes == 90
        assert note.data == SUMMARY
        assert note.assessment == f"Engaged; named a trigger ({index})."
        assert note.episode == patient.episodes.get()
    # The absent attendee: on the roll, no note.
    assert not SessionNote.objects.filter(patient=c).exists()
    assert GroupAttendee.objects.get(patient=c).attended is False


def test_it_audits_each_patient_against_their_own_note(api, team_counselor, roster):
    a, b, c = roster
    _post(api, team_counselor, group_body(roster, absent=[c]))
    for patient in roster:
        rows = AuditEvent.objects.filter(patient=patient, action="create")
        assert rows.count() == 1
        detail = str(rows.get().detail)
        others = [str(p.pk) for p in roster if p != patient]
        assert not any(pk in detail for pk in others)
    note = SessionNote.objects.get(patient=a)
    assert AuditEvent.objects.get(patient=a, action="create").object_id == str(note.pk)


def test_it_refuses_an_off_team_patient_like_an_unknown_one(api, team_counselor, roster):
    stranger = PatientFactory()
    body = group_body([*roster, stranger])
    body["attendees"].append({"patient": "6d1f6a53-2f7b-4d35-9a39-000000000000", "attended": True})
    response = _post(api, team_counselor, body)
    assert response.status_code == 400
    assert response.json() == {"attendees": {"3": [NO_SUCH_PATIENT], "4": [NO_SUCH_PATIENT]}}
    _nothing_stored()


def test_it_refuses_a_patient_twice_on_the_roll(api, team_counselor, roster):
    body = group_body(roster)
    body["attendees"].append({"patient": str(roster[0].pk), "attended": False})
    response = _post(api, team_counselor, body)
    assert response.status_code == 400
    assert response.json() == {"attendees": {"3": ["This patient is already on the roll."]}}
    _nothing_stored()


def test_it_refuses_a_group_with_nobody_present(api, team_counselor, roster):
    response = _post(api, team_counselor, group_body(roster, absent=roster))
    assert response.status_code == 400
    assert response.json() == {"attendees": ["Mark at least one attendee as present."]}
    _nothing_stored()


def test_it_refuses_an_empty_roll_and_a_note_for_an_absent_attendee(api, team_counselor, roster):
    assert _post(api, team_counselor, group_body(roster, attendees=[])).status_code == 400
    body = group_body(roster)
    body["attendees"][1] = {"patient": str(roster[1].pk), "attended": False, "note": "Sick"}
    response = _post(api, team_counselor, body)
    assert response.status_code == 400
    assert "1" in response.json()["attendees"]
    _nothing_stored()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("held_on", "2026-02-30"),
        ("held_on", "yesterday"),
        ("duration_minutes", 0),
        ("duration_minutes", 721),
        ("duration_minutes", "ninety"),
        ("modality", "group"),
        ("modality", "hypnosis"),
        ("title", ""),
        ("title", 42),
        ("summary", ["a"]),
        ("summary", "   "),
        ("attendees", {"patient": "x"}),
    ],
)
def test_it_refuses_a_bad_field_by_name(api, team_counselor, roster, field, value):
    response = _post(api, team_counselor, group_body(roster, **{field: value}))
    assert response.status_code == 400
    assert field in response.json()
    _nothing_stored()


def test_it_refuses_a_future_date_but_takes_today(api, team_counselor, roster, frozen_now):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = _post(api, team_counselor, group_body(roster, held_on=tomorrow))
    assert response.status_code == 400 and "held_on" in response.json()
    _nothing_stored()
    today = timezone.localdate().isoformat()
    assert _post(api, team_counselor, group_body(roster, held_on=today)).status_code == 201


@pytest.mark.parametrize("attended", ["yes", 1, None])
def test_it_refuses_attendance_that_is_not_true_or_false(api, team_counselor, roster, attended):
    body = group_body(roster)
    body["attendees"][0]["attended"] = attended
    response = _post(api, team_counselor, body)
    assert response.status_code == 400
    assert "attendees" in response.json()
    _nothing_stored()


def test_it_refuses_nul_bytes(api, team_counselor, roster):
    body = group_body(roster)
    body["attendees"][0]["note"] = "a\x00b"
    assert _post(api, team_counselor, body).status_code == 400
    assert _post(api, team_counselor, group_body(roster, summary="x\x00")).status_code == 400
    _nothing_stored()


def test_it_refuses_roles_that_do_not_run_groups(api, clinic_admin, privacy_officer, roster):
    for user in (clinic_admin, privacy_officer):
        assert _post(api, user, group_body(roster)).status_code == 403
    api.force_authenticate(None)
    assert api.post(GROUPS_URL, group_body(roster), format="json").status_code in (401, 403)
    _nothing_stored()


def test_it_refuses_a_nurse_for_patients_off_her_team(api, offteam_nurse, roster):
    response = _post(api, offteam_nurse, group_body(roster))
    assert response.status_code == 400
    assert set(response.json()["attendees"]) == {"0", "1", "2"}
    _nothing_stored()


# Reading the roll ------------------------------------------------------------------------------


def test_the_roll_names_only_the_readers_own_patients(api, team_counselor, team_nurse, roster):
    from intake.models import TeamRole
    from tests.factories import CareTeamMemberFactory

    group = run_group(team_counselor, roster)
    CareTeamMemberFactory(patient=roster[0], user=team_nurse, team_role=TeamRole.NURSE)
    api.force_authenticate(team_nurse)
    body = api.get(f"{GROUPS_URL}{group.pk}/").json()
    assert [row["patient"] for row in body["attendees"]] == [str(roster[0].pk)]
    assert body["others"] == 2
    text = str(body)
    for patient in roster[1:]:
        assert patient.family_name not in text and patient.mrn not in text
    # The nurse's read is audited against her own patient only.
    reads = AuditEvent.objects.filter(actor=team_nurse, action="read", object_type="group-session")
    assert [r.patient_id for r in reads] == [roster[0].pk]


def test_the_group_is_not_found_outside_its_care_teams(api, team_counselor, offteam_counselor):
    roster = caseload(team_counselor, NAMES[:1])
    group = run_group(team_counselor, roster)
    api.force_authenticate(offteam_counselor)
    assert api.get(f"{GROUPS_URL}{group.pk}/").status_code == 404
    assert api.get(f"{GROUPS_URL}6d1f6a53-2f7b-4d35-9a39-000000000000/").status_code == 404


# Signing all notes at once ---------------------------------------------------------------------


def test_the_facilitator_signs_every_draft_note_at_once(api, team_counselor, roster):
    group = run_group(team_counselor, roster, absent=[roster[2]])
    api.force_authenticate(team_counselor)
    response = api.post(f"{GROUPS_URL}{group.pk}/sign/", {"password": PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["signed"] == 2
    for note in SessionNote.objects.filter(group_session=group):
        assert note.status == "signed" and note.signed_role == "counselor"
        assert note.content_hash == session_note_compute_hash(note=note)
        assert session_note_verify_hash(note=note) is True
        assert AuditEvent.objects.filter(action="sign", object_id=str(note.pk)).count() == 1
    again = api.post(f"{GROUPS_URL}{group.pk}/sign/", {"password": PASSWORD}, format="json")
    assert again.status_code == 409


def test_a_group_signed_note_verifies_as_a_single_note_does_and_a_change_does_not(
    client, team_counselor, roster
):
    """One hash for every session note: the group's signature verifies with the function the
    note page and the API use, and an altered copy of the content no longer matches."""
    group = run_group(team_counselor, roster)
    group_session_sign(actor=team_counselor, group=group, password=PASSWORD)
    note = SessionNote.objects.filter(group_session=group).order_by("pk").first()
    assert session_note_verify_hash(note=note) is True
    client.force_login(team_counselor)
    page = client.get(f"/patients/{note.patient_id}/session-notes/{note.pk}/")
    assert page.status_code == 200
    assert "The note matches its signature" in page.content.decode()
    # A signed row cannot be changed (a trigger refuses it): tamper with a copy in memory.
    for field, value in (("data", "Another summary"), ("assessment", "Altered"),
                         ("duration_minutes", 15)):  # fmt: skip
        tampered = SessionNote.objects.get(pk=note.pk)
        setattr(tampered, field, value)
        assert session_note_verify_hash(note=tampered) is False, field


def test_a_wrong_password_signs_nothing_and_is_audited(api, team_counselor, roster):
    group = run_group(team_counselor, roster)
    api.force_authenticate(team_counselor)
    response = api.post(f"{GROUPS_URL}{group.pk}/sign/", {"password": "wrong"}, format="json")
    assert response.status_code == 400 and "password" in response.json()
    assert not SessionNote.objects.filter(status="signed").exists()
    denied = AuditEvent.objects.get(action="sign", outcome=AuditOutcome.DENIED)
    assert denied.object_id == str(group.pk) and denied.patient_id is None


def test_signing_asks_an_enrolled_second_factor(api, team_counselor, roster):
    group = run_group(team_counselor, roster)
    code = second_factor(team_counselor)
    api.force_authenticate(team_counselor)
    url = f"{GROUPS_URL}{group.pk}/sign/"
    response = api.post(url, {"password": PASSWORD}, format="json")
    assert response.status_code == 400 and "otp" in response.json()
    assert not SessionNote.objects.filter(status="signed").exists()
    assert api.post(url, {"password": PASSWORD, "otp": code}, format="json").status_code == 200


def test_only_the_facilitator_signs(api, team_counselor, team_nurse, roster):
    from intake.models import TeamRole
    from tests.factories import CareTeamMemberFactory

    group = run_group(team_counselor, roster)
    CareTeamMemberFactory(patient=roster[0], user=team_nurse, team_role=TeamRole.NURSE)
    api.force_authenticate(team_nurse)
    url = f"{GROUPS_URL}{group.pk}/sign/"
    assert api.post(url, {"password": PASSWORD}, format="json").status_code == 403
    assert not SessionNote.objects.filter(status="signed").exists()


def test_a_group_with_a_signed_note_never_changes_whoever_asks(team_counselor, roster):
    """The database refuses (migration 0032): once an attendee's note is signed, the group's
    summary and roll are what that note records; before, the rows may still change; a group
    is never deleted."""
    from django.db import ProgrammingError, connection, transaction

    from intake.models import GroupAttendee

    group = run_group(team_counselor, roster, absent=[roster[2]])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE intake_groupsession SET title = 'Renamed' WHERE id = %s", [group.pk])
    with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM intake_groupattendee WHERE group_id = %s", [group.pk])
    group_session_sign(actor=team_counselor, group=group, password=PASSWORD)
    for sql in (
        "UPDATE intake_groupsession SET summary = 'Changed' WHERE id = %s",
        "UPDATE intake_groupattendee SET attended = NOT attended WHERE group_id = %s",
        "DELETE FROM intake_groupsession WHERE id = %s",
    ):
        with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [group.pk])
    group.refresh_from_db()
    assert group.title == "Renamed" and group.summary == SUMMARY
    assert GroupAttendee.objects.filter(group=group).count() == 3
