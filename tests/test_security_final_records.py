"""Signed and final records are guarded by the database, not only by the services: a plain SQL
UPDATE or DELETE of a signed interview, an addendum, a diagnosis, a lab result, a disclosure or
a consent is refused (SQLSTATE 42501), while the transitions the services make (an amendment
superseding a result, a revocation) still go through."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from intake.models import Consent, Diagnosis, Disclosure, Interview, InterviewAddendum, LabResult
from intake.services.assessment import diagnosis_record
from intake.services.consent import consent_revoke
from intake.services.disclosure import disclosure_make
from intake.services.interview import interview_add_addendum, interview_sign
from intake.services.lab_amend import lab_results_amend
from tests.factories import (
    PURPOSE,
    RECIPIENT,
    AssessmentFactory,
    InterviewFactory,
    SubstanceUseFactory,
    make_consent,
)
from tests.lab_support import resulted_ecg

pytestmark = pytest.mark.django_db


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def refused(statement: str, *params) -> bool:
    """True when the database refuses the statement as a change to a final record."""
    try:
        with transaction.atomic():
            _sql(statement, *params)
    except DatabaseError as exc:
        assert "is final" in str(exc) or "immutable" in str(exc), exc
        return True
    return False


@pytest.fixture
def signed_interview(patient, team_counselor):
    interview = InterviewFactory(patient=patient, author=team_counselor)
    SubstanceUseFactory(interview=interview, substance="heroin", routes=["injected"])
    return interview_sign(actor=team_counselor, interview=interview)


def test_a_draft_interview_stays_editable_in_sql(patient, team_counselor):
    draft = InterviewFactory(patient=patient, author=team_counselor)
    assert not refused("UPDATE intake_interview SET impressions = 'x' WHERE id = %s", draft.pk)


def test_a_signed_interview_and_its_substances_refuse_sql_changes(signed_interview):
    pk = signed_interview.pk
    assert refused("UPDATE intake_interview SET impressions = 'rewritten' WHERE id = %s", pk)
    assert refused(
        "UPDATE intake_interview SET status = 'draft', signed_at = NULL WHERE id = %s", pk
    )
    assert refused("DELETE FROM intake_interview WHERE id = %s", pk)
    assert refused("UPDATE intake_substanceuse SET routes = '{}' WHERE interview_id = %s", pk)
    assert refused("DELETE FROM intake_substanceuse WHERE interview_id = %s", pk)
    assert refused(
        "INSERT INTO intake_substanceuse SELECT (jsonb_populate_record(NULL::intake_substanceuse,"
        " to_jsonb(s) || jsonb_build_object('id', gen_random_uuid(), 'substance', 'alcohol'))).*"
        " FROM intake_substanceuse s WHERE interview_id = %s",
        pk,
    )
    stored = Interview.objects.get(pk=pk)
    assert (stored.status, stored.impressions, stored.substances.count()) == ("signed", "", 1)


def test_an_addendum_refuses_sql_changes(signed_interview, team_counselor):
    addendum = interview_add_addendum(
        actor=team_counselor, interview=signed_interview, reason="Late history", text="Also uses"
    )
    assert refused("UPDATE intake_interviewaddendum SET text = 'other' WHERE id = %s", addendum.pk)
    assert refused("DELETE FROM intake_interviewaddendum WHERE id = %s", addendum.pk)
    assert InterviewAddendum.objects.get(pk=addendum.pk).text == "Also uses"


def test_a_diagnosis_refuses_sql_changes(patient, team_physician):
    assessment = AssessmentFactory(
        patient=patient,
        answers={str(n): "yes" if n <= 6 else "no" for n in range(1, 12)} | {"supervised": "no"},
        total=6,
        band="severe",
    )
    diagnosis = diagnosis_record(actor=team_physician, patient=patient, assessment=assessment)
    assert refused("UPDATE intake_diagnosis SET severity = 'mild' WHERE id = %s", diagnosis.pk)
    assert refused("DELETE FROM intake_diagnosis WHERE id = %s", diagnosis.pk)
    assert Diagnosis.objects.get(pk=diagnosis.pk).severity == "severe"


def test_a_lab_result_changes_only_by_being_superseded(patient, team_nurse):
    order, _recording = resulted_ecg(patient, team_nurse, 420, observed=True)
    original = LabResult.objects.get(order=order)
    assert refused("UPDATE intake_labresult SET value = 380 WHERE id = %s", original.pk)
    assert refused(
        "UPDATE intake_labresult SET flag = 'normal', value = 380 WHERE id = %s", original.pk
    )
    assert refused("DELETE FROM intake_labresult WHERE id = %s", original.pk)

    # The amendment is the one transition allowed: the original stops being current.
    lab_results_amend(
        actor=team_nurse, order=order, corrections=[{"test": "qtc", "value": 520}], reason="Typo"
    )
    original.refresh_from_db()
    assert (original.is_current, original.value) == (False, 420)
    # ... and a superseded result cannot be made current again.
    assert refused("UPDATE intake_labresult SET is_current = true WHERE id = %s", original.pk)


def test_a_disclosure_refuses_sql_changes(patient, team_physician):
    consent = make_consent(patient, team_physician)
    disclosure = disclosure_make(
        actor=team_physician,
        patient=patient,
        consent_id=consent.pk,
        recipient=RECIPIENT,
        purpose=PURPOSE,
        content="patient-summary",
    )
    assert refused(
        "UPDATE intake_disclosure SET recipient = 'Someone else' WHERE id = %s", disclosure.pk
    )
    assert refused("DELETE FROM intake_disclosure WHERE id = %s", disclosure.pk)
    assert Disclosure.objects.get(pk=disclosure.pk).recipient == RECIPIENT


def test_a_consent_may_be_revoked_once_and_never_un_revoked(patient, team_physician):
    consent = make_consent(patient, team_physician)
    assert refused("UPDATE intake_consent SET recipient = 'Anyone' WHERE id = %s", consent.pk)
    assert refused("DELETE FROM intake_consent WHERE id = %s", consent.pk)

    consent_revoke(actor=team_physician, consent=consent, revoked_on=timezone.localdate())
    consent.refresh_from_db()
    assert consent.revoked_on == timezone.localdate()

    assert refused(
        "UPDATE intake_consent SET revoked_on = NULL, revoked_by_id = NULL WHERE id = %s",
        consent.pk,
    )
    assert refused(
        "UPDATE intake_consent SET revoked_on = %s WHERE id = %s",
        timezone.localdate() + datetime.timedelta(days=30),
        consent.pk,
    )
    assert Consent.objects.get(pk=consent.pk).revoked_on == timezone.localdate()
