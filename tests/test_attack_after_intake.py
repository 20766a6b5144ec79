"""Attacks on the after-intake features (docs/api.md#session-notes, #group-sessions,
#patient-self-report, #reassessments, #outcomes; docs/clinical-rules.md#counseling-notes):
wrong roles, off-team clinicians (the one 404), emergency access, missing or replayed second
factors, stale revisions, hostile bodies and dates, the patient's public pages, the outcome
filters and export, real concurrency. Every refusal is a 4xx naming the field or rule, stores
nothing, and nothing answers 500."""

import datetime
import json
import threading
import uuid

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import Assessment as AssessmentModel
from intake.models import (
    AuditEvent,
    CounselingNote,
    GroupSession,
    PendingAssessment,
    SelfReportLink,
    SessionNote,
    SessionNoteAddendum,
    SessionNoteProgress,
)
from intake.services.self_report import self_report_submit
from tests.factories import PASSWORD, CareTeamMemberFactory, PatientFactory, second_factor
from tests.group_support import GROUPS_URL, group_body
from tests.self_report_support import issue, page_path, phq9
from tests.session_note_support import COUNSELING_TEXT, active_plan, note_body

NOTES = "/api/v1/patients/{}/session-notes/"
NOTE = "/api/v1/session-notes/{}/"
LINKS = "/api/v1/patients/{}/self-report-links/"
PENDING = "/api/v1/patients/{}/pending-assessments/"
ACCEPT = "/api/v1/pending-assessments/{}/accept/"
REJECT = "/api/v1/pending-assessments/{}/reject/"
REASSESS = "/api/v1/patients/{}/reassessments/"
OUTCOMES = "/api/v1/outcomes/"
REASON = "Found unresponsive in the waiting room; naloxone given, need medication history"
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-000000000000")
ROLES = ["clinic_admin", "privacy_officer"]


def counts():
    return (
        SessionNote.objects.count(),
        SessionNoteProgress.objects.count(),
        SessionNoteAddendum.objects.count(),
        CounselingNote.objects.count(),
        GroupSession.objects.count(),
        SelfReportLink.objects.count(),
        PendingAssessment.objects.exclude(status="pending").count(),
        PendingAssessment.objects.count(),
        AssessmentModel.objects.count(),
        SessionNote.objects.filter(status="signed").count(),
    )


class Stored:
    """Asserts nothing was stored inside the block."""

    def __enter__(self):
        self.before = counts()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            assert counts() == self.before


def names(response, field):
    assert 400 <= response.status_code < 500, response.content
    assert field in response.content.decode(), response.content


def as_(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def plan(patient, team_physician):
    return active_plan(patient, team_physician)


@pytest.fixture
def draft(api, patient, plan, team_counselor):
    response = as_(api, team_counselor).post(
        NOTES.format(patient.pk), note_body(counseling_notes=COUNSELING_TEXT), format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def signed(api, draft, team_counselor):
    response = as_(api, team_counselor).post(
        NOTE.format(draft["id"]) + "sign/", {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def open_break_glass(api, user, patient):
    response = as_(api, user).post(
        f"/api/v1/patients/{patient.pk}/break-glass/", {"reason": REASON}, format="json"
    )
    assert response.status_code == 201, response.content


@pytest.fixture
def pending(patient, team_counselor):
    link = issue(team_counselor, patient, ("phq9",))
    (row,) = self_report_submit(link=link.link, answers={"phq9": phq9()}, via="link")
    return row


# --- roles, off-team, unauthenticated -------------------------------------------------------


@pytest.mark.parametrize("persona", ROLES)
def test_other_roles_may_not_read_or_write_session_notes(request, api, patient, draft, persona):
    as_(api, request.getfixturevalue(persona))
    with Stored():
        for response in (
            api.get(NOTES.format(patient.pk)),
            api.post(NOTES.format(patient.pk), note_body(), format="json"),
            api.get(NOTE.format(draft["id"])),
            api.patch(NOTE.format(draft["id"]), {"revision": 1, "data": "x"}, format="json"),
            api.post(NOTE.format(draft["id"]) + "sign/", {"password": PASSWORD}, format="json"),
            api.post(
                NOTE.format(draft["id"]) + "addenda/",
                {"text": "x", "password": PASSWORD},
                format="json",
            ),
        ):
            assert response.status_code == 403, response.content
            assert "detail" in response.json()


@pytest.mark.parametrize("persona", ["offteam_counselor", "offteam_nurse", "offteam_physician"])
def test_off_team_reads_the_same_404_as_an_unknown_id(request, api, patient, draft, persona):
    as_(api, request.getfixturevalue(persona))
    pairs = [
        ("get", NOTES.format(patient.pk), NOTES.format(UNKNOWN), None),
        ("post", NOTES.format(patient.pk), NOTES.format(UNKNOWN), note_body()),
        ("get", NOTE.format(draft["id"]), NOTE.format(UNKNOWN), None),
        ("patch", NOTE.format(draft["id"]), NOTE.format(UNKNOWN), {"revision": 1}),
        ("post", NOTE.format(draft["id"]) + "sign/", NOTE.format(UNKNOWN) + "sign/", {}),
        ("post", NOTE.format(draft["id"]) + "addenda/", NOTE.format(UNKNOWN) + "addenda/", {}),
        ("get", PENDING.format(patient.pk), PENDING.format(UNKNOWN), None),
        ("post", LINKS.format(patient.pk), LINKS.format(UNKNOWN), {"instruments": ["phq9"]}),
        ("get", REASSESS.format(patient.pk), REASSESS.format(UNKNOWN), None),
    ]
    with Stored():
        for method, theirs, unknown, body in pairs:
            kw = {"format": "json"} if body is not None else {}
            args = (body,) if body is not None else ()
            a = getattr(api, method)(theirs, *args, **kw)
            b = getattr(api, method)(unknown, *args, **kw)
            assert a.status_code == b.status_code == 404, (theirs, a.content)
            assert a.content == b.content
    assert AuditEvent.objects.filter(outcome="denied", actor=request.getfixturevalue(persona))


def test_off_team_pending_review_reads_the_same_404(api, pending, offteam_nurse):
    as_(api, offteam_nurse)
    with Stored():
        for url in (ACCEPT, REJECT):
            a = api.post(url.format(pending.pk), {"reason": "x"}, format="json")
            b = api.post(url.format(UNKNOWN), {"reason": "x"}, format="json")
            assert a.status_code == b.status_code == 404
            assert a.content == b.content


@pytest.mark.parametrize("persona", ROLES)
def test_other_roles_may_not_review_or_issue(request, api, patient, pending, persona):
    as_(api, request.getfixturevalue(persona))
    with Stored():
        assert api.post(ACCEPT.format(pending.pk)).status_code == 403
        assert api.post(REJECT.format(pending.pk), {"reason": "x"}).status_code == 403
        assert api.get(PENDING.format(patient.pk)).status_code == 403
        assert api.get(REASSESS.format(patient.pk)).status_code == 403
        response = api.post(LINKS.format(patient.pk), {"instruments": ["phq9"]}, format="json")
        assert response.status_code == 403
        response = api.post(GROUPS_URL, group_body([patient]), format="json")
        assert response.status_code == 403


def test_unauthenticated_gets_nothing(api, patient, draft, pending):
    api.force_authenticate(None)
    with Stored():
        for method, url in [
            ("get", NOTES.format(patient.pk)),
            ("post", NOTES.format(patient.pk)),
            ("get", NOTE.format(draft["id"])),
            ("post", NOTE.format(draft["id"]) + "sign/"),
            ("post", NOTE.format(draft["id"]) + "addenda/"),
            ("post", GROUPS_URL),
            ("post", LINKS.format(patient.pk)),
            ("get", PENDING.format(patient.pk)),
            ("post", ACCEPT.format(pending.pk)),
            ("post", REJECT.format(pending.pk)),
            ("get", REASSESS.format(patient.pk)),
            ("get", OUTCOMES),
        ]:
            assert getattr(api, method)(url).status_code in (401, 403), url
    for url in (
        f"/patients/{patient.pk}/session-notes/new/",
        f"/patients/{patient.pk}/session-notes/{draft['id']}/",
        f"/patients/{patient.pk}/trends/phq9/",
        "/groups/new/",
        f"/patients/{patient.pk}/self-report/",
        "/outcomes/",
        "/outcomes/export.csv",
    ):
        response = APIClient().get(url)
        assert response.status_code in (302, 401, 403), url
        assert b"Lopez" not in response.content


def test_a_nurse_cannot_edit_or_sign_the_counselors_draft(api, draft, team_nurse, team_physician):
    for user in (team_nurse, team_physician):
        as_(api, user)
        with Stored():
            response = api.patch(NOTE.format(draft["id"]), {"revision": 1, "data": "x"}, "json")
            assert response.status_code == 403, response.content
            response = api.post(NOTE.format(draft["id"]) + "sign/", {"password": PASSWORD}, "json")
            assert response.status_code == 403, response.content
        assert response.json()["detail"]


def test_counseling_notes_are_the_authors_alone(api, draft, team_nurse, team_physician):
    for user in (team_nurse, team_physician):
        body = as_(api, user).get(NOTE.format(draft["id"])).json()
        assert body["counseling_notes"] is None
        assert COUNSELING_TEXT not in json.dumps(body)


# --- emergency access -----------------------------------------------------------------------


def test_break_glass_reads_notes_but_never_counseling_notes(
    api, patient, signed, offteam_counselor
):
    open_break_glass(api, offteam_counselor, patient)
    listed = api.get(NOTES.format(patient.pk))
    assert listed.status_code == 200
    one = api.get(NOTE.format(signed["id"]))
    assert one.status_code == 200
    for body in (listed.json(), one.json()):
        assert COUNSELING_TEXT not in json.dumps(body)
    assert one.json()["counseling_notes"] is None
    assert AuditEvent.objects.filter(actor=offteam_counselor, break_glass=True, action="read")


def test_break_glass_may_not_run_a_group_for_the_patient(api, patient, offteam_counselor):
    open_break_glass(api, offteam_counselor, patient)
    with Stored():
        response = api.post(GROUPS_URL, group_body([patient]), format="json")
    names(response, "attendees")
    assert response.status_code == 400
    assert "No patient with this id." in response.content.decode()


def test_break_glass_may_not_disclose_counseling_notes(api, patient, signed, offteam_counselor):
    from intake.models import Disclosure

    open_break_glass(api, offteam_counselor, patient)
    before = Disclosure.objects.count()
    response = api.post(
        f"/api/v1/patients/{patient.pk}/disclosures/",
        {
            "consent": str(UNKNOWN),
            "recipient": "Dr X",
            "purpose": "treatment",
            "content": "sud-counseling-notes",
        },
        format="json",
    )
    assert response.status_code == 404, response.content
    assert Disclosure.objects.count() == before
    assert COUNSELING_TEXT not in response.content.decode()


# --- signing: second factor, replay, stale, state ----------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "password"),
        ({"password": ""}, "password"),
        ({"password": "wrong"}, "password"),
        ({"password": None}, "password"),
        ({"password": ["x"]}, "password"),
        ({"password": 12345}, "password"),
        ({"password": "x" * 257}, "password"),
        ({"password": PASSWORD, "otp": "000000"}, "otp"),
        ({"password": PASSWORD, "otp": ["1"]}, "otp"),
        ({"password": PASSWORD, "otp": "1" * 13}, "otp"),
    ],
)
def test_signing_refuses_a_bad_second_factor(api, draft, team_counselor, body, field):
    second_factor(team_counselor)
    as_(api, team_counselor)
    with Stored():
        response = api.post(NOTE.format(draft["id"]) + "sign/", body, format="json")
    assert response.status_code == 400, response.content
    names(response, field)


def test_an_enrolled_signer_without_a_code_is_refused(api, draft, team_counselor):
    second_factor(team_counselor)
    with Stored():
        response = as_(api, team_counselor).post(
            NOTE.format(draft["id"]) + "sign/", {"password": PASSWORD}, format="json"
        )
    names(response, "otp")
    assert AuditEvent.objects.filter(action="sign", outcome="denied", actor=team_counselor)


def test_a_replayed_code_does_not_sign_twice(api, patient, plan, team_counselor):
    code = second_factor(team_counselor)
    as_(api, team_counselor)
    notes = [api.post(NOTES.format(patient.pk), note_body(), format="json").json() for _ in "ab"]
    first = api.post(NOTE.format(notes[0]["id"]) + "sign/", {"password": PASSWORD, "otp": code})
    assert first.status_code == 200, first.content
    with Stored():
        again = api.post(NOTE.format(notes[1]["id"]) + "sign/", {"password": PASSWORD, "otp": code})
    names(again, "otp")
    assert again.status_code == 400


def test_addenda_need_a_signed_note_and_the_password(api, draft, signed, team_nurse):
    as_(api, team_nurse)
    with Stored():
        response = api.post(NOTE.format(signed["id"]) + "addenda/", {"text": "Late entry."}, "json")
        names(response, "password")
        response = api.post(
            NOTE.format(signed["id"]) + "addenda/", {"text": "x", "password": "no"}, "json"
        )
        names(response, "password")
        response = api.post(
            NOTE.format(signed["id"]) + "addenda/", {"text": "", "password": PASSWORD}, "json"
        )
        names(response, "text")
        response = api.post(
            NOTE.format(signed["id"]) + "addenda/", {"text": "a\x00b", "password": PASSWORD}, "json"
        )
        names(response, "NUL")
        response = api.post(
            NOTE.format(signed["id"]) + "addenda/",
            {"text": "x" * 10_001, "password": PASSWORD},
            "json",
        )
        names(response, "text")
    ok = api.post(
        NOTE.format(signed["id"]) + "addenda/",
        {"text": "Late entry.", "password": PASSWORD},
        "json",
    )
    assert ok.status_code == 201
    assert AuditEvent.objects.filter(object_type="sessionnoteaddendum", action="create").exists()


def test_an_addendum_to_a_draft_is_409(api, patient, plan, team_counselor):
    as_(api, team_counselor)
    note = api.post(NOTES.format(patient.pk), note_body(), format="json").json()
    with Stored():
        response = api.post(
            NOTE.format(note["id"]) + "addenda/", {"text": "x", "password": PASSWORD}, "json"
        )
    assert response.status_code == 409, response.content
    assert response.json()["detail"]


def test_stale_and_signed_edits_are_409(api, draft, team_counselor):
    as_(api, team_counselor)
    ok = api.patch(NOTE.format(draft["id"]), {"revision": 1, "data": "Edited."}, format="json")
    assert ok.status_code == 200 and ok.json()["revision"] == 2
    with Stored():
        stale = api.patch(NOTE.format(draft["id"]), {"revision": 1, "data": "Lost."}, format="json")
    assert stale.status_code == 409, stale.content
    assert SessionNote.objects.get(pk=draft["id"]).data == "Edited."
    with Stored():
        missing = api.patch(NOTE.format(draft["id"]), {"data": "No revision."}, format="json")
    names(missing, "revision")
    api.post(NOTE.format(draft["id"]) + "sign/", {"password": PASSWORD}, format="json")
    with Stored():
        after = api.patch(NOTE.format(draft["id"]), {"revision": 2, "data": "x"}, format="json")
        again = api.post(NOTE.format(draft["id"]) + "sign/", {"password": PASSWORD}, "json")
    assert after.status_code == 409, after.content
    assert again.status_code == 409, again.content


# --- hostile bodies -------------------------------------------------------------------------

FUTURE = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"kind": "psychoanalysis"}, "kind"),
        ({"kind": None}, "kind"),
        ({"kind": ["individual"]}, "kind"),
        ({"kind": 1}, "kind"),
        ({"session_date": "0001-01-01"}, "session_date"),
        ({"session_date": "9999-12-31"}, "session_date"),
        ({"session_date": "2026-02-30"}, "session_date"),
        ({"session_date": FUTURE}, "session_date"),
        ({"session_date": None}, "session_date"),
        ({"session_date": 20260101}, "session_date"),
        ({"session_date": "yesterday"}, "session_date"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"duration_minutes": -1}, "duration_minutes"),
        ({"duration_minutes": 10**12}, "duration_minutes"),
        ({"duration_minutes": 1.5}, "duration_minutes"),
        ({"duration_minutes": True}, "duration_minutes"),
        ({"duration_minutes": "true"}, "duration_minutes"),
        ({"duration_minutes": None}, "duration_minutes"),
        ({"duration_minutes": [50]}, "duration_minutes"),
        ({"duration_minutes": {"m": 50}}, "duration_minutes"),
        ({"data": "a\x00b"}, "NUL"),
        ({"assessment": "a\x00b"}, "NUL"),
        ({"plan": "a\x00b"}, "NUL"),
        ({"counseling_notes": "a\x00b"}, "NUL"),
        ({"data": "x" * 10_001}, "data"),
        ({"assessment": "x" * 10_001}, "assessment"),
        ({"plan": "x" * 10_001}, "plan"),
        ({"counseling_notes": "x" * 10_001}, "counseling_notes"),
        ({"data": ["x"]}, "data"),
        ({"data": {"x": 1}}, "data"),
        ({"data": 5}, "data"),
        ({"counseling_notes": ["x"]}, "counseling_notes"),
        ({"counseling_notes": True}, "counseling_notes"),
        ({"progress": "coping-cravings"}, "progress"),
        ({"progress": {"target": "coping-cravings"}}, "progress"),
        ({"progress": [{"target": "flying", "status": "progressing"}]}, "target"),
        ({"progress": [{"target": "coping-cravings", "status": "done"}]}, "status"),
        ({"progress": [{"target": "coping-cravings"}]}, "status"),
        ({"progress": [{"status": "progressing"}]}, "target"),
        ({"progress": ["coping-cravings"]}, "progress"),
        ({"progress": [None]}, "progress"),
        ({"progress": [{"target": None, "status": "progressing"}]}, "target"),
        ({"progress": [{"target": "housing", "status": "progressing"}]}, "housing"),
        (
            {
                "progress": [
                    {"target": "coping-cravings", "status": "progressing"},
                    {"target": "coping-cravings", "status": "achieved"},
                ]
            },
            "twice",
        ),
        ({"progress": [{"target": "triggers", "status": "achieved"}] * 30}, "progress"),
    ],
)
def test_a_hostile_note_body_is_refused_by_field(
    api, patient, plan, team_counselor, overrides, field
):
    as_(api, team_counselor)
    with Stored():
        response = api.post(NOTES.format(patient.pk), note_body(**overrides), format="json")
    assert response.status_code == 400, response.content
    names(response, field)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"revision": "1x", "data": "x"}, "revision"),
        ({"revision": None, "data": "x"}, "revision"),
        ({"revision": [1], "data": "x"}, "revision"),
        ({"revision": 0, "data": "x"}, "revision"),
        ({"revision": 1, "duration_minutes": 0}, "duration_minutes"),
        ({"revision": 1, "session_date": "2026-02-30"}, "session_date"),
        ({"revision": 1, "data": "a\x00b"}, "NUL"),
        ({"revision": 1, "progress": [{"target": "flying", "status": "achieved"}]}, "target"),
    ],
)
def test_a_hostile_patch_is_refused_by_field(api, draft, team_counselor, body, field):
    as_(api, team_counselor)
    with Stored():
        response = api.patch(NOTE.format(draft["id"]), body, format="json")
    assert response.status_code == 400, response.content
    names(response, field)
    assert SessionNote.objects.get(pk=draft["id"]).revision == 1


def test_unknown_fields_are_ignored_not_stored(api, patient, plan, team_counselor):
    as_(api, team_counselor)
    response = api.post(
        NOTES.format(patient.pk),
        note_body(
            status="signed", author="someone", content_hash="0" * 64, group_session=str(UNKNOWN)
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["content_hash"], body["group_session"]) == ("draft", "", None)


@pytest.mark.parametrize("url", [NOTES, LINKS])
def test_deeply_nested_and_huge_bodies_are_refused(
    api, patient, plan, team_counselor, settings, url
):
    as_(api, team_counselor)
    nested = {"data": "x"}
    for _ in range(40):
        nested = {"a": nested}
    with Stored():
        response = api.post(url.format(patient.pk), {"progress": [nested]}, format="json")
        assert response.status_code == 400, response.content
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
        response = api.generic(
            "POST",
            url.format(patient.pk),
            json.dumps(note_body(data="x" * 200_000)),
            content_type="application/json",
        )
        assert response.status_code == 400, response.content
        names(response, "larger than the limit")
        response = api.generic(
            "POST", url.format(patient.pk), '{"kind": ', content_type="application/json"
        )
        assert response.status_code == 400


# --- group sessions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"modality": "hypnosis"}, "modality"),
        ({"modality": None}, "modality"),
        ({"held_on": FUTURE}, "held_on"),
        ({"held_on": "2026-02-30"}, "held_on"),
        ({"held_on": "0001-01-01"}, "held_on"),
        ({"held_on": "9999-12-31"}, "held_on"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"duration_minutes": -1}, "duration_minutes"),
        ({"duration_minutes": 10**12}, "duration_minutes"),
        ({"duration_minutes": "true"}, "duration_minutes"),
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": "a\x00b"}, "NUL"),
        ({"summary": "a\x00b"}, "NUL"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 10_001}, "summary"),
        ({"summary": ["x"]}, "summary"),
        ({"attendees": []}, "attendees"),
        ({"attendees": "everyone"}, "attendees"),
        ({"attendees": {"patient": "x"}}, "attendees"),
        ({"attendees": [None]}, "attendees"),
        ({"attendees": [{"patient": str(UNKNOWN), "attended": True}]}, "No patient with this id."),
        ({"attendees": [{"patient": "../../etc", "attended": True}]}, "No patient with this id."),
        ({"attendees": [{"patient": "a\x00b", "attended": True}]}, "NUL"),
    ],
)
def test_a_hostile_group_body_is_refused_by_field(api, patient, team_counselor, overrides, field):
    as_(api, team_counselor)
    with Stored():
        response = api.post(GROUPS_URL, group_body([patient], **overrides), format="json")
    assert response.status_code == 400, response.content
    names(response, field)


@pytest.mark.parametrize(
    "row, field",
    [
        ({"attended": "true"}, "attended"),
        ({"attended": 1}, "attended"),
        ({"attended": None}, "attended"),
        ({"attended": False, "note": "Absent but noted."}, "attendees"),
        ({"note": "a\x00b"}, "NUL"),
        ({"note": "x" * 10_001}, "note"),
        ({"note": ["x"]}, "note"),
        ({"patient": 5}, "patient"),
        ({"patient": None}, "patient"),
        ({"patient": "x" * 65}, "patient"),
    ],
)
def test_a_hostile_roll_row_is_refused(api, patient, team_counselor, row, field):
    body = group_body([patient])
    body["attendees"][0].update(row)
    with Stored():
        response = as_(api, team_counselor).post(GROUPS_URL, body, format="json")
    assert response.status_code == 400, response.content
    names(response, field)


def test_a_patient_twice_and_an_off_team_patient_are_named_by_row(api, patient, team_counselor):
    other = PatientFactory()
    body = group_body([patient, patient, other])
    with Stored():
        response = as_(api, team_counselor).post(GROUPS_URL, body, format="json")
    assert response.status_code == 400, response.content
    rows = response.json()["attendees"]
    assert "already on the roll" in json.dumps(rows["1"])
    assert rows["2"] == ["No patient with this id."]
    unknown = group_body([patient])
    unknown["attendees"].append({"patient": str(UNKNOWN), "attended": True})
    again = api.post(GROUPS_URL, unknown, format="json")
    assert again.json()["attendees"]["1"] == rows["2"]


def test_nobody_present_and_too_many_are_refused(api, patient, team_counselor):
    as_(api, team_counselor)
    with Stored():
        names(api.post(GROUPS_URL, group_body([patient], absent=[patient]), "json"), "attendees")
        big = group_body([patient])
        big["attendees"] = big["attendees"] * 61
        names(api.post(GROUPS_URL, big, format="json"), "attendees")


@pytest.fixture
def group(api, patient, team_counselor):
    response = as_(api, team_counselor).post(GROUPS_URL, group_body([patient]), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_group_sign_refuses_others_and_bad_factors(api, group, team_counselor, team_nurse):
    url = f"{GROUPS_URL}{group['id']}/sign/"
    with Stored():
        response = as_(api, team_nurse).post(url, {"password": PASSWORD}, format="json")
        assert response.status_code == 403, response.content
        second_factor(team_counselor)
        as_(api, team_counselor)
        names(api.post(url, {}, format="json"), "password")
        names(api.post(url, {"password": "wrong"}, format="json"), "password")
        names(api.post(url, {"password": PASSWORD}, format="json"), "otp")
        names(api.post(url, {"password": PASSWORD, "otp": "000000"}, format="json"), "otp")
        names(api.post(url, {"password": ["x"]}, format="json"), "password")
    code = second_factor(team_counselor)
    assert api.post(url, {"password": PASSWORD, "otp": code}, format="json").status_code == 200
    with Stored():
        again = api.post(url, {"password": PASSWORD, "otp": code}, format="json")
    assert again.status_code in (400, 409), again.content


def test_off_team_group_reads_the_same_404(api, group, offteam_counselor, clinic_admin):
    as_(api, offteam_counselor)
    with Stored():
        for suffix in ("", "sign/"):
            method = api.get if not suffix else api.post
            a = method(f"{GROUPS_URL}{group['id']}/{suffix}")
            b = method(f"{GROUPS_URL}{UNKNOWN}/{suffix}")
            assert a.status_code == b.status_code == 404
            assert a.content == b.content
        as_(api, clinic_admin)
        assert api.get(f"{GROUPS_URL}{group['id']}/").status_code == 403
    for url in (f"/groups/{group['id']}/", f"/groups/{UNKNOWN}/"):
        from django.test import Client

        client = Client()
        client.force_login(offteam_counselor)
        response = client.get(url)
        assert response.status_code == 404
        assert b"Lopez" not in response.content


# --- self-report links, pending assessments -------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "instruments"),
        ({"instruments": []}, "instruments"),
        ({"instruments": "phq9"}, "instruments"),
        ({"instruments": {"phq9": 1}}, "instruments"),
        ({"instruments": None}, "instruments"),
        ({"instruments": ["cows"]}, "cows"),
        ({"instruments": ["asam"]}, "asam"),
        ({"instruments": ["PHQ9"]}, "PHQ9"),
        ({"instruments": [1]}, "instruments"),
        ({"instruments": [None]}, "instruments"),
        ({"instruments": ["ph\x00q9"]}, "NUL"),
        ({"instruments": ["x" * 41]}, "instruments"),
        ({"instruments": ["phq9"] * 501}, "instruments"),
    ],
)
def test_a_hostile_link_body_is_refused(api, patient, team_counselor, body, field):
    with Stored():
        response = as_(api, team_counselor).post(LINKS.format(patient.pk), body, format="json")
    assert response.status_code == 400, response.content
    names(response, field)


def test_a_repeated_instrument_counts_once(api, patient, team_counselor):
    response = as_(api, team_counselor).post(
        LINKS.format(patient.pk), {"instruments": ["phq9", "phq9", "gad7"]}, format="json"
    )
    assert response.status_code == 201
    assert SelfReportLink.objects.get().instruments == ["phq9", "gad7"]
    assert AuditEvent.objects.filter(object_type="selfreportlink", action="create").exists()


@pytest.mark.parametrize("reason", ["", "   ", None, ["x"], 5, "a\x00b", "x" * 2001])
def test_a_rejection_needs_a_reason(api, pending, team_nurse, reason):
    as_(api, team_nurse)
    with Stored():
        response = api.post(REJECT.format(pending.pk), {"reason": reason}, format="json")
    assert response.status_code == 400, response.content
    names(response, "reason" if reason != "a\x00b" else "NUL")


def test_a_second_review_is_409(api, pending, team_nurse):
    as_(api, team_nurse)
    assert api.post(ACCEPT.format(pending.pk)).status_code == 201
    with Stored():
        again = api.post(ACCEPT.format(pending.pk))
        reject = api.post(REJECT.format(pending.pk), {"reason": "dup"}, format="json")
    assert again.status_code == reject.status_code == 409
    assert "already" in again.json()["detail"]
    assert AuditEvent.objects.filter(object_type="pendingassessment", action="update").count() == 1


def test_break_glass_reviewing_answers(api, patient, pending, offteam_nurse):
    # Emergency access uses the chart like a team member (docs/permissions.md, `break-glass`):
    # the waiting answers are listed, and the read is audited as an emergency access.
    open_break_glass(api, offteam_nurse, patient)
    response = api.get(PENDING.format(patient.pk))
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [str(pending.pk)]
    read = AuditEvent.objects.filter(
        actor=offteam_nurse, action="read", patient=patient, break_glass=True
    )
    assert read.filter(object_type="pending-assessment-list").exists()


# --- the patient's public pages -------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "x" * 5000,
        "é" * 43,
        "../../../etc/passwd",
        "..%2F..%2Fadmin",
        "%00",
        "abc%00def",
        "'; DROP TABLE intake_patient; --",
        "a/b/c",
        " ",
    ],
)
def test_malformed_tokens_are_a_plain_404(client, patient, team_counselor, token):
    issue(team_counselor, patient)
    with Stored():
        page = client.get(f"/self-report/{token}/")
        kiosk = client.post(f"/self-report/{token}/", "{}", content_type="application/json")
    assert page.status_code in (400, 404), page.content
    assert kiosk.status_code in (400, 404), kiosk.content
    for response in (page, kiosk):
        assert b"Maria" not in response.content and b"Lopez" not in response.content


def test_a_used_link_is_410_and_another_patients_token_opens_only_theirs(
    client, patient, team_counselor
):
    other = PatientFactory(given_name="Rosa", family_name="Quintero")
    CareTeamMemberFactory(patient=other, user=team_counselor, team_role="counselor")
    mine, theirs = issue(team_counselor, patient), issue(team_counselor, other)
    page = client.get(page_path(theirs))
    assert b"Rosa" in page.content and b"Maria" not in page.content
    assert b"Quintero" not in page.content and other.mrn.encode() not in page.content
    sent = client.post(
        page_path(mine), {"answers": {"phq9": phq9()}}, content_type="application/json"
    )
    assert sent.status_code == 201, sent.content
    with Stored():
        again = client.post(
            page_path(mine), {"answers": {"phq9": phq9()}}, content_type="application/json"
        )
        page_again = client.get(page_path(mine))
    assert again.status_code == page_again.status_code == 410
    assert b"Maria" not in page_again.content and b"Maria" not in again.content


@pytest.mark.parametrize(
    "body, key",
    [
        ({}, "answers"),
        ({"answers": None}, "answers"),
        ({"answers": []}, "answers"),
        ({"answers": "phq9"}, "answers"),
        ({"answers": {}}, "phq9"),
        ({"answers": {"phq9": None}}, "phq9"),
        ({"answers": {"phq9": []}}, "phq9"),
        ({"answers": {"phq9": "1"}}, "phq9"),
        ({"answers": {"phq9": {}}}, "phq9"),
        ({"answers": {"phq9": phq9() | {"9": "4"}}}, "phq9.9"),
        ({"answers": {"phq9": phq9() | {"9": "-1"}}}, "phq9.9"),
        ({"answers": {"phq9": phq9() | {"9": 10**30}}}, "phq9.9"),
        ({"answers": {"phq9": phq9() | {"9": None}}}, "phq9.9"),
        ({"answers": {"phq9": phq9() | {"9": [1]}}}, "phq9.9"),
        ({"answers": {"phq9": phq9() | {"9": {"v": 1}}}}, "phq9.9"),
        ({"answers": {"phq9": phq9() | {"9": True}}}, "phq9.9"),
        ({"answers": {"phq9": phq9() | {"9": "a\x00"}}}, "phq9.9"),
        ({"answers": {"phq9": phq9() | {"9": 1.5}}}, "phq9.9"),
        ({"answers": {"phq9": {k: v for k, v in phq9().items() if k != "9"}}}, "phq9"),
        ({"answers": {"phq9": phq9(), "gad7": {"1": "1"}}}, "gad7"),
        ({"answers": {"phq9": phq9(), "cows": {}}}, "cows"),
        ({"answers": {"phq9": phq9(), "x\x00" * 30: {}}}, "answers"),
    ],
)
def test_the_kiosk_refuses_bad_answers_by_item(client, patient, team_counselor, body, key):
    issued = issue(team_counselor, patient)
    with Stored():
        response = client.post(page_path(issued), body, content_type="application/json")
    assert response.status_code == 400, response.content
    names(response, key)
    assert SelfReportLink.objects.get().used_at is None
    assert b"Lopez" not in response.content


@pytest.mark.parametrize(
    "raw",
    [b"not json", b'{"answers": ', b"[1, 2]", b'"answers"', b"\xff\xfe", b'{"answers": NaN}'],
)
def test_the_kiosk_refuses_what_is_not_json(client, patient, team_counselor, raw):
    issued = issue(team_counselor, patient)
    with Stored():
        response = client.generic("POST", page_path(issued), raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "detail" in response.json() or "answers" in response.json()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_the_kiosk_with_another_content_type_is_the_form(
    client, patient, team_counselor, content_type
):
    issued = issue(team_counselor, patient)
    csrf_client = type(client)(enforce_csrf_checks=True)
    with Stored():
        response = csrf_client.generic(
            "POST",
            page_path(issued),
            json.dumps({"answers": {"phq9": phq9()}}),
            content_type=content_type,
        )
    assert response.status_code in (400, 403), response.content
    assert b"Lopez" not in response.content


def test_the_kiosk_body_over_its_limit_is_refused(client, patient, team_counselor):
    issued = issue(team_counselor, patient)
    body = json.dumps({"answers": {"phq9": phq9()}, "pad": "x" * 70_000})
    with Stored():
        response = client.generic("POST", page_path(issued), body, content_type="application/json")
    assert response.status_code in (400, 413), response.content
    names(response, "too large")


def test_tablet_codes_are_rate_limited_per_address(client, patient, team_counselor, settings):
    settings.SELF_REPORT_MAX_ATTEMPTS = 5
    settings.TRUSTED_PROXY_COUNT = 0
    issued = issue(team_counselor, patient)
    for n in range(5):
        response = client.post(
            "/self-report/", {"code": f"AAAA-AAA{n + 2}"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
        assert response.status_code in (400, 429)
    with Stored():
        spoofed = client.post(
            "/self-report/", {"code": issued.code}, HTTP_X_FORWARDED_FOR="10.9.9.9"
        )
    assert spoofed.status_code == 429, spoofed.content
    assert b"Maria" not in spoofed.content
    assert AuditEvent.objects.filter(object_type="self-report-code", outcome="denied").count() >= 5


def test_tablet_limit_per_forwarded_address_behind_a_trusted_proxy(
    client, patient, team_counselor, settings
):
    settings.SELF_REPORT_MAX_ATTEMPTS = 3
    settings.TRUSTED_PROXY_COUNT = 1
    issued = issue(team_counselor, patient)
    for _ in range(3):
        client.post("/self-report/", {"code": "ZZZZ-ZZZZ"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    blocked = client.post(
        "/self-report/", {"code": issued.code}, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert blocked.status_code == 429
    other = client.post("/self-report/", {"code": issued.code}, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 200 and b"Maria" in other.content and b"Lopez" not in other.content


@pytest.mark.parametrize("code", ["", "a\x00b", "x" * 5000, "éééé-éééé", "ABCD-EFG", None])
def test_tablet_refuses_malformed_codes(client, patient, team_counselor, code):
    issue(team_counselor, patient)
    data = {} if code is None else {"code": code}
    with Stored():
        response = client.post("/self-report/", data)
    assert response.status_code == 400, response.content
    assert b"Maria" not in response.content


# --- outcomes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({"program": "' OR 1=1 --"}, "program"),
        ({"program": "outpatient'; DROP TABLE intake_episode;--"}, "program"),
        ({"admitted_from": "0001-01-01"}, "admitted_from"),
        ({"admitted_from": "2026-02-30"}, "admitted_from"),
        ({"admitted_from": "1' OR '1'='1"}, "admitted_from"),
        ({"admitted_from": "2026-06-01", "admitted_to": "2026-01-01"}, "admitted_to"),
        ({"admitted_from": "9" * 40}, "admitted_from"),
        ({"clinician": "1 OR 1=1"}, "clinician"),
        ({"clinician": "999999999"}, "clinician"),
        ({"clinician": "-1"}, "clinician"),
        ({"clinician": "9" * 40}, "clinician"),
        ({"clinician": "1e3"}, "clinician"),
    ],
)
def test_outcome_filters_are_refused_by_name(api, client, team_physician, params, field):
    as_(api, team_physician)
    response = api.get(OUTCOMES, params)
    assert response.status_code == 400, response.content
    names(response, field)
    client.force_login(team_physician)
    export = client.get("/outcomes/export.csv", params)
    assert export.status_code == 400
    names(export, field)
    page = client.get("/outcomes/", params)
    # A filter page shows the refusal beside the filters, as the audit report does; no figures.
    assert page.status_code == 200
    assert b'data-testid="filter-refused"' in page.content
    assert b'data-testid="outcomes-table"' not in page.content


def test_outcome_filters_with_nul_are_refused(api, team_physician):
    as_(api, team_physician)
    response = api.get(OUTCOMES + "?program=out%00patient")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "persona", ["clinic_admin_user", "privacy_officer", "team_counselor", "team_nurse"]
)
def test_a_clinician_filter_must_name_a_clinician(
    request, api, team_physician, privacy_officer, clinic_admin, persona
):
    target = {"clinic_admin_user": clinic_admin}.get(persona) or request.getfixturevalue(persona)
    as_(api, team_physician)
    response = api.get(OUTCOMES, {"clinician": target.pk})
    expected = 200 if persona in ("team_counselor", "team_nurse") else 400
    assert response.status_code == expected, response.content
    if expected == 400:
        names(response, "clinician")


@pytest.mark.parametrize(
    "persona", ["team_counselor", "team_nurse", "privacy_officer", "offteam_counselor"]
)
def test_outcomes_are_for_physicians_and_admins(request, api, client, persona):
    user = request.getfixturevalue(persona)
    as_(api, user)
    assert api.get(OUTCOMES).status_code == 403
    client.force_login(user)
    assert client.get("/outcomes/").status_code == 403
    assert client.get("/outcomes/export.csv").status_code == 403


def test_the_csv_export_cannot_carry_a_formula(client, team_physician, clinic_admin):
    from tests.factories import UserFactory
    from tests.outcomes_support import refresh_summary

    evil = UserFactory(role="counselor", first_name='=HYPERLINK("x")', last_name="+1")
    refresh_summary()
    client.force_login(clinic_admin)
    before = AuditEvent.objects.filter(object_type="outcomes-report", action="export").count()
    response = client.get("/outcomes/export.csv", {"clinician": evil.pk})
    assert response.status_code == 200
    text = response.content.decode()
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "-", "@")), line
    assert "HYPERLINK" not in text
    after = AuditEvent.objects.filter(object_type="outcomes-report", action="export").count()
    assert after == before + 1


# --- trends and reassessments pages ---------------------------------------------------------


@pytest.mark.parametrize("instrument", ["nope", "phq9%00", "x" * 300, "PHQ9", "..", "cows-ar"])
def test_trend_pages_for_unknown_instruments_are_404(client, patient, team_counselor, instrument):
    client.force_login(team_counselor)
    response = client.get(f"/patients/{patient.pk}/trends/{instrument}/")
    assert response.status_code in (400, 404), response.content


@pytest.mark.parametrize("persona", ["offteam_counselor", "clinic_admin", "privacy_officer"])
def test_trend_pages_for_others(request, client, patient, persona):
    client.force_login(request.getfixturevalue(persona))
    a = client.get(f"/patients/{patient.pk}/trends/phq9/")
    b = client.get(f"/patients/{UNKNOWN}/trends/phq9/")
    assert a.status_code == b.status_code
    assert a.status_code in (403, 404)
    assert b"Lopez" not in a.content


def test_reassessments_reads_are_audited(api, patient, team_nurse):
    as_(api, team_nurse)
    before = AuditEvent.objects.filter(object_type="reassessment", action="read").count()
    assert api.get(REASSESS.format(patient.pk)).status_code == 200
    assert (
        AuditEvent.objects.filter(object_type="reassessment", action="read").count() == before + 1
    )


def test_session_note_reads_and_writes_are_audited(api, patient, draft, team_nurse):
    as_(api, team_nurse)
    reads = AuditEvent.objects.filter(action="read", actor=team_nurse)
    api.get(NOTES.format(patient.pk))
    assert reads.filter(object_type="session-note", patient=patient).count() == 1
    api.get(NOTE.format(draft["id"]))
    assert reads.filter(object_type="sessionnote", object_id=draft["id"]).count() == 1
    assert AuditEvent.objects.filter(object_type="sessionnote", action="create").exists()


def test_a_huge_but_real_period_is_an_empty_report(api, team_physician):
    from tests.outcomes_support import refresh_summary

    refresh_summary()
    as_(api, team_physician)
    for params in ({"admitted_to": "9999-12-31"}, {"admitted_from": "9999-12-31"}):
        response = api.get(OUTCOMES, params)
        assert response.status_code == 200, response.content
        assert response.json()["patients"] == 0


def test_an_impossibly_large_revision_is_stale(api, draft, team_counselor):
    as_(api, team_counselor)
    with Stored():
        response = api.patch(NOTE.format(draft["id"]), {"revision": 10**30, "data": "x"}, "json")
    assert response.status_code == 409, response.content
    assert "changed" in response.json()["detail"]


# --- session note pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, says",
    [
        ({"duration_minutes": "0"}, "duration"),
        ({"duration_minutes": "99999999999999999999"}, "duration"),
        ({"session_date": "2026-02-30"}, "date"),
        ({"session_date": "9999-12-31"}, "date"),
        ({"kind": "group"}, "kind"),
        ({"data": "x" * 10_001}, "10"),
    ],
)
def test_the_new_note_page_refuses_by_field(client, patient, plan, team_counselor, data, says):
    client.force_login(team_counselor)
    form = {
        "kind": "individual",
        "session_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "duration_minutes": "50",
        "data": "d",
        "assessment": "a",
        "plan_text": "p",
        "plan": "p",
    } | data
    with Stored():
        response = client.post(f"/patients/{patient.pk}/session-notes/new/", form)
    assert response.status_code in (200, 400), response.content[:500]
    assert says.lower() in response.content.decode().lower()


def test_the_note_pages_for_off_team_read_as_unknown(client, patient, draft, offteam_counselor):
    client.force_login(offteam_counselor)
    for suffix in ("", "edit/", "sign/", "addenda/"):
        method = client.post if suffix in ("sign/", "addenda/") else client.get
        a = method(f"/patients/{patient.pk}/session-notes/{draft['id']}/{suffix}")
        b = method(f"/patients/{patient.pk}/session-notes/{UNKNOWN}/{suffix}")
        assert a.status_code == b.status_code == 404, suffix
        assert b"Lopez" not in a.content


def test_a_note_under_another_patients_url_is_404(client, patient, draft, team_counselor):
    other = PatientFactory()
    CareTeamMemberFactory(patient=other, user=team_counselor, team_role="counselor")
    client.force_login(team_counselor)
    response = client.get(f"/patients/{other.pk}/session-notes/{draft['id']}/")
    assert response.status_code == 404


# --- real concurrency -----------------------------------------------------------------------


def _race(calls):
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            start.wait()
            outcomes[i] = call()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _codes(outcomes):
    return sorted(getattr(o, "status_code", repr(o)) for o in outcomes)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_signings_of_one_note_at_once(patient, plan, team_counselor):
    note = _client(team_counselor).post(NOTES.format(patient.pk), note_body(), format="json").json()
    url = NOTE.format(note["id"]) + "sign/"
    outcomes = _race(
        [lambda: _client(team_counselor).post(url, {"password": PASSWORD}, format="json")] * 2
    )
    assert _codes(outcomes) == [200, 409], outcomes
    assert SessionNote.objects.filter(status="signed").count() == 1
    assert (
        AuditEvent.objects.filter(
            action="sign", object_type="sessionnote", outcome="allowed"
        ).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_accepts_of_one_pending_at_once(patient, team_counselor, team_nurse):
    link = issue(team_counselor, patient)
    (row,) = self_report_submit(link=link.link, answers={"phq9": phq9()}, via="link")
    url = ACCEPT.format(row.pk)
    outcomes = _race([lambda u=u: _client(u).post(url) for u in (team_counselor, team_nurse)])
    assert _codes(outcomes) == [201, 409], outcomes
    assert AssessmentModel.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_one_link_used_twice_at_once(patient, team_counselor):
    from django.test import Client

    issued = issue(team_counselor, patient)
    body = json.dumps({"answers": {"phq9": phq9()}})
    outcomes = _race(
        [lambda: Client().post(page_path(issued), body, content_type="application/json")] * 2
    )
    assert _codes(outcomes) == [201, 410], outcomes
    assert PendingAssessment.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_group_signings_at_once(patient, team_counselor):
    group = _client(team_counselor).post(GROUPS_URL, group_body([patient]), format="json").json()
    url = f"{GROUPS_URL}{group['id']}/sign/"
    outcomes = _race(
        [lambda: _client(team_counselor).post(url, {"password": PASSWORD}, format="json")] * 2
    )
    assert _codes(outcomes) == [200, 409], outcomes
    assert SessionNote.objects.filter(group_session_id=group["id"], status="signed").count() == 1


# --- the staff pages ------------------------------------------------------------------------


def _page(client, user):
    client.force_login(user)
    return client


def test_break_glass_may_not_disclose_under_a_real_consent(api, patient, signed, offteam_counselor):
    from intake.models import Disclosure
    from tests.factories import PURPOSE, RECIPIENT, make_consent

    consent = make_consent(
        patient,
        offteam_counselor,
        information="SUD counseling notes from individual sessions",
        content_kinds=["sud-counseling-notes"],
    )
    open_break_glass(api, offteam_counselor, patient)
    body = {
        "consent": str(consent.pk),
        "recipient": RECIPIENT,
        "purpose": PURPOSE,
        "content": "sud-counseling-notes",
    }
    before = Disclosure.objects.count()
    response = api.post(f"/api/v1/patients/{patient.pk}/disclosures/", body, format="json")
    assert response.status_code == 404, response.content
    assert Disclosure.objects.count() == before
    assert COUNSELING_TEXT not in response.content.decode()


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"duration_minutes": "0"}, "duration_minutes"),
        ({"duration_minutes": "99999999999999"}, "duration_minutes"),
        ({"held_on": "2026-02-30"}, "held_on"),
        ({"held_on": "0001-01-01"}, "held_on"),
        ({"modality": "hypnosis"}, "modality"),
        ({"summary": ""}, "summary"),
    ],
)
def test_the_run_a_group_page_refuses_with_a_400(client, patient, team_counselor, data, field):
    form = {
        "action": "create",
        "title": "Tuesday group",
        "modality": "relapse-prevention",
        "held_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "duration_minutes": "60",
        "summary": "Mapping high-risk situations.",
        "roll-TOTAL_FORMS": "1",
        "roll-INITIAL_FORMS": "0",
        "roll-0-patient": str(patient.pk),
        "roll-0-attended": "on",
        "roll-0-note": "Engaged.",
    }
    form = {k: v for k, v in form.items() if not (data == {} and k == "title")} | data
    with Stored():
        response = _page(client, team_counselor).post("/groups/new/", form)
    assert response.status_code == 400, response.status_code
    assert field in response.content.decode()


@pytest.mark.parametrize(
    "extra",
    [
        {"add": "not-a-uuid"},
        {"add": "../../etc/passwd"},
        {"add": str(UNKNOWN)},
        {"roll-TOTAL_FORMS": "1000000", "roll-INITIAL_FORMS": "0"},
        {"roll-TOTAL_FORMS": "x", "roll-INITIAL_FORMS": "y"},
        {"roll-TOTAL_FORMS": "1", "roll-INITIAL_FORMS": "0", "roll-0-patient": "nope"},
        {"q": "x" * 5000},
        {"q": "'; DROP TABLE intake_patient; --"},
    ],
)
def test_the_run_a_group_page_survives_hostile_rolls(client, patient, team_counselor, extra):
    with Stored():
        response = _page(client, team_counselor).post("/groups/new/", {"action": "find"} | extra)
    assert response.status_code in (200, 400), response.status_code


def test_the_run_a_group_page_never_shows_an_off_team_patient(client, team_counselor):
    stranger = PatientFactory(given_name="Xenia", family_name="Strangeways")
    page = _page(client, team_counselor).post(
        "/groups/new/", {"action": "find", "add": str(stranger.pk), "q": "Xenia"}
    )
    assert page.status_code in (200, 400)
    assert b"Strangeways" not in page.content and stranger.mrn.encode() not in page.content


def test_the_group_sign_page_refuses_a_wrong_password(client, group, team_counselor, team_nurse):
    url = f"/groups/{group['id']}/sign/"
    with Stored():
        wrong = _page(client, team_counselor).post(url, {"password": "wrong"})
        assert wrong.status_code == 400
        assert "password" in wrong.content.decode().lower()
        other = _page(client, team_nurse).post(url, {"password": PASSWORD})
        assert other.status_code == 403


def test_the_note_sign_and_addendum_pages_refuse(client, patient, draft, team_counselor):
    base = f"/patients/{patient.pk}/session-notes/{draft['id']}/"
    _page(client, team_counselor)
    with Stored():
        assert client.post(base + "sign/", {"password": "wrong"}).status_code == 400
        early = client.post(base + "addenda/", {"text": "x", "password": PASSWORD}, follow=True)
        assert early.redirect_chain and "signed" in early.content.decode()
    assert client.post(base + "sign/", {"password": PASSWORD}).status_code in (200, 302)
    with Stored():
        empty = client.post(base + "addenda/", {"text": "", "password": PASSWORD})
        assert empty.status_code == 400
        wrong = client.post(base + "addenda/", {"text": "Late.", "password": "no"})
        assert wrong.status_code == 400
        edit = client.post(base + "edit/", {"revision": "2", "data": "x"})
        assert edit.status_code in (302, 404, 409)


def test_the_note_edit_page_is_the_authors_and_stale_is_409(
    client, patient, draft, team_counselor, team_nurse
):
    base = f"/patients/{patient.pk}/session-notes/{draft['id']}/edit/"
    form = {
        "kind": "individual",
        "session_date": draft["session_date"],
        "duration_minutes": "50",
        "data": "Edited.",
        "assessment": "a",
        "plan_text": "p",
        "revision": "1",
    }
    with Stored():
        assert _page(client, team_nurse).post(base, form).status_code == 403
    assert _page(client, team_counselor).post(base, form).status_code in (200, 302)
    with Stored():
        stale = client.post(base, form | {"data": "Lost."})
    assert stale.status_code == 409
    assert SessionNote.objects.get(pk=draft["id"]).data == "Edited."


@pytest.mark.parametrize("data", [{}, {"instruments": "cows"}, {"instruments": "x" * 5000}])
def test_the_issue_page_refuses_with_a_400(client, patient, team_counselor, data):
    with Stored():
        response = _page(client, team_counselor).post(f"/patients/{patient.pk}/self-report/", data)
    assert response.status_code == 400
    assert "instruments" in response.content.decode() or "Choose" in response.content.decode()


def test_the_review_pages_for_others(
    client, patient, pending, offteam_nurse, clinic_admin, team_nurse
):
    base = f"/patients/{patient.pk}/self-report/{pending.pk}/"
    with Stored():
        a = _page(client, offteam_nurse).get(base)
        b = client.get(f"/patients/{patient.pk}/self-report/{UNKNOWN}/")
        assert a.status_code == b.status_code == 404
        assert b"Lopez" not in a.content
        assert _page(client, clinic_admin).post(base + "accept/").status_code == 403
        empty = _page(client, team_nurse).post(base + "reject/", {"reason": "  "})
        assert empty.status_code == 400
        other = PatientFactory()
        CareTeamMemberFactory(patient=other, user=team_nurse, team_role="nurse")
        wrong = client.post(f"/patients/{other.pk}/self-report/{pending.pk}/accept/")
        assert wrong.status_code == 404
    assert client.post(base + "accept/").status_code in (200, 201, 302)
    with Stored():
        again = client.post(base + "accept/", follow=True)
    assert again.redirect_chain and "already accepted" in again.content.decode()


# --- the patient's page as a form; the kiosk's odd JSON --------------------------------------


def _csrf_form(client, path):
    page = client.get(path)
    assert page.status_code == 200
    return page.context["csrf_token"] if page.context else ""


@pytest.mark.parametrize(
    "answers",
    [
        {"item_phq9.1": "1"},
        {k: "9" for k in [f"item_phq9.{i}" for i in range(1, 10)]},
        {k: "-1" for k in [f"item_phq9.{i}" for i in range(1, 10)]},
        {k: "x" * 5000 for k in [f"item_phq9.{i}" for i in range(1, 10)]},
    ],
)
def test_the_patients_form_refuses_missing_and_out_of_range_answers(
    client, patient, team_counselor, answers
):
    issued = issue(team_counselor, patient)
    with Stored():
        response = client.post(page_path(issued), {"answering": "1", **answers})
    assert response.status_code == 400, response.status_code
    text = response.content.decode()
    assert "Maria" in text and "Lopez" not in text and patient.mrn not in text
    assert SelfReportLink.objects.get().used_at is None


def test_the_patients_form_with_a_nul_is_refused_before_the_view(client, patient, team_counselor):
    issued = issue(team_counselor, patient)
    with Stored():
        response = client.post(page_path(issued), {"answering": "1", "item_phq9.1": "1\x00"})
    assert response.status_code == 400
    assert b"Maria" not in response.content


@pytest.mark.parametrize(
    "raw, key",
    [
        (b'{"answers": {"phq9": {"1": NaN}}}', "phq9"),
        (b'{"answers": {"phq9": {"1": Infinity}}}', "phq9"),
        (b'{"answers": {"phq9": ' + b'{"a": ' * 100 + b"1" + b"}" * 100 + b"}}", "phq9"),
        (b'{"answers": {"phq9": {"1": "1\\u0000"}}}', "phq9"),
        (b'{"answers": {"phq9": {"1": "\\ud800"}}}', "phq9"),
    ],
)
def test_the_kiosk_refuses_odd_json(client, patient, team_counselor, raw, key):
    issued = issue(team_counselor, patient)
    with Stored():
        response = client.generic("POST", page_path(issued), raw, content_type="application/json")
    assert response.status_code == 400, response.content
    names(response, key)


def test_the_kiosk_answers_a_json_charset_content_type(client, patient, team_counselor):
    issued = issue(team_counselor, patient)
    response = client.post(
        page_path(issued),
        json.dumps({"answers": {"phq9": phq9()}}),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"submitted": ["phq9"]}
    assert AuditEvent.objects.filter(
        object_type="pendingassessment", action="create", actor=None
    ).exists()


def test_an_expired_link_is_410_and_names_nobody(client, patient, team_counselor):
    issued = issue(team_counselor, patient)
    SelfReportLink.objects.update(expires_at=timezone.now())
    with Stored():
        page = client.get(page_path(issued))
        kiosk = client.post(page_path(issued), {"answers": {"phq9": phq9()}}, "application/json")
    assert page.status_code == kiosk.status_code == 410
    assert b"Maria" not in page.content and b"Maria" not in kiosk.content


def test_the_group_read_is_audited_per_attendee(api, patient, group, team_nurse):
    as_(api, team_nurse)
    before = AuditEvent.objects.filter(actor=team_nurse, action="read", patient=patient).count()
    response = api.get(f"{GROUPS_URL}{group['id']}/")
    assert response.status_code == 200
    assert [row["patient"] for row in response.json()["attendees"]] == [str(patient.pk)]
    after = AuditEvent.objects.filter(actor=team_nurse, action="read", patient=patient).count()
    assert after == before + 1


def test_reassessments_without_an_episode_are_empty(api, patient, team_counselor):
    as_(api, team_counselor)
    response = api.get(REASSESS.format(patient.pk))
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("query", ["?page=x", "?page=999999", "?page=-1", "?page_size=100000"])
def test_lists_with_odd_paging(api, patient, draft, pending, team_nurse, query):
    as_(api, team_nurse)
    for url in (NOTES, PENDING):
        response = api.get(url.format(patient.pk) + query)
        assert response.status_code in (200, 400, 404), response.content


# --- second factor on addenda; a physician without one; unknown fields elsewhere ------------


def test_addenda_need_the_second_factor_of_an_enrolled_clinician(api, signed, team_nurse):
    as_(api, team_nurse)
    url = NOTE.format(signed["id"]) + "addenda/"
    code = second_factor(team_nurse)
    with Stored():
        names(api.post(url, {"text": "Late.", "password": PASSWORD}, format="json"), "otp")
        names(
            api.post(url, {"text": "Late.", "password": PASSWORD, "otp": "000000"}, "json"), "otp"
        )
    ok = api.post(url, {"text": "Late.", "password": PASSWORD, "otp": code}, format="json")
    assert ok.status_code == 201, ok.content
    with Stored():
        replay = api.post(url, {"text": "Again.", "password": PASSWORD, "otp": code}, "json")
    names(replay, "otp")
    assert AuditEvent.objects.filter(actor=team_nurse, outcome="denied").exists()


def test_a_physician_without_a_second_factor_may_not_sign(api, patient, plan, team_physician):
    as_(api, team_physician)
    note = api.post(NOTES.format(patient.pk), note_body(kind="medical"), format="json")
    assert note.status_code == 201, note.content
    with Stored():
        response = api.post(
            NOTE.format(note.json()["id"]) + "sign/", {"password": PASSWORD}, "json"
        )
    assert response.status_code == 403, response.content
    assert response.json()["detail"]


def test_unknown_fields_on_groups_and_links_are_ignored(api, patient, team_counselor):
    as_(api, team_counselor)
    body = group_body([patient], facilitator="someone-else", signed=True, drafts=0)
    body["attendees"][0]["name"] = "Somebody Else"
    response = api.post(GROUPS_URL, body, format="json")
    assert response.status_code == 201, response.content
    assert GroupSession.objects.get().facilitator == team_counselor
    link = api.post(
        LINKS.format(patient.pk),
        {"instruments": ["gad7"], "expires_at": "2099-01-01T00:00:00Z", "code": "AAAA-AAAA"},
        format="json",
    )
    assert link.status_code == 201, link.content
    assert link.json()["code"] != "AAAA-AAAA"
    assert SelfReportLink.objects.get().expires_at < timezone.now() + datetime.timedelta(days=2)


@pytest.mark.parametrize("value", [str(UNKNOWN), "true", "[1]", "{}", "null", "1.0", "0"])
def test_a_clinician_filter_of_another_type_is_refused(api, team_physician, value):
    as_(api, team_physician)
    response = api.get(OUTCOMES, {"clinician": value})
    assert response.status_code == 400, response.content
    names(response, "clinician")


def test_break_glass_writes_are_flagged_and_the_group_stays_closed(
    api, patient, signed, group, offteam_nurse
):
    """Emergency access acts as the team for the patient's own record (every row flagged for
    the privacy officer's review) but never opens a group's roll, which names others."""
    open_break_glass(api, offteam_nurse, patient)
    response = api.post(
        NOTE.format(signed["id"]) + "addenda/", {"text": "Seen in the ED.", "password": PASSWORD}
    )
    assert response.status_code == 201, response.content
    assert AuditEvent.objects.filter(
        actor=offteam_nurse, object_type="sessionnoteaddendum", break_glass=True
    ).exists()
    theirs = api.get(f"{GROUPS_URL}{group['id']}/")
    unknown = api.get(f"{GROUPS_URL}{UNKNOWN}/")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.content == unknown.content
    with Stored():
        sign = api.post(f"{GROUPS_URL}{group['id']}/sign/", {"password": PASSWORD}, "json")
    assert sign.status_code == 404


def test_one_patient_spelled_two_ways_is_on_the_roll_once(api, patient, team_counselor):
    body = group_body([patient, patient])
    body["attendees"][1]["patient"] = str(patient.pk).upper()
    with Stored():
        response = as_(api, team_counselor).post(GROUPS_URL, body, format="json")
    assert response.status_code == 400, response.content
    assert "already on the roll" in json.dumps(response.json()["attendees"]["1"])


@pytest.mark.parametrize(
    "extra, key",
    [({"10": "1"}, "phq9"), ({"__proto__": "1"}, "phq9"), ({"": "1"}, "phq9")],
)
def test_the_kiosk_refuses_items_the_instrument_does_not_have(
    client, patient, team_counselor, extra, key
):
    issued = issue(team_counselor, patient)
    with Stored():
        response = client.post(
            page_path(issued), {"answers": {"phq9": phq9() | extra}}, "application/json"
        )
    assert response.status_code == 400, response.content
    names(response, key)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_patients_page_takes_only_get_and_post(client, patient, team_counselor, method):
    issued = issue(team_counselor, patient)
    with Stored():
        response = getattr(client, method)(page_path(issued))
    assert response.status_code == 405
    assert b"Maria" not in response.content


@pytest.mark.parametrize(
    "data, status",
    [
        ({"revision": ""}, (400, 409)),
        ({"revision": "abc"}, (400,)),
        ({"revision": "9" * 30}, (400, 409)),
        ({"revision": "-5"}, (400, 409)),
        ({"worked_coping-cravings": "on", "progress_coping-cravings": "bogus"}, (400,)),
        ({"worked_coping-cravings": "on"}, (400,)),
        ({"progress_housing": "achieved", "worked_housing": "on"}, (200, 302)),
    ],
)
def test_the_note_edit_page_refuses_odd_revisions_and_progress(
    client, patient, draft, team_counselor, data, status
):
    base = f"/patients/{patient.pk}/session-notes/{draft['id']}/edit/"
    form = {
        "kind": "individual",
        "session_date": draft["session_date"],
        "duration_minutes": "50",
        "data": "Edited.",
        "assessment": "a",
        "plan_text": "p",
        "revision": "1",
    } | data
    before = SessionNote.objects.get(pk=draft["id"]).revision
    response = _page(client, team_counselor).post(base, form)
    assert response.status_code in status, response.status_code
    if response.status_code >= 400:
        note = SessionNote.objects.get(pk=draft["id"])
        assert (note.revision, note.data) == (before, draft["data"])
    # A target the plan does not hold is not a field of the form: it is ignored, never stored.
    assert not SessionNoteProgress.objects.filter(target="housing").exists()
