"""The facilitator edits an attendee's draft group note before signing the group
(docs/clinical-rules.md#group-sessions): the note stays a group note, through the API and the
page alike; a request to make it another kind is a 400 naming `kind` that stores nothing."""

import pytest

from intake.models import SessionKind, SessionNote
from tests.group_support import SUMMARY, run_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_note(patient, team_counselor):
    group = run_group(team_counselor, [patient])
    return SessionNote.objects.get(group_session=group)


def _edit_url(note):
    return f"/patients/{note.patient_id}/session-notes/{note.pk}/edit/"


def test_the_api_refuses_to_turn_a_group_note_into_another_kind(api, team_counselor, group_note):
    api.force_authenticate(team_counselor)
    response = api.patch(
        f"/api/v1/session-notes/{group_note.pk}/",
        {"kind": "individual", "assessment": "Changed.", "revision": 1},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "group note" in str(response.json()["kind"])
    group_note.refresh_from_db()
    assert group_note.kind == SessionKind.GROUP and group_note.revision == 1
    assert group_note.assessment != "Changed."


def test_the_api_edits_the_attendees_own_note_of_a_group(api, team_counselor, group_note):
    api.force_authenticate(team_counselor)
    response = api.patch(
        f"/api/v1/session-notes/{group_note.pk}/",
        {"assessment": "Quiet today; named one coping card.", "revision": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    group_note.refresh_from_db()
    assert group_note.kind == SessionKind.GROUP and group_note.revision == 2
    assert group_note.assessment == "Quiet today; named one coping card."


def test_the_page_offers_only_group_for_a_group_note_and_saves_it(
    client, team_counselor, group_note
):
    client.force_login(team_counselor)
    page = client.get(_edit_url(group_note))
    assert page.status_code == 200
    assert [value for value, _label in page.context["form"].fields["kind"].choices] == ["group"]
    response = client.post(
        _edit_url(group_note),
        {
            "kind": "group",
            "session_date": group_note.session_date.isoformat(),
            "duration_minutes": group_note.duration_minutes,
            "data": SUMMARY,
            "assessment": "Quiet today; named one coping card.",
            "plan_text": "",
            "counseling_notes": "",
            "revision": 1,
        },
    )
    assert response.status_code == 302, response.content
    group_note.refresh_from_db()
    assert group_note.kind == SessionKind.GROUP
    assert group_note.assessment == "Quiet today; named one coping card."


def test_the_page_refuses_another_kind_for_a_group_note(client, team_counselor, group_note):
    client.force_login(team_counselor)
    response = client.post(
        _edit_url(group_note),
        {
            "kind": "individual",
            "session_date": group_note.session_date.isoformat(),
            "duration_minutes": group_note.duration_minutes,
            "data": SUMMARY,
            "assessment": "Changed.",
            "revision": 1,
        },
    )
    assert response.status_code == 400
    group_note.refresh_from_db()
    assert group_note.kind == SessionKind.GROUP and group_note.assessment != "Changed."
