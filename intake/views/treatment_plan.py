"""Treatment plan pages: a patient's plans, a version with what changed, submitting it for
review, the physician's review (approve and sign, or request changes), amending a signed plan,
progress notes and the signed PDF. The plan form itself: views/treatment_plan_edit.py."""

from collections.abc import Iterable
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from intake import access, resolvers
from intake.access import Perm
from intake.exceptions import RecordSigned, RuleViolation, UnacknowledgedWarnings
from intake.forms.treatment_plan import AmendForm, ApproveForm, CommentForm, ProgressNoteForm
from intake.models import AuditAction, Patient, TreatmentPlan
from intake.selectors.plan_diff import plan_version_diff
from intake.selectors.session_note import plan_attach_component_sessions
from intake.selectors.treatment_plan import plan_component_get, plan_list, review_evidence
from intake.services.audit import audit_record
from intake.services.treatment_plan import (
    needs_physician,
    plan_progress_note_add,
    treatment_plan_amend,
    treatment_plan_approve,
    treatment_plan_check,
    treatment_plan_content,
    treatment_plan_request_changes,
    treatment_plan_submit,
    treatment_plan_verify,
)
from intake.views.decorators import policy
from intake.views.service_errors import refusal_messages, service_errors


def plan_for_page(
    request: HttpRequest, patient_id: UUID, plan_id: UUID, perm: Perm, *, write: bool = False
) -> tuple[Patient, TreatmentPlan]:
    """The patient and the plan behind a page URL, with what the page shows (resolvers)."""
    return resolvers.resolve_plan(
        request.user,
        plan_id,
        perm,
        patient_id=patient_id,
        action=AuditAction.UPDATE if write else AuditAction.READ,
        audit_allowed=not write,
        with_content=True,
    )


def plan_patient(
    request: HttpRequest,
    patient_id: UUID,
    perm: Perm,
    *,
    write: bool = False,
    object_type: str = "treatment-plan",
) -> Patient:
    return resolvers.resolve_patient(
        request.user,
        patient_id,
        perm,
        action=AuditAction.UPDATE if write else AuditAction.READ,
        audit_allowed=not write,
        object_type=object_type,
    )


def _filled(form: BaseForm, missing: str) -> BaseForm:
    """A form posted from a button on the plan page, complete; if not, a refusal saying what
    to add (`missing`), shown like the service's refusals on the page it goes back to."""
    if not form.is_valid():
        raise ValidationError(missing)
    return form


@policy(Perm.PLAN_VIEW)
def plan_index(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = plan_patient(request, patient_id, Perm.PLAN_VIEW, object_type="treatment-plan-list")
    return render(
        request,
        "intake/plan_list.html",
        {
            "patient": patient,
            "plans": plan_list(patient=patient),
            "can_write": access.can(request.user, Perm.PLAN_WRITE, patient),
        },
    )


@policy(Perm.PLAN_VIEW)
def plan_detail(request: HttpRequest, patient_id: UUID, plan_id: UUID) -> HttpResponse:
    patient, plan = plan_for_page(request, patient_id, plan_id, Perm.PLAN_VIEW)
    if plan.status == "active" and access.can(request.user, Perm.SESSION_NOTE_VIEW, patient):
        plan_attach_component_sessions(plan=plan)  # each component's sessions (one query)
    return render(
        request,
        "intake/plan_detail.html",
        {
            "patient": patient,
            "plan": plan,
            **_diff_context(plan),
            "verified": treatment_plan_verify(plan) if plan.is_signed else None,
            "can_write": access.can(request.user, Perm.PLAN_WRITE, patient),
            # The role may review plans and this plan is theirs to sign (a plan with
            # medication is a physician's): no "Review and sign" for someone who may not.
            "can_review": access.can(request.user, Perm.PLAN_APPROVE, patient)
            and access.can_review_plan(request.user, needs_physician=needs_physician(plan)),
            "can_discard": access.can_discard_plan(request.user, plan),
            "needs_physician": needs_physician(plan),
            "can_view_flowsheet": access.can(request.user, Perm.MAR_VIEW, patient),
            "amend_form": AmendForm(),
            "progress_form": ProgressNoteForm() if plan.status == "active" else None,
            "current_warnings": treatment_plan_check(plan) if plan.is_editable else None,
        },
    )


@policy(Perm.PLAN_WRITE)
@require_POST
def plan_submit(request: HttpRequest, patient_id: UUID, plan_id: UUID) -> HttpResponse:
    patient, plan = plan_for_page(request, patient_id, plan_id, Perm.PLAN_WRITE, write=True)
    with refusal_messages(request) as refused:
        plan = treatment_plan_submit(actor=request.user, plan=plan)
    if not refused:
        messages.success(request, f"Submitted for review with {len(plan.warnings)} warning(s).")
    return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)


def _render_review(
    request: HttpRequest,
    patient: Patient,
    plan: TreatmentPlan,
    *,
    form: ApproveForm,
    comment_form: CommentForm | None = None,
    acks: dict[str, str] | None = None,
    unacknowledged: Iterable[str] = (),
    status: int = 200,
) -> HttpResponse:
    """The review page; after a refusal it comes back with what was typed (warning reasons,
    comment) and says why, with the status of the refusal."""
    warnings = treatment_plan_check(plan)
    needs = needs_physician(plan)
    refusal = access.plan_review_refusal(request.user, needs_physician=needs)
    return render(
        request,
        "intake/plan_review.html",
        {
            "patient": patient,
            "plan": plan,
            "warnings": warnings,
            "acks": acks if acks is not None else {},
            "unacknowledged": list(unacknowledged),
            "form": form,
            "comment_form": comment_form or CommentForm(),
            "evidence": review_evidence(patient=patient),
            "needs_physician": needs,
            # Decided once, here: the template offers approve and return only to a reviewer
            # the service would accept.
            "can_sign": refusal is None,
            "review_refusal": refusal,
            "can_view_flowsheet": access.can(request.user, Perm.MAR_VIEW, patient),
            **_diff_context(plan),
        },
        status=status,
    )


@policy(Perm.PLAN_APPROVE)
@require_http_methods(["GET", "POST"])
def plan_review(request: HttpRequest, patient_id: UUID, plan_id: UUID) -> HttpResponse:
    """The physician's review: the plan beside the latest COWS, drug screen, QTc and liver
    tests; approve and sign (acknowledging each warning) or request changes."""
    patient, plan = plan_for_page(
        request, patient_id, plan_id, Perm.PLAN_APPROVE, write=request.method == "POST"
    )
    if plan.status != "submitted":
        messages.info(request, f"Version {plan.version} is not waiting for review.")
        return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    warnings = treatment_plan_check(plan)
    form = ApproveForm(request.POST or None)
    acks = {w["code"]: request.POST.get(f"ack_{w['code']}", "") for w in warnings}
    unacknowledged: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        # Refused, not lost: the reasons typed for each warning come back with the why.
        with service_errors(form) as refused:
            treatment_plan_approve(
                actor=request.user,
                plan=plan,
                password=form.cleaned_data["password"],
                otp=form.cleaned_data.get("otp"),
                acknowledged_warnings=[{"code": c, "reason": r} for c, r in acks.items()],
            )
        if isinstance(refused.error, UnacknowledgedWarnings):
            unacknowledged = [w["code"] for w in refused.error.warnings]
        elif refused.was(RuleViolation):
            status = 403
        elif refused.was(RecordSigned):
            messages.error(request, refused.message)
            return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
        elif not refused:
            messages.success(request, f"Version {plan.version} approved and signed.")
            return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    return _render_review(
        request,
        patient,
        plan,
        form=form,
        acks=acks,
        unacknowledged=unacknowledged,
        status=status,
    )


def _diff_context(plan: TreatmentPlan) -> dict:
    """What changed from the version this one amends, as it was signed."""
    if not plan.previous_id:
        return {"diff": None}
    before = plan.previous.signed_content or treatment_plan_content(plan.previous)
    diff = plan_version_diff(before, treatment_plan_content(plan))
    sections = [
        ("Medications", diff.medications),
        ("Behavioral components", diff.behavioral),
        ("Problems", diff.problems),
    ]
    return {"diff": diff, "diff_sections": sections}


@policy(Perm.PLAN_APPROVE)
@require_POST
def plan_request_changes(request: HttpRequest, patient_id: UUID, plan_id: UUID) -> HttpResponse:
    """The reviewer returns the submitted plan to its author, saying what should change."""
    patient, plan = plan_for_page(request, patient_id, plan_id, Perm.PLAN_APPROVE, write=True)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what should change.")
        return redirect("intake:plan-review", patient_id=patient.pk, plan_id=plan.pk)
    with service_errors(form) as refused:
        treatment_plan_request_changes(
            actor=request.user, plan=plan, comment=form.cleaned_data["comment"]
        )
    if refused.was(RuleViolation):
        # The comment comes back on the review page with why it was refused.
        return _render_review(
            request, patient, plan, form=ApproveForm(), comment_form=form, status=403
        )
    if refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Returned to the author with your comments.")
    return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)


@policy(Perm.PLAN_WRITE)
@require_POST
def plan_amend(request: HttpRequest, patient_id: UUID, plan_id: UUID) -> HttpResponse:
    """A new draft version of the active signed plan, with the reason for amending it."""
    patient, plan = plan_for_page(request, patient_id, plan_id, Perm.PLAN_WRITE, write=True)
    with refusal_messages(request) as refused:
        form = _filled(AmendForm(request.POST), "Give the reason for the amendment.")
        draft = treatment_plan_amend(
            actor=request.user, plan=plan, reason=form.cleaned_data["reason"]
        )
    if refused:
        return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    messages.success(request, f"Version {draft.version} started as a draft.")
    return redirect("intake:plan-edit", patient_id=patient.pk, plan_id=draft.pk)


@policy(Perm.PLAN_VIEW)
def plan_pdf(request: HttpRequest, patient_id: UUID, plan_id: UUID) -> HttpResponse:
    from intake.plan_pdf import render_plan_pdf

    patient, plan = resolvers.resolve_plan(
        request.user,
        plan_id,
        Perm.PLAN_VIEW,
        patient_id=patient_id,
        action=AuditAction.EXPORT,
        audit_allowed=False,
        with_content=True,
    )
    if not plan.is_signed:
        messages.info(request, "Only a signed version prints; this one is not signed yet.")
        return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        patient=patient,
        obj=plan,
        detail={"format": "pdf"},
    )
    response = HttpResponse(render_plan_pdf(plan), content_type="application/pdf")
    # An opaque file name: no patient name in downloads folders or proxy logs.
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-v{plan.version}.pdf"'
    return response


@policy(Perm.PLAN_WRITE)
@require_POST
def plan_progress_note(
    request: HttpRequest, patient_id: UUID, plan_id: UUID, component_id: int
) -> HttpResponse:
    patient, plan = plan_for_page(request, patient_id, plan_id, Perm.PLAN_WRITE, write=True)
    component = plan_component_get(plan=plan, component_id=component_id)
    if component is None:
        raise Http404("No such component.")
    with refusal_messages(request) as refused:
        form = _filled(ProgressNoteForm(request.POST), "Choose the progress and write the note.")
        plan_progress_note_add(actor=request.user, component=component, **form.cleaned_data)
    if not refused:
        messages.success(request, "Progress note added.")
    return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
