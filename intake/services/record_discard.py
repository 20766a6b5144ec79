"""Discarding a draft interview or plan version that will not be finished (docs/drafts.md,
"Discarding a draft record"): the record and its rows are deleted, with the typing kept for its
form, and the deletion is audited. Who may is decided in access.py (may_discard_drafts, checked
by the resolvers and again here); what may be discarded is checked under a row lock, so a
signature or submission that happens first wins and the discard is refused (RecordSigned, 409).

Deleting is what the signed-record triggers (migrations 0007 and 0012) allow for a draft; they
refuse it for a signed record whatever this code does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import transaction

from intake import access
from intake.exceptions import RecordSigned, RuleViolation
from intake.models import AuditAction, DraftKind, Interview, TreatmentPlan
from intake.services.audit import audit_record
from intake.services.form_draft import form_drafts_of_record_delete

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Draft = TypeVar("Draft", Interview, TreatmentPlan)


@dataclass(frozen=True)
class _Discarding(Generic[Draft]):
    """What differs between discarding an interview and a plan version: who may (access.py),
    what may still be discarded, what a refusal says and how the audit row describes it."""

    kind: DraftKind
    refusal: Callable[[User, Draft], str | None]
    discardable: Callable[[Draft], bool]
    signed_message: Callable[[Draft], str]
    detail: Callable[[Draft], dict[str, Any]]


def _discard(actor: User, record: Draft, how: _Discarding[Draft]) -> None:
    """Lock the draft, check again who may discard it and that it is still a draft, delete the
    form drafts typed for it, audit, delete."""
    patient = record.patient
    with transaction.atomic():
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        locked.patient = patient
        reason = how.refusal(actor, locked)
        if reason:
            raise RuleViolation(reason)
        if not how.discardable(locked):
            raise RecordSigned(how.signed_message(locked))
        drafts = form_drafts_of_record_delete(
            actor=actor, patient=patient, kind=how.kind, record=locked
        )
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            patient=patient,
            obj=locked,
            detail={**how.detail(locked), "form_drafts": drafts},
        )
        locked.delete()


def _interview_detail(interview: Interview) -> dict[str, Any]:
    return {
        "discarded": "draft interview",
        "author": interview.author_id,
        "substances": interview.substances.count(),
    }


def _plan_detail(plan: TreatmentPlan) -> dict[str, Any]:
    return {
        "discarded": "draft plan version",
        "version": plan.version,
        "amends": str(plan.previous_id) if plan.previous_id else None,
        "author": plan.created_by_id,
    }


_INTERVIEW: _Discarding[Interview] = _Discarding(
    DraftKind.INTERVIEW,
    access.interview_discard_refusal,
    access.interview_is_discardable,
    lambda _interview: "This interview is signed and stays on the record; add an addendum instead.",
    _interview_detail,
)
_PLAN: _Discarding[TreatmentPlan] = _Discarding(
    DraftKind.PLAN,
    access.plan_discard_refusal,
    access.plan_is_discardable,
    lambda plan: (
        f"Version {plan.version} was submitted for review or signed and stays on the record; "
        "it cannot be discarded."
    ),
    _plan_detail,
)


def interview_discard(*, actor: User, interview: Interview) -> None:
    _discard(actor, interview, _INTERVIEW)


def plan_discard(*, actor: User, plan: TreatmentPlan) -> None:
    _discard(actor, plan, _PLAN)
