"""The interview API: drafts, edits with a revision, validation, access."""

import datetime

import pytest
from django.utils import timezone

from intake.models import AuditEvent, Interview, SubstanceUse
from tests.factories import (
    EpisodeFactory,
    InterviewFactory,
    PatientFactory,
    SubstanceUseFactory,
    api_payload,
)

pytestmark = pytest.mark.django_db


def _list_url(patient):
    return f"/api/v1/patients/{patient.pk}/interviews/"


def _url(interview, suffix=""):
    return f"/api/v1/interviews/{interview.pk}/{suffix}"


def test_it_creates_a_draft_with_its_substances(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    response = api.post(_list_url(patient), api_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["revision"] == 1
    assert body["author"] == "team-counselor"
    assert body["patient"] == str(patient.pk)
    assert body["risk_factors"] == ["family-history-addiction", "heavy-tobacco"]
    assert body["naloxone_at_home"] is False
    assert body["content_hash"] == "" and body["signed_at"] is None
    assert body["hash_verified"] is None
    assert {s["substance"] for s in body["substances"]} == {"fentanyl", "stimulant"}
    fentanyl = next(s for s in body["substances"] if s["substance"] == "fentanyl")
    assert fentanyl["routes"] == ["injected", "smoked"]  # stored in the order of the choices
    interview = Interview.objects.get(pk=body["id"])
    assert interview.author == team_counselor and interview.substances.count() == 2
    event = AuditEvent.objects.get(action="create", object_type="interview")
    assert event.object_id == str(interview.pk) and event.patient_id == patient.pk
    assert event.actor == team_counselor and event.outcome == "allowed"


def test_it_dates_a_minimal_draft_today(api, patient, team_nurse):
    api.force_authenticate(team_nurse)
    response = api.post(_list_url(patient), {}, format="json")
    assert response.status_code == 201
    assert response.json()["interviewed_on"] == timezone.localdate().isoformat()
    assert response.json()["substances"] == []


def test_it_lists_interviews_newest_first_paginated(api, patient, team_nurse, team_counselor):
    today = timezone.localdate()
    old = InterviewFactory(
        patient=patient, author=team_counselor, interviewed_on=today.replace(year=today.year - 1)
    )
    new = InterviewFactory(patient=patient, author=team_counselor)
    SubstanceUseFactory(interview=new)
    InterviewFactory()  # another patient's
    api.force_authenticate(team_nurse)
    response = api.get(_list_url(patient))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [str(new.pk), str(old.pk)]
    assert body["results"][0]["substances"][0]["substance"] == "heroin"
    assert AuditEvent.objects.filter(
        action="read", patient=patient, actor=team_nurse, object_type="interview"
    ).exists()


def test_it_reads_an_interview_and_audits_the_read(api, patient, team_counselor, team_physician):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    api.force_authenticate(team_physician)
    response = api.get(_url(interview))
    assert response.status_code == 200
    assert response.json()["presenting_problem"] == "Daily fentanyl use; wants to stop."
    event = AuditEvent.objects.get(action="read", actor=team_physician)
    assert event.object_type == "interview" and event.object_id == str(interview.pk)


def test_it_patches_a_draft_and_replaces_the_substances(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    created = api.post(_list_url(patient), api_payload(), format="json").json()
    response = api.patch(
        f"/api/v1/interviews/{created['id']}/",
        {
            "revision": 1,
            "impressions": "Moderate OUD.",
            "observed_signs": [],
            "substances": [{"substance": "heroin", "routes": ["sniffed"]}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["revision"] == 2
    assert body["impressions"] == "Moderate OUD."
    assert body["observed_signs"] == []
    assert body["presenting_problem"] == api_payload()["presenting_problem"]  # untouched
    assert [s["substance"] for s in body["substances"]] == ["heroin"]
    assert SubstanceUse.objects.count() == 1
    event = AuditEvent.objects.get(action="update", object_type="interview")
    assert set(event.detail["fields"]) == {"impressions", "observed_signs", "substances"}


def test_it_keeps_the_substances_when_a_patch_leaves_them_out(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    created = api.post(_list_url(patient), api_payload(), format="json").json()
    response = api.patch(
        f"/api/v1/interviews/{created['id']}/",
        {"revision": 1, "allergies": "Penicillin"},
        format="json",
    )
    assert response.status_code == 200
    assert len(response.json()["substances"]) == 2


def test_it_refuses_a_stale_revision_and_overwrites_nothing(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    created = api.post(_list_url(patient), api_payload(), format="json").json()
    url = f"/api/v1/interviews/{created['id']}/"
    assert api.patch(url, {"revision": 1, "impressions": "First"}, format="json").status_code == 200
    stale = api.patch(
        url,
        {"revision": 1, "impressions": "Second", "substances": []},
        format="json",
    )
    assert stale.status_code == 409
    assert "detail" in stale.json()
    interview = Interview.objects.get(pk=created["id"])
    assert interview.impressions == "First" and interview.revision == 2
    assert interview.substances.count() == 2


def test_it_requires_the_revision_on_a_patch(api, patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    api.force_authenticate(team_counselor)
    response = api.patch(_url(interview), {"impressions": "x"}, format="json")
    assert response.status_code == 400
    assert "revision" in response.json()
    interview.refresh_from_db()
    assert interview.impressions == ""


def test_it_refuses_to_patch_a_signed_interview(api, patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    api.force_authenticate(team_counselor)
    assert api.post(_url(interview, "sign/"), {}, format="json").status_code == 200
    response = api.patch(_url(interview), {"revision": 1, "impressions": "late"}, format="json")
    assert response.status_code == 409
    interview.refresh_from_db()
    assert interview.impressions == "" and interview.status == "signed"


def test_it_lets_only_the_author_edit_a_draft(api, patient, team_counselor, team_physician):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    api.force_authenticate(team_physician)
    response = api.patch(_url(interview), {"revision": 1, "impressions": "x"}, format="json")
    assert response.status_code == 403
    assert "author" in response.json()["detail"]
    interview.refresh_from_db()
    assert interview.impressions == "" and interview.revision == 1


def test_it_names_every_bad_field_and_stores_nothing(api, patient, team_counselor):
    api.force_authenticate(team_counselor)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = api.post(
        _list_url(patient),
        api_payload(
            interviewed_on=tomorrow.isoformat(),
            primary_substance="sugar",
            risk_factors=["family-history-addiction", "bad-luck"],
            naloxone_at_home="perhaps",
            overdose_count=-1,
            substances=[{"substance": "heroin", "routes": ["teleported"], "age_first_use": 300}],
        ),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {
        "interviewed_on",
        "primary_substance",
        "risk_factors",
        "naloxone_at_home",
        "overdose_count",
        "substances",
    }
    assert set(body["substances"]["0"]) == {"routes", "age_first_use"}  # DRF keys rows by index
    assert Interview.objects.count() == 0 and SubstanceUse.objects.count() == 0


def test_it_applies_the_clinical_rules_and_stores_nothing(api, patient, team_counselor):
    patient.birth_date = datetime.date(1990, 1, 1)
    patient.save()
    api.force_authenticate(team_counselor)
    age = patient.age_on(timezone.localdate() - datetime.timedelta(days=1))
    response = api.post(
        _list_url(patient),
        api_payload(
            last_opioid_used="alcohol",
            overdose_count=0,
            medical_conditions=["pregnancy"],
            substances=[
                {"substance": "heroin", "age_first_use": age + 5},
                {"substance": "heroin"},
            ],
        ),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"last_opioid_used", "last_overdose_on", "pregnancy_status", "substances"}
    assert any("age at first use" in m for m in body["substances"])
    assert any("listed twice" in m for m in body["substances"])
    assert Interview.objects.count() == 0 and SubstanceUse.objects.count() == 0


def test_it_refuses_a_bad_patch_and_keeps_the_draft(api, patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    SubstanceUseFactory(interview=interview)
    api.force_authenticate(team_counselor)
    response = api.patch(
        _url(interview),
        {"revision": 1, "impressions": "new", "last_overdose_on": "2999-01-01", "substances": []},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"last_overdose_on"}
    interview.refresh_from_db()
    assert interview.impressions == "" and interview.revision == 1
    assert interview.substances.count() == 1


def test_it_links_only_an_episode_of_the_same_patient(api, patient, team_counselor):
    mine = EpisodeFactory(patient=patient)
    theirs = EpisodeFactory(patient=PatientFactory())
    api.force_authenticate(team_counselor)
    bad = api.post(_list_url(patient), {"episode": str(theirs.pk)}, format="json")
    assert bad.status_code == 400 and "episode" in bad.json()
    assert not Interview.objects.filter(episode=theirs).exists()
    good = api.post(_list_url(patient), {"episode": str(mine.pk)}, format="json")
    assert good.status_code == 201 and good.json()["episode"] == str(mine.pk)
    assert Interview.objects.get(pk=good.json()["id"]).episode == mine


def test_it_answers_404_outside_the_care_team(api, patient, team_counselor, offteam_nurse):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    api.force_authenticate(offteam_nurse)
    assert api.get(_list_url(patient)).status_code == 404
    assert api.post(_list_url(patient), api_payload(), format="json").status_code == 404
    assert api.get(_url(interview)).status_code == 404
    assert api.patch(_url(interview), {"revision": 1}, format="json").status_code == 404
    assert api.post(_url(interview, "sign/"), {}, format="json").status_code == 404
    assert api.get(_url(interview, "addenda/")).status_code == 404
    assert api.post(_url(interview, "addenda/"), {"reason": "a", "text": "b"}).status_code == 404
    assert Interview.objects.count() == 1
    denied = AuditEvent.objects.filter(actor=offteam_nurse, outcome="denied")
    assert denied.count() == 7
    assert {e.detail["reason"] for e in denied} == {"not-on-care-team"}


def test_it_answers_404_for_an_unknown_interview(api, team_counselor, patient):
    api.force_authenticate(team_counselor)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/api/v1/interviews/{unknown}/").status_code == 404
    assert api.post(f"/api/v1/interviews/{unknown}/sign/").status_code == 404
    assert api.get("/api/v1/interviews/not-a-uuid/").status_code == 404


def test_it_answers_403_to_roles_without_clinical_access(
    api, patient, team_counselor, clinic_admin, privacy_officer
):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    for user in (clinic_admin, privacy_officer):
        api.force_authenticate(user)
        assert api.get(_list_url(patient)).status_code == 403
        assert api.post(_list_url(patient), {}, format="json").status_code == 403
        response = api.get(_url(interview))
        assert response.status_code == 403 and "detail" in response.json()
        assert api.post(_url(interview, "sign/")).status_code == 403
    assert Interview.objects.count() == 1


def test_it_answers_401_without_credentials(api, patient):
    interview = InterviewFactory(patient=patient)
    assert api.get(_list_url(patient)).status_code == 401
    assert api.get(_url(interview)).status_code == 401
    assert api.post(_url(interview, "sign/")).status_code == 401


def test_it_documents_the_endpoints_in_the_schema(api, team_nurse):
    api.force_authenticate(team_nurse)
    schema = api.get("/api/v1/schema/").content
    assert b"/api/v1/patients/{patient_id}/interviews/" in schema
    assert b"/api/v1/interviews/{interview_id}/sign/" in schema
