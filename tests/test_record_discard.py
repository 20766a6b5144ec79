"""Discarding a draft interview or a never-submitted draft plan version from its page: a
confirmation step, then the record, its rows and the typing kept for its form are removed, and
the removal is audited. Signed or submitted records stay (409); other roles get 403, outsiders
the one 404."""

import pytest
from django.utils import timezone

from intake.models import (
    AuditEvent,
    AuditOutcome,
    FormDraft,
    Interview,
    PlanMedication,
    SubstanceUse,
    TreatmentPlan,
)
from intake.services.treatment_plan import treatment_plan_create, treatment_plan_submit
from tests.factories import IN_60_DAYS, InterviewFactory, PatientFactory, SubstanceUseFactory

pytestmark = pytest.mark.django_db

BEHAVIORAL = [
    {
        "modality": "cbt",
        "setting": "outpatient",
        "frequency": "weekly",
        "targets": ["triggers"],
        "goals": [],
    }
]


def _interview(patient, author, **kwargs):
    interview = InterviewFactory(patient=patient, author=author, **kwargs)
    SubstanceUseFactory(interview=interview)
    return interview


def _plan(patient, author, **data):
    return treatment_plan_create(
        actor=author,
        patient=patient,
        data={
            "setting": "outpatient",
            "review_date": IN_60_DAYS,
            "behavioral": BEHAVIORAL,
            **data,
        },
    )


def _typing(owner, patient, key):
    return FormDraft.objects.create(
        owner=owner, patient=patient, kind=key.split(":")[0], key=key, fields={"x": "typed"}
    )


def _url(patient, record):
    kind = "interviews" if isinstance(record, Interview) else "plans"
    return f"/patients/{patient.pk}/{kind}/{record.pk}/discard/"


def test_the_author_discards_a_draft_interview_after_confirming(
    client, patient, team_counselor, team_nurse
):
    interview = _interview(patient, team_counselor)
    mine = _typing(team_counselor, patient, f"interview:{interview.pk}")
    theirs = _typing(team_nurse, patient, f"interview:{interview.pk}")
    other_form = _typing(team_counselor, patient, "interview:new")
    client.force_login(team_counselor)

    detail = client.get(f"/patients/{patient.pk}/interviews/{interview.pk}/")
    assert _url(patient, interview).encode() in detail.content
    confirm = client.get(_url(patient, interview))
    assert confirm.status_code == 200
    assert b"Discard this draft" in confirm.content
    assert b"cannot be brought back" in confirm.content
    assert Interview.objects.filter(pk=interview.pk).exists()  # a GET removes nothing
    assert AuditEvent.objects.filter(
        action="read", object_type="interview", object_id=str(interview.pk), detail__page="discard"
    ).exists()

    response = client.post(_url(patient, interview))
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/"
    assert not Interview.objects.filter(pk=interview.pk).exists()
    assert not SubstanceUse.objects.filter(interview_id=interview.pk).exists()
    assert not FormDraft.objects.filter(pk__in=[mine.pk, theirs.pk]).exists()
    assert FormDraft.objects.filter(pk=other_form.pk).exists()
    event = AuditEvent.objects.get(
        action="delete", object_type="interview", object_id=str(interview.pk)
    )
    assert event.actor == team_counselor and event.patient_id == patient.pk
    assert event.outcome == AuditOutcome.ALLOWED
    assert event.detail["discarded"] == "draft interview"
    assert event.detail["form_drafts"] == 2
    assert AuditEvent.objects.filter(action="delete", object_type="form-draft").count() == 2


def test_a_team_member_who_may_write_the_plan_discards_a_draft_version(
    client, patient, team_counselor, team_nurse
):
    plan = _plan(patient, team_counselor)
    _typing(team_counselor, patient, f"plan:{plan.pk}")
    client.force_login(team_nurse)
    assert (
        _url(patient, plan).encode()
        in client.get(f"/patients/{patient.pk}/plans/{plan.pk}/").content
    )
    response = client.post(_url(patient, plan))
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/plans/"
    assert not TreatmentPlan.objects.filter(pk=plan.pk).exists()
    assert not FormDraft.objects.filter(key=f"plan:{plan.pk}").exists()
    event = AuditEvent.objects.get(
        action="delete", object_type="treatmentplan", object_id=str(plan.pk)
    )
    assert event.actor == team_nurse and event.detail["version"] == 1


def test_a_draft_plan_with_medication_lines_goes_with_its_lines(client, patient, team_physician):
    plan = _plan(
        patient,
        team_physician,
        medications=[
            {"drug": "naloxone", "dose": "4", "frequency": "once", "start_date": "2026-11-25"}
        ],
    )
    client.force_login(team_physician)
    assert client.post(_url(patient, plan)).status_code == 302
    assert not PlanMedication.objects.filter(plan_id=plan.pk).exists()


@pytest.mark.parametrize("persona", ["clinic_admin", "privacy_officer"])
def test_a_role_that_may_not_write_gets_403_and_nothing_changes(
    request, client, patient, team_counselor, persona
):
    user = request.getfixturevalue(persona)
    interview = _interview(patient, team_counselor)
    plan = _plan(patient, team_counselor)
    client.force_login(user)
    for record in (interview, plan):
        assert client.get(_url(patient, record)).status_code == 403
        assert client.post(_url(patient, record)).status_code == 403
    assert Interview.objects.filter(pk=interview.pk).exists()
    assert TreatmentPlan.objects.filter(pk=plan.pk).exists()
    assert not AuditEvent.objects.filter(action="delete", outcome=AuditOutcome.ALLOWED).exists()


def test_someone_off_the_care_team_gets_the_one_404(
    client, patient, team_counselor, offteam_counselor
):
    interview = _interview(patient, team_counselor)
    plan = _plan(patient, team_counselor)
    client.force_login(offteam_counselor)
    for record in (interview, plan):
        response = client.post(_url(patient, record))
        assert response.status_code == 404
    assert Interview.objects.filter(pk=interview.pk).exists()
    assert TreatmentPlan.objects.filter(pk=plan.pk).exists()
    denied = AuditEvent.objects.filter(action="delete", outcome=AuditOutcome.DENIED)
    assert denied.filter(detail__reason="not-on-care-team").count() == 2


def test_a_record_of_another_patient_in_the_url_is_not_found(client, patient, team_counselor):
    interview = _interview(patient, team_counselor)
    other = PatientFactory()
    client.force_login(team_counselor)
    assert (
        client.post(f"/patients/{other.pk}/interviews/{interview.pk}/discard/").status_code == 404
    )
    assert Interview.objects.filter(pk=interview.pk).exists()


def test_a_signed_interview_cannot_be_discarded(client, patient, team_counselor):
    interview = InterviewFactory(
        patient=patient,
        author=team_counselor,
        status="signed",
        signed_at=timezone.now(),
        content_hash="0" * 64,
    )
    client.force_login(team_counselor)
    assert (
        _url(patient, interview).encode()
        not in client.get(f"/patients/{patient.pk}/interviews/{interview.pk}/").content
    )
    response = client.post(_url(patient, interview))
    assert response.status_code == 409
    assert b"stays on the record" in response.content
    assert Interview.objects.filter(pk=interview.pk).exists()
    refused = AuditEvent.objects.get(action="delete", object_type="interview")
    assert refused.outcome == AuditOutcome.DENIED
    assert refused.detail["reason"] == "signed-or-submitted"


def test_a_submitted_plan_cannot_be_discarded_even_once_returned(client, patient, team_counselor):
    plan = _plan(patient, team_counselor)
    treatment_plan_submit(actor=team_counselor, plan=plan)
    client.force_login(team_counselor)
    assert (
        _url(patient, plan).encode()
        not in client.get(f"/patients/{patient.pk}/plans/{plan.pk}/").content
    )
    assert client.get(_url(patient, plan)).status_code == 409
    response = client.post(_url(patient, plan))
    assert response.status_code == 409
    assert b"stays on the record" in response.content
    assert TreatmentPlan.objects.filter(pk=plan.pk).exists()
    # Returned for changes, it is a draft again by its status but was seen by a reviewer.
    TreatmentPlan.objects.filter(pk=plan.pk).update(status="draft")
    assert client.post(_url(patient, plan)).status_code == 409
    assert TreatmentPlan.objects.filter(pk=plan.pk).exists()


def test_the_service_refuses_a_record_signed_meanwhile(patient, team_counselor):
    from intake.exceptions import RecordSigned
    from intake.services.record_discard import interview_discard

    interview = _interview(patient, team_counselor)
    stale = Interview.objects.get(pk=interview.pk)
    Interview.objects.filter(pk=interview.pk).update(
        status="signed", signed_at=timezone.now(), content_hash="0" * 64
    )
    with pytest.raises(RecordSigned):
        interview_discard(actor=team_counselor, interview=stale)
    assert Interview.objects.filter(pk=interview.pk).exists()


def test_emergency_access_reads_the_draft_but_may_not_discard_it(
    client, patient, team_counselor, offteam_physician
):
    from intake.services.break_glass import break_glass_open

    interview = _interview(patient, team_counselor)
    break_glass_open(
        actor=offteam_physician,
        patient_id=patient.pk,
        reason="Unresponsive in the waiting room; naloxone given, need history",
    )
    client.force_login(offteam_physician)
    page = client.get(f"/patients/{patient.pk}/interviews/{interview.pk}/")
    assert page.status_code == 200
    assert _url(patient, interview).encode() not in page.content
    assert client.post(_url(patient, interview)).status_code == 403
    assert Interview.objects.filter(pk=interview.pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", outcome=AuditOutcome.DENIED, detail__reason="emergency-access"
    ).exists()


def test_a_team_member_who_is_not_the_interviews_author_may_not_discard_it(
    client, patient, team_counselor, team_nurse
):
    interview = _interview(patient, team_counselor)
    client.force_login(team_nurse)
    detail = client.get(f"/patients/{patient.pk}/interviews/{interview.pk}/")
    assert _url(patient, interview).encode() not in detail.content
    response = client.post(_url(patient, interview))
    assert response.status_code == 403
    assert Interview.objects.filter(pk=interview.pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", outcome=AuditOutcome.DENIED, detail__reason="not-author"
    ).exists()
