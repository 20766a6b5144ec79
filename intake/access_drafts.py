"""Drafts and discarding them (docs/drafts.md): who may keep a form's unsaved typing and who may
discard a draft record. Rules of `intake/access.py`, which re-exports them (import them from
there); kept beside it for length."""

from __future__ import annotations

from intake.access_matrix import can, scope_for
from intake.access_scope import RequestUser, is_on_care_team, staff_account
from intake.access_vocabulary import Perm, Scope
from intake.models import DraftKind, Interview, InterviewStatus, Patient, PlanStatus, TreatmentPlan

# A form's unsaved typing (docs/drafts.md) is kept only for someone who may write that form for
# this patient: the same permission as the form itself, checked again at every save and read,
# so a clinician who leaves the care team loses sight of their drafts with the chart.
DRAFT_PERMS: dict[DraftKind, Perm] = {
    DraftKind.INTERVIEW: Perm.INTERVIEW_WRITE,
    DraftKind.PLAN: Perm.PLAN_WRITE,
    DraftKind.CONSENT: Perm.CONSENT_MANAGE,
    DraftKind.LAB_PANEL: Perm.LAB_RESULT_ENTER,
}


def draft_perm(kind: DraftKind) -> Perm:
    return DRAFT_PERMS[kind]


def can_keep_draft(user: RequestUser, patient: Patient, kind: DraftKind) -> bool:
    return can(user, draft_perm(kind), patient)


# Discarding a draft (docs/drafts.md, "Discarding a draft record") -------------------------
#
# An interview or plan version that was started and will not be finished (the wrong patient,
# a duplicate, a plan abandoned) is removed instead of staying on the chart as a draft for
# ever. Only a record nobody has signed or submitted: what a reviewer saw or a clinician signed
# stays on the record. Whoever may write the draft may discard it: an interview's author only
# (a draft interview is written and signed by its author alone), a plan version's author or
# anyone else on the team who may write plans (they could equally empty it). An emergency-access
# grant does not: it is for treating the patient, not for removing what the care team wrote.


def interview_is_discardable(interview: Interview) -> bool:
    return interview.status == InterviewStatus.DRAFT and interview.signed_at is None


def plan_is_discardable(plan: TreatmentPlan) -> bool:
    return plan.status == PlanStatus.DRAFT and plan.submitted_at is None and plan.signed_at is None


def may_discard_drafts(user: RequestUser, patient: Patient, perm: Perm) -> bool:
    """May `user` discard this patient's draft records written under `perm` (the record's
    own state is checked apart: a signed record is a 409, not a 403)?"""
    scope = scope_for(user, perm)
    if scope is None:
        return False
    if scope is Scope.ANY:
        return True
    account = staff_account(user)  # never None once the role has a scope
    return account is not None and is_on_care_team(account, patient, emergency=False)


def interview_discard_refusal(user: RequestUser, interview: Interview) -> str | None:
    """Why `user` may not discard this interview (whatever its state), or None."""
    if not may_discard_drafts(user, interview.patient, Perm.INTERVIEW_WRITE):
        return "Only the care team may discard a draft."
    if interview.author_id != user.pk:
        return "Only its author may discard a draft interview."
    return None


def plan_discard_refusal(user: RequestUser, plan: TreatmentPlan) -> str | None:
    """Why `user` may not discard this plan version (whatever its state), or None."""
    if not may_discard_drafts(user, plan.patient, Perm.PLAN_WRITE):
        return "Only the care team may discard a draft."
    return None


def can_discard_interview(user: RequestUser, interview: Interview) -> bool:
    return (
        interview_is_discardable(interview) and interview_discard_refusal(user, interview) is None
    )


def can_discard_plan(user: RequestUser, plan: TreatmentPlan) -> bool:
    return plan_is_discardable(plan) and plan_discard_refusal(user, plan) is None
