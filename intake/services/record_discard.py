"""Discarding a draft interview or plan version that will not be finished (docs/drafts.md,
"Discarding a draft record"): the record and its rows are deleted, with the typing kept for its
form, and the deletion is audited. Who may is decided in access.py (may_discard_drafts, checked
by the resolvers and again here); what may be discarded is checked under a row lock, so a
signature or submission that happens first wins and the discard is refused (RecordSigned, 409).

Deleting is what the signed-record triggers (migrations 0007 and 0012) allow for a draft; they
refuse it for a signed record whatever this code does."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction

from intake import access
from intake.exceptions import RecordSigned, RuleViolation
from intake.models import AuditAction, DraftKind, Interview, TreatmentPlan
from intake.services.audit import audit_record
from intake.services.form_draft import form_drafts_of_record_delete

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Draft = TypeVar("Draft", Interview, TreatmentPlan)


def _discard(
    *,
    actor: User,
    record: Draft,
    kind: DraftKind,
    refusal: Callable[[User, Draft], str | None],
    discardable: Callable[[Draft], bool],
    signed_message: Callable[[Draft], str],
    detail: Callable[[Draft], dict[str, Any]],
) -> None:
    """Lock the draft, check again who may discard it and that it is still a draft, delete the
    form drafts typed for it, audit, delete. `detail` describes it for the audit row."""
    patient = record.patient
    with transaction.atomic():
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        locked.patient = patient
        reason = refusal(actor, locked)
        if reason:
            raise RuleViolation(reason)
        if not discardable(locked):
            raise RecordSigned(signed_message(locked))
        drafts = form_drafts_of_record_delete(
            actor=actor, patient=patient, kind=kind, record=locked
        )
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            patient=patient,
            obj=locked,
            detail={**detail(locked), "form_drafts": drafts},
        )
        locked.delete()


def interview_discard(*, actor: User, interview: Interview) -> None:
    _discard(
        actor=actor,
        record=interview,
        kind=DraftKind.INTERVIEW,
        refusal=access.interview_discard_refusal,
        discardable=access.interview_is_discardable,
        signed_message=lambda _locked: (
            "This interview is signed and stays on the record; add an addendum instead."
        ),
        detail=lambda locked: {
            "discarded": "draft interview",
            "author": locked.author_id,
            "substances": locked.substances.count(),
        },
    )


def plan_discard(*, actor: User, plan: TreatmentPlan) -> None:
    _discard(
        actor=actor,
        record=plan,
        kind=DraftKind.PLAN,
        refusal=access.plan_discard_refusal,
        discardable=access.plan_is_discardable,
        signed_message=lambda locked: (
            f"Version {locked.version} was submitted for review or signed and stays on "
            "the record; it cannot be discarded."
        ),
        detail=lambda locked: {
            "discarded": "draft plan version",
            "version": locked.version,
            "amends": str(locked.previous_id) if locked.previous_id else None,
            "author": locked.created_by_id,
        },
    )
