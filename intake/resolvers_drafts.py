"""Fetch-and-authorize for drafts and for discarding draft records: the resolvers of
`intake/resolvers.py` (which re-exports these; call them from there), in the same order of
checks and with the same one 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from intake.access import (
    Perm,
    draft_perm,
    interview_discard_refusal,
    may_discard_drafts,
    plan_discard_refusal,
)
from intake.models import AuditAction, Consent, DraftKind, Interview, LabOrder, TreatmentPlan
from intake.resolvers import NOT_FOUND, _deny, resolve_interview, resolve_patient, resolve_plan

# What each kind of draft is kept for: the record the form edits must be this patient's.
_DRAFT_TARGETS = {
    DraftKind.INTERVIEW: Interview,
    DraftKind.PLAN: TreatmentPlan,
    DraftKind.CONSENT: Consent,
    DraftKind.LAB_PANEL: LabOrder,
}


def resolve_draft_patient(user, patient_id, kind: DraftKind, object_id, *, action=AuditAction.READ):
    """The patient whose form `kind` (for record `object_id`, None for a new one) a draft is
    kept for, with the form's own permission (access.draft_perm): 403 for a role that may not
    write that form, the one 404 for a patient outside the care team or a record of someone
    else. Not audited here: the draft service audits what it does."""
    perm = draft_perm(kind)
    patient = resolve_patient(
        user, patient_id, perm, action=action, audit_allowed=False, object_type="form-draft"
    )
    if object_id is not None:
        model = _DRAFT_TARGETS[kind]
        if not model._default_manager.filter(pk=object_id, patient=patient).exists():
            _deny(user, perm, action, "form-draft", "not-found", patient)
            raise Http404(NOT_FOUND)
    return patient


def _discard_checked(user, patient, record, perm: Perm, object_type: str, refusal):
    if refusal:
        # On the care team only by an emergency grant (reading and treating, not removing),
        # or not the interview's author.
        reason = "emergency-access" if not may_discard_drafts(user, patient, perm) else "not-author"
        _deny(user, perm, AuditAction.DELETE, object_type, reason, patient)
        raise PermissionDenied(refusal)
    return patient, record


def resolve_interview_to_discard(user, interview_id, *, patient_id):
    """(patient, interview) that `user` may discard if it is still a draft (the service checks
    the state under a lock): 403 for a role that may not write interviews, the one 404 for an
    interview outside the care team's patients or of another patient."""
    patient, interview = resolve_interview(
        user, interview_id, Perm.INTERVIEW_WRITE, patient_id=patient_id, action=AuditAction.DELETE
    )
    refusal = interview_discard_refusal(user, interview)
    return _discard_checked(user, patient, interview, Perm.INTERVIEW_WRITE, "interview", refusal)


def resolve_plan_to_discard(user, plan_id, *, patient_id):
    """(patient, plan version) that `user` may discard if it is a never-submitted draft."""
    patient, plan = resolve_plan(
        user,
        plan_id,
        Perm.PLAN_WRITE,
        patient_id=patient_id,
        action=AuditAction.DELETE,
        audit_allowed=False,
    )
    refusal = plan_discard_refusal(user, plan)
    return _discard_checked(user, patient, plan, Perm.PLAN_WRITE, "treatment-plan", refusal)
