"""The privacy rule of groups (docs/clinical-rules.md#group-sessions): the name, MRN or id of
another attendee never appears in a patient's chart, export or disclosure. A group of three
named patients; everything patient A's record shows or sends, and every audit row about A, is
searched for B's and C's given and family names, MRNs and ids."""

import inspect
import json

import pytest

from intake.models import AuditEvent, DisclosureContent
from intake.selectors.disclosure import BUILDERS, disclosure_document
from intake.selectors.group_session import group_attendance, patient_group_notes
from tests.factories import PASSWORD
from tests.group_support import caseload, run_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_of_three(team_counselor):
    a, b, c = caseload(
        team_counselor,
        [("Amelia", "Quintero"), ("Bartholomew", "Vasquez"), ("Cordelia", "Whitlock")],
    )
    group = run_group(team_counselor, [a, b, c])
    return group, a, [b, c]


def _traces(patients) -> list[str]:
    return [
        value
        for p in patients
        for value in (p.given_name, p.family_name, p.mrn, str(p.pk), p.pk.hex)
    ]


def _assert_none_named(text: str, others) -> None:
    for trace in _traces(others):
        assert trace not in text, trace


def test_patient_as_chart_page_names_no_other_attendee(client, team_counselor, group_of_three):
    _group, a, others = group_of_three
    client.force_login(team_counselor)
    page = client.get(f"/patients/{a.pk}/").content.decode()
    assert "Groups attended 1 of 1" in page
    assert a.family_name in page
    _assert_none_named(page, others)


def test_patient_as_group_notes_name_no_other_attendee(group_of_three):
    _group, a, others = group_of_three
    notes = list(patient_group_notes(patient=a))
    assert len(notes) == 1
    note = notes[0]
    fields = {
        name: str(getattr(note, name))
        for name in ("data", "assessment", "plan_text", "kind", "session_date", "patient_id")
    }
    fields["group"] = str(
        {
            "title": note.group_session.title,
            "summary": note.group_session.summary,
            "modality": note.group_session.get_modality_display(),
        }
    )
    _assert_none_named(json.dumps(fields), others)
    assert group_attendance(patient=a) == {"attended": 1, "rolls": 1}


def test_patient_as_signed_notes_name_no_other_attendee(api, team_counselor, group_of_three):
    group, a, others = group_of_three
    api.force_authenticate(team_counselor)
    api.post(f"/api/v1/group-sessions/{group.pk}/sign/", {"password": PASSWORD}, format="json")
    note = patient_group_notes(patient=a).get()
    assert note.status == "signed"
    _assert_none_named(f"{note.data} {note.assessment} {note.content_hash}", others)


@pytest.mark.parametrize("content", DisclosureContent.values)
def test_patient_as_disclosures_name_no_other_attendee(group_of_three, team_counselor, content):
    _group, a, others = group_of_three
    kwargs = {}
    if "requester" in inspect.signature(disclosure_document).parameters:
        kwargs["requester"] = team_counselor  # counseling notes go out as the requester's own
    elif content not in BUILDERS:
        pytest.skip("this kind cannot be disclosed yet")
    document = disclosure_document(patient=a, content=content, **kwargs)
    text = json.dumps(document)
    assert a.family_name in text
    _assert_none_named(text, others)


def test_patient_as_audit_rows_name_no_other_attendee(client, api, team_counselor, group_of_three):
    group, a, others = group_of_three
    client.force_login(team_counselor)
    client.get(f"/patients/{a.pk}/")
    api.force_authenticate(team_counselor)
    api.get(f"/api/v1/group-sessions/{group.pk}/")
    api.post(f"/api/v1/group-sessions/{group.pk}/sign/", {"password": PASSWORD}, format="json")
    rows = list(AuditEvent.objects.filter(patient=a).values())
    assert {r["action"] for r in rows} >= {"create", "read", "sign"}
    _assert_none_named(json.dumps(rows, default=str), others)
