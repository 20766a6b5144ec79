"""The treatment plan workflow: draft -> submitted -> active (signed) or changes-requested;
amendments make a new version. Every step is atomic, checks who may take it, and is audited.

Split by step: writing a draft is in `treatment_plan_draft`, what a draft is checked against in
`treatment_plan_checks`, the signed content and its hash in `treatment_plan_content`. Their
public names are imported here too, so `intake.services.treatment_plan` stays the one place
callers import the plan's services from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import access
from intake.exceptions import (  # noqa: F401 - UnacknowledgedWarnings re-exported
    RecordSigned,
    RuleViolation,
    UnacknowledgedWarnings,
)
from intake.models import (
    AuditAction,
    Episode,
    PlanBehavioral,
    PlanProgressNote,
    PlanStatus,
    TreatmentPlan,
)
from intake.plan_rules import plan_warnings
from intake.selectors.treatment_plan import plan_draft_of, plan_facts
from intake.services.audit import audit_record
from intake.services.audited_save import save_audited
from intake.services.reauth import (
    ReauthFailed,
    reauth_check_password,
    reauth_check_second_factor,
    reauth_refuse_if_locked,
    record_reauth_failure,
)
from intake.services.treatment_plan_content import (  # noqa: F401 - re-exported
    BEHAVIORAL_FIELDS,
    PLAN_FIELDS,
    content_hash,
    needs_physician,
    treatment_plan_content,
    treatment_plan_verify,
)
from intake.services.treatment_plan_doses import plan_dose_errors
from intake.services.treatment_plan_draft import (  # noqa: F401 - re-exported
    lock_editable,
    next_version,
    replace_components,
    treatment_plan_create,
    treatment_plan_update,
)
from intake.signing import signer_credentials

if TYPE_CHECKING:
    import datetime

    from django.contrib.auth.models import User

# Workflow ---------------------------------------------------------------------------------


def treatment_plan_check(
    plan: TreatmentPlan, *, now: datetime.datetime | None = None
) -> list[dict[str, Any]]:
    """The safety warnings that apply to this plan now."""
    facts = plan_facts(patient=plan.patient, plan=plan, now=now)
    return [w.as_dict() for w in plan_warnings(plan_draft_of(plan), facts)]


@transaction.atomic
def treatment_plan_submit(
    *, actor: User, plan: TreatmentPlan, revision: int | None = None
) -> TreatmentPlan:
    locked = lock_editable(plan, revision)
    if (
        not locked.medications.exists()
        and not locked.behavioral.exists()
        and not (locked.medically_supervised_detox)
    ):
        raise ValidationError("Add at least one medication or behavioral component first.")
    if dose_errors := plan_dose_errors(locked):
        raise ValidationError(dose_errors)
    locked.warnings = treatment_plan_check(locked)
    locked.status = PlanStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor
    save_audited(
        actor=actor,
        record=locked,
        detail={"change": "submitted", "warnings": [w["code"] for w in locked.warnings]},
    )
    return locked


def _check_reviewer(actor: User, plan: TreatmentPlan) -> None:
    refusal = access.plan_review_refusal(actor, needs_physician=needs_physician(plan))
    if refusal:
        raise RuleViolation(refusal)


def treatment_plan_approve(
    *,
    actor: User,
    plan: TreatmentPlan,
    password: str,
    otp: str | None = None,
    acknowledged_warnings: list[dict[str, Any]] | None = None,
) -> TreatmentPlan:
    """Approve and sign: re-authenticate, acknowledge every warning with a reason, record the
    signature with a hash of the signed content, and supersede the previous active version.
    A wrong password or code is audited and counted toward the lockout after the signing
    transaction has rolled back (services/reauth.py)."""
    reauth_refuse_if_locked(actor)
    try:
        return _approve(
            actor=actor,
            plan=plan,
            password=password,
            otp=otp,
            acknowledged_warnings=acknowledged_warnings,
        )
    except ReauthFailed as failure:
        raise record_reauth_failure(
            user=actor, failure=failure, obj=plan, patient=plan.patient
        ) from None


def _supersede_active(actor: User, plan: TreatmentPlan) -> None:
    """Only one plan is active per patient: signing this one supersedes the one before."""
    previous = (
        TreatmentPlan.objects.select_for_update(no_key=True)
        .filter(patient=plan.patient, status=PlanStatus.ACTIVE)
        .exclude(pk=plan.pk)
        .first()
    )
    if previous is not None:
        previous.status = PlanStatus.SUPERSEDED
        previous.updated_by = actor
        previous.save(update_fields=["status", "updated_by", "updated_at"])


@transaction.atomic
def _approve(
    *,
    actor: User,
    plan: TreatmentPlan,
    password: str,
    otp: str | None,
    acknowledged_warnings: list[dict[str, Any]] | None,
) -> TreatmentPlan:
    locked = TreatmentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if locked.status != PlanStatus.SUBMITTED:
        raise RecordSigned(
            f"Only a submitted plan can be approved; this one is {locked.get_status_display()}."
        )
    _check_reviewer(actor, locked)
    if dose_errors := plan_dose_errors(locked):
        raise ValidationError(dose_errors)
    reauth_check_password(actor, password)
    warnings = treatment_plan_check(locked)
    acks = {a.get("code"): (a.get("reason") or "").strip() for a in (acknowledged_warnings or [])}
    missing = [w for w in warnings if not acks.get(w["code"])]
    if missing:
        raise UnacknowledgedWarnings(missing)
    # Last, so that a single-use code is spent only on a signature that goes through.
    reauth_check_second_factor(actor, otp)
    _supersede_active(actor, locked)
    content = treatment_plan_content(locked)
    locked.status = PlanStatus.ACTIVE
    locked.warnings = warnings
    locked.acknowledged_warnings = [
        {"code": w["code"], "message": w["message"], "reason": acks[w["code"]]} for w in warnings
    ]
    locked.reviewed_by = actor
    locked.signed_at = timezone.now()
    locked.signed_by = actor
    locked.signed_role = access.signer_role(actor)
    locked.signed_credentials = signer_credentials(actor)
    locked.signed_content = content
    locked.content_hash = content_hash(content)
    save_audited(
        actor=actor,
        record=locked,
        action=AuditAction.SIGN,
        detail={
            "version": locked.version,
            "hash": locked.content_hash,
            "acknowledged": [w["code"] for w in warnings],
        },
    )
    return locked


@transaction.atomic
def treatment_plan_request_changes(
    *, actor: User, plan: TreatmentPlan, comment: str
) -> TreatmentPlan:
    locked = TreatmentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if locked.status != PlanStatus.SUBMITTED:
        raise RecordSigned("Changes can be requested only on a submitted plan.")
    _check_reviewer(actor, locked)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": ["Say what should change."]})
    locked.status = PlanStatus.CHANGES_REQUESTED
    locked.review_comment = comment
    locked.reviewed_by = actor
    save_audited(actor=actor, record=locked, detail={"change": "changes-requested"}, revise=True)
    return locked


@transaction.atomic
def treatment_plan_amend(*, actor: User, plan: TreatmentPlan, reason: str) -> TreatmentPlan:
    """Copy a signed active version into a new draft version; the signed one is untouched."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give the reason for the amendment."]})
    locked = TreatmentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if locked.status != PlanStatus.ACTIVE:
        raise RecordSigned("Only the active signed version can be amended.")
    if TreatmentPlan.objects.filter(previous=locked).exists():
        raise RecordSigned("This version already has an amendment in progress.")
    content = treatment_plan_content(locked)
    draft = TreatmentPlan(
        patient=locked.patient,
        episode=locked.episode,
        # n + 1, unless another draft already took that number.
        version=max(locked.version + 1, next_version(locked.patient_id)),
        previous=locked,
        amendment_reason=reason,
        created_by=actor,
        updated_by=actor,
        **{f: getattr(locked, f) for f in PLAN_FIELDS},
    )
    draft.full_clean()
    draft.save()
    # Copies carry the prescriber's lines as signed; later edits to them need a prescriber.
    replace_components(draft, content["medications"], content["behavioral"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient_id=draft.patient_id,
        obj=draft,
        detail={"amends": str(locked.pk), "version": draft.version},
    )
    return draft


@transaction.atomic
def treatment_plans_close_for_episode(*, actor: User, episode: Episode) -> int:
    """Discharge closes the patient's active plan for that episode."""
    closed = 0
    for plan in TreatmentPlan.objects.select_for_update(no_key=True).filter(
        episode=episode, status=PlanStatus.ACTIVE
    ):
        plan.status = PlanStatus.CLOSED
        plan.closed_at = timezone.now()
        plan.updated_by = actor
        plan.save(update_fields=["status", "closed_at", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            patient_id=plan.patient_id,
            obj=plan,
            detail={"change": "closed"},
        )
        closed += 1
    return closed


@transaction.atomic
def plan_progress_note_add(
    *, actor: User, component: PlanBehavioral, progress: str, text: str
) -> PlanProgressNote:
    """Record how the patient is doing on a behavioral component of the active plan."""
    plan = component.plan
    if plan.status != PlanStatus.ACTIVE:
        raise RecordSigned("Progress is recorded on the active plan only.")
    note = PlanProgressNote(
        component=component,
        progress=progress,
        text=(text or "").strip(),
        created_by=actor,
        updated_by=actor,
    )
    note.full_clean()
    note.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient_id=plan.patient_id,
        obj=note,
        detail={"plan": str(plan.pk)},
    )
    return note
