"""Signing an interview: author only, immutable afterwards, a content hash that verifies and
detects a change, and signed addenda."""

import hashlib
import json

import pytest

from intake.exceptions import RecordSigned, RuleViolation, StaleVersion
from intake.forms.interview import SECTION_FIELDS
from intake.models import AuditEvent, Interview, InterviewAddendum, SubstanceUse
from intake.services.interview import (
    CONTENT_FIELDS,
    NON_CONTENT_FIELDS,
    interview_add_addendum,
    interview_canonical_content,
    interview_canonical_json,
    interview_sign,
    interview_update,
    interview_verify_hash,
)
from tests.db_support import as_table_owner
from tests.factories import InterviewFactory, SubstanceUseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    SubstanceUseFactory(interview=interview, substance="heroin", routes=["sniffed", "injected"])
    SubstanceUseFactory(interview=interview, substance="alcohol", routes=["oral"])
    return interview


def _sign_url(interview):
    return f"/api/v1/interviews/{interview.pk}/sign/"


def test_it_signs_through_the_api(api, draft, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post(_sign_url(draft), {"revision": 1}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "signed" and body["signed_at"]
    assert len(body["content_hash"]) == 64 and body["hash_verified"] is True
    draft.refresh_from_db()
    assert draft.status == "signed" and draft.signed_at is not None
    event = AuditEvent.objects.get(action="sign")
    assert event.actor == team_counselor and event.object_id == str(draft.pk)
    assert event.detail["content_hash"] == draft.content_hash


def test_it_lets_only_the_author_sign(api, draft, team_nurse, team_physician):
    for user in (team_nurse, team_physician):
        api.force_authenticate(user)
        response = api.post(_sign_url(draft), {}, format="json")
        assert response.status_code == 403
        assert "author" in response.json()["detail"]
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.content_hash == ""
    assert not AuditEvent.objects.filter(action="sign").exists()


def test_it_refuses_to_sign_twice(api, draft, team_counselor):
    api.force_authenticate(team_counselor)
    first = api.post(_sign_url(draft)).json()
    second = api.post(_sign_url(draft))
    assert second.status_code == 409
    draft.refresh_from_db()
    assert draft.content_hash == first["content_hash"]


def test_it_refuses_to_sign_a_revision_it_did_not_review(api, draft, team_counselor):
    api.force_authenticate(team_counselor)
    interview_update(
        actor=team_counselor, interview=draft, data={"impressions": "changed"}, revision=1
    )
    response = api.post(_sign_url(draft), {"revision": 1}, format="json")
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_it_makes_a_signed_interview_immutable(draft, team_counselor):
    interview_sign(actor=team_counselor, interview=draft)
    with pytest.raises(RecordSigned):
        interview_update(
            actor=team_counselor, interview=draft, data={"impressions": "x"}, revision=1
        )
    draft.refresh_from_db()
    assert draft.impressions == "" and draft.substances.count() == 2


def test_it_refuses_edits_by_another_clinician_and_stale_ones(draft, team_counselor, team_nurse):
    with pytest.raises(RuleViolation):
        interview_update(actor=team_nurse, interview=draft, data={"impressions": "x"}, revision=1)
    interview_update(actor=team_counselor, interview=draft, data={"impressions": "a"}, revision=1)
    with pytest.raises(StaleVersion):
        interview_update(
            actor=team_counselor,
            interview=draft,
            data={"impressions": "b"},
            substances=[],
            revision=1,
        )
    draft.refresh_from_db()
    assert draft.impressions == "a" and draft.revision == 2 and draft.substances.count() == 2


def test_it_hashes_the_canonical_json_of_the_content(draft, team_counselor):
    signed = interview_sign(actor=team_counselor, interview=draft)
    canonical = interview_canonical_json(interview=signed)
    assert hashlib.sha256(canonical.encode()).hexdigest() == signed.content_hash
    content = json.loads(canonical)
    assert list(content) == sorted(content)  # sorted keys, no whitespace
    assert " " not in canonical.split('"fields"')[0]
    assert set(content["fields"]) == set(CONTENT_FIELDS)
    assert content["interview"] == str(signed.pk) and content["patient"] == str(signed.patient_id)
    assert [row["substance"] for row in content["substances"]] == ["alcohol", "heroin"]
    heroin = content["substances"][1]
    assert heroin["routes"] == ["injected", "sniffed"]


def test_it_gives_equal_content_the_same_hash_whatever_the_order(draft):
    rows = list(draft.substances.all())
    forward = interview_canonical_content(interview=draft, substances=rows)
    backward = interview_canonical_content(interview=draft, substances=rows[::-1])
    assert forward == backward
    draft.observed_signs = ["needle-marks", "agitation"]
    one = interview_canonical_json(interview=draft, substances=rows)
    draft.observed_signs = ["agitation", "needle-marks"]
    assert interview_canonical_json(interview=draft, substances=rows) == one


def test_it_covers_every_model_field_in_the_hash():
    fields = {f.name for f in Interview._meta.concrete_fields}
    assert fields == set(CONTENT_FIELDS) | set(NON_CONTENT_FIELDS)
    assert not set(CONTENT_FIELDS) & set(NON_CONTENT_FIELDS)


def test_it_verifies_the_hash_and_detects_a_change(api, draft, team_counselor):
    signed = interview_sign(actor=team_counselor, interview=draft)
    assert interview_verify_hash(interview=Interview.objects.get(pk=signed.pk))

    # The database owner edits the row behind the application's back (the triggers stop
    # everyone else).
    with as_table_owner("intake_interview", "intake_substanceuse"):
        Interview.objects.filter(pk=signed.pk).update(impressions="Added later")
        assert not interview_verify_hash(interview=Interview.objects.get(pk=signed.pk))
        Interview.objects.filter(pk=signed.pk).update(impressions="")
        assert interview_verify_hash(interview=Interview.objects.get(pk=signed.pk))

        SubstanceUse.objects.filter(interview=signed, substance="alcohol").update(
            frequency="weekly"
        )
    assert not interview_verify_hash(interview=Interview.objects.get(pk=signed.pk))
    api.force_authenticate(team_counselor)
    assert api.get(f"/api/v1/interviews/{signed.pk}/").json()["hash_verified"] is False


def test_it_does_not_verify_a_draft(draft):
    assert interview_verify_hash(interview=draft) is False


def test_it_adds_an_addendum_from_any_team_clinician(api, draft, team_counselor, team_nurse):
    signed = interview_sign(actor=team_counselor, interview=draft)
    api.force_authenticate(team_nurse)
    response = api.post(
        f"/api/v1/interviews/{signed.pk}/addenda/",
        {"reason": "Late entry", "text": "Patient disclosed benzodiazepine use."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["author"] == "team-nurse" and body["reason"] == "Late entry"
    assert len(body["content_hash"]) == 64 and body["hash_verified"] is True
    assert body["signed_at"]
    event = AuditEvent.objects.get(action="create", object_type="interviewaddendum")
    assert event.actor == team_nurse and event.detail["interview"] == str(signed.pk)
    # The interview itself is unchanged and still verifies.
    detail = api.get(f"/api/v1/interviews/{signed.pk}/").json()
    assert detail["hash_verified"] is True and detail["content_hash"] == signed.content_hash
    assert [a["text"] for a in detail["addenda"]] == ["Patient disclosed benzodiazepine use."]
    listed = api.get(f"/api/v1/interviews/{signed.pk}/addenda/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


def test_it_detects_a_changed_addendum(draft, team_counselor, team_physician):
    signed = interview_sign(actor=team_counselor, interview=draft)
    addendum = interview_add_addendum(
        actor=team_physician, interview=signed, reason="Correction", text="Age 18, not 19."
    )
    from intake.services.interview import addendum_verify_hash

    assert addendum_verify_hash(addendum=addendum, interview=signed)
    with as_table_owner("intake_interviewaddendum"):
        InterviewAddendum.objects.filter(pk=addendum.pk).update(text="Age 25.")
    addendum.refresh_from_db()
    assert not addendum_verify_hash(addendum=addendum, interview=signed)


def test_it_requires_a_reason_and_text_for_an_addendum(api, draft, team_counselor):
    signed = interview_sign(actor=team_counselor, interview=draft)
    api.force_authenticate(team_counselor)
    response = api.post(
        f"/api/v1/interviews/{signed.pk}/addenda/", {"reason": "  ", "text": ""}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"reason", "text"}
    assert InterviewAddendum.objects.count() == 0


def test_it_refuses_an_addendum_on_a_draft(api, draft, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post(
        f"/api/v1/interviews/{draft.pk}/addenda/", {"reason": "r", "text": "t"}, format="json"
    )
    assert response.status_code == 403
    assert InterviewAddendum.objects.count() == 0


def test_it_refuses_an_addendum_from_outside_the_care_team(
    api, draft, team_counselor, offteam_physician
):
    signed = interview_sign(actor=team_counselor, interview=draft)
    api.force_authenticate(offteam_physician)
    response = api.post(
        f"/api/v1/interviews/{signed.pk}/addenda/", {"reason": "r", "text": "t"}, format="json"
    )
    assert response.status_code == 404
    with pytest.raises(RuleViolation):
        interview_add_addendum(actor=offteam_physician, interview=signed, reason="r", text="t")
    assert InterviewAddendum.objects.count() == 0


def test_the_read_only_page_shows_every_field_that_is_signed():
    """The read-only sections list each signed field once (and the episode), so nothing a
    clinician signed is missing from the page that shows it."""
    shown = [name for names in SECTION_FIELDS.values() for name in names]
    assert len(shown) == len(set(shown))
    assert set(shown) == {"episode", *CONTENT_FIELDS}
