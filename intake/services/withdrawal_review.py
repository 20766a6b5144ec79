"""The physician's daily review of a patient in withdrawal management, in one transaction and
audited (docs/clinical-rules.md#withdrawal-review): continue, amend the plan (opening an
amendment draft, or naming the one already open), complete or transfer (writing the completion
summary onto the episode).

Locks, in the order of docs/concurrency.md: the episode (level 2: two physicians completing at
once write one summary; the second is told it was completed), then the active plan (level 3: it
cannot be superseded under the review that names it; amending locks it again)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import access
from intake import withdrawal_rules as rules
from intake.access import Perm
from intake.exceptions import NotInWithdrawalManagement, RuleViolation
from intake.models import (
    ENDING_DECISIONS,
    AuditAction,
    Episode,
    Patient,
    PlanStatus,
    ReviewDecision,
    TreatmentPlan,
    WithdrawalReview,
)
from intake.selectors import withdrawal_review as selectors
from intake.services.audit import audit_record
from intake.services.treatment_plan import treatment_plan_amend

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ONLY_PHYSICIANS = "The daily withdrawal review is a physician's on the care team."
MAX_AMENDMENT_REASON = 500


def _locked_state(patient: Patient) -> selectors.WithdrawalState:
    """The patient's withdrawal state read under the locks: episode, then active plan."""
    state = selectors.withdrawal_state(patient=patient)
    if state.plan is None or state.episode is None:
        raise NotInWithdrawalManagement(state.refusal)
    episode = Episode.objects.select_for_update(no_key=True).get(pk=state.episode.pk)
    plan = (
        TreatmentPlan.objects.select_for_update(no_key=True, of=("self",))
        .select_related("episode")
        .prefetch_related("medications")
        .get(pk=state.plan.pk)
    )
    if plan.status != PlanStatus.ACTIVE:
        raise NotInWithdrawalManagement(
            "The plan was changed while you were reviewing it: reload the page and review the "
            "plan in force."
        )
    locked = selectors.withdrawal_state_of(plan, episode)
    if not locked.in_management:
        raise NotInWithdrawalManagement(locked.refusal)
    return locked


def _amendment(actor: User, plan: TreatmentPlan, note: str) -> TreatmentPlan:
    """The amendment draft of the active plan: the one already open (draft, submitted or
    returned for changes), else a new one with the review's note as its reason."""
    open_draft = TreatmentPlan.objects.filter(previous=plan).first()
    if open_draft is not None:
        return open_draft
    reason = f"Daily withdrawal review: {note}"
    if len(reason) > MAX_AMENDMENT_REASON:
        reason = reason[: MAX_AMENDMENT_REASON - 1] + "…"
    return treatment_plan_amend(actor=actor, plan=plan, reason=reason)


def _write_summary(
    actor: User, review: WithdrawalReview, episode: Episode, now: datetime.datetime
) -> None:
    given, scores = selectors.summary_facts(patient=review.patient, episode=episode, until=now)
    episode.withdrawal_summary = dict(
        rules.completion_summary(
            decision=review.decision,
            outcome=review.outcome,
            given=given,
            scores=scores,
            completed_at=now,
            completed_by=actor.get_full_name() or actor.get_username(),
            review_id=str(review.pk),
        )
    )
    episode.updated_by = actor
    episode.save(update_fields=["withdrawal_summary", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=episode.patient_id,
        obj=episode,
        detail={"change": "withdrawal-completed", "outcome": review.outcome},
    )


@transaction.atomic
def withdrawal_review_record(
    *,
    actor: User,
    patient: Patient,
    decision: str,
    note: str,
    outcome: str | None = None,
    now: datetime.datetime | None = None,
) -> WithdrawalReview:
    """Record a physician's review of the active detox plan (see the module). Refused: anyone
    but a physician on the care team (RuleViolation), a bad decision, outcome or note
    (ValidationError by field), a patient not in withdrawal management
    (NotInWithdrawalManagement, 409)."""
    if not access.can(actor, Perm.WITHDRAWAL_REVIEW, patient):
        raise RuleViolation(ONLY_PHYSICIANS)
    errors = rules.decision_errors(decision, outcome, note)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    note = note.strip()
    state = _locked_state(patient)
    assert state.plan is not None and state.episode is not None  # in management
    amendment = (
        _amendment(actor, state.plan, note) if decision == ReviewDecision.AMEND_PLAN else None
    )
    review = WithdrawalReview.objects.create(
        patient=patient,
        episode=state.episode,
        plan=state.plan,
        decision=decision,
        outcome=rules.outcome_of(decision, outcome),
        note=note,
        amendment=amendment,
        reviewed_at=now,
        created_by=actor,
        updated_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=review,
        object_type="withdrawal-review",
        detail={
            "decision": decision,
            "outcome": review.outcome,
            "plan": str(state.plan.pk),
            "amendment": str(amendment.pk) if amendment else None,
        },
    )
    if decision in ENDING_DECISIONS:
        _write_summary(actor, review, state.episode, now)
    return review
