"""Discarding a draft interview or plan version that will not be finished (docs/drafts.md,
"Discarding a draft record"): the record and its rows are deleted, with the typing kept for its
form, and the deletion is audited. Who may is decided in access.py (may_discard_drafts, checked
by the resolvers and again here); what may be discarded is checked under a row lock, so a
signature or submission that happens first wins and the discard is refused (RecordSigned, 409).

Deleting is what the signed-record triggers (migrations 0007 and 0012) allow for a draft; they
refuse it for a signed record whatever this code does."""

from __future__ import annotations

from django.db import transaction

from intake import access
from intake.exceptions import RecordSigned, RuleViolation
from intake.models import AuditAction, DraftKind, Interview, TreatmentPlan
from intake.services.audit import audit_record
from intake.services.form_draft import form_drafts_of_record_delete


def interview_discard(*, actor, interview: Interview) -> None:
    patient = interview.patient
    with transaction.atomic():
        locked = Interview.objects.select_for_update().get(pk=interview.pk)
        locked.patient = patient
        refusal = access.interview_discard_refusal(actor, locked)
        if refusal:
            raise RuleViolation(refusal)
        if not access.interview_is_discardable(locked):
            raise RecordSigned(
                "This interview is signed and stays on the record; add an addendum instead."
            )
        drafts = form_drafts_of_record_delete(
            actor=actor, patient=patient, kind=DraftKind.INTERVIEW, record=locked
        )
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            patient=patient,
            obj=locked,
            detail={
                "discarded": "draft interview",
                "author": locked.author_id,
                "substances": locked.substances.count(),
                "form_drafts": drafts,
            },
        )
        locked.delete()


def plan_discard(*, actor, plan: TreatmentPlan) -> None:
    patient = plan.patient
    with transaction.atomic():
        locked = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
        locked.patient = patient
        refusal = access.plan_discard_refusal(actor, locked)
        if refusal:
            raise RuleViolation(refusal)
        if not access.plan_is_discardable(locked):
            raise RecordSigned(
                f"Version {locked.version} was submitted for review or signed and stays on "
                "the record; it cannot be discarded."
            )
        drafts = form_drafts_of_record_delete(
            actor=actor, patient=patient, kind=DraftKind.PLAN, record=locked
        )
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            patient=patient,
            obj=locked,
            detail={
                "discarded": "draft plan version",
                "version": locked.version,
                "amends": str(locked.previous_id) if locked.previous_id else None,
                "author": locked.created_by_id,
                "form_drafts": drafts,
            },
        )
        locked.delete()
