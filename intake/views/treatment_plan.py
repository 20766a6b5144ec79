import json
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from intake import access, resolvers
from intake.access import Perm
from intake.exceptions import RecordSigned, RuleViolation, StaleVersion, UnacknowledgedWarnings
from intake.forms.treatment_plan import (
    PLAN_BEHAVIORAL_SETTING,
    AmendForm,
    ApproveForm,
    BehavioralFormSet,
    CommentForm,
    MedicationFormSet,
    PlanForm,
    ProblemFormSet,
    ProgressNoteForm,
    behavioral_setting_for,
    initial_from_plan,
    plan_setting_for,
)
from intake.models import AuditAction, DraftKind
from intake.selectors.patient import episode_current
from intake.selectors.plan_diff import plan_version_diff
from intake.selectors.treatment_plan import plan_component_get, plan_list, review_evidence
from intake.services.audit import audit_record
from intake.services.treatment_plan import (
    needs_physician,
    plan_progress_note_add,
    treatment_plan_amend,
    treatment_plan_approve,
    treatment_plan_check,
    treatment_plan_content,
    treatment_plan_create,
    treatment_plan_request_changes,
    treatment_plan_submit,
    treatment_plan_update,
    treatment_plan_verify,
)
from intake.views.decorators import policy
from intake.views.form_draft import forget_saved_draft


def _plan(request, patient_id, plan_id, perm, *, write=False):
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


def _patient(request, patient_id, perm, *, write=False, object_type="treatment-plan"):
    return resolvers.resolve_patient(
        request.user,
        patient_id,
        perm,
        action=AuditAction.UPDATE if write else AuditAction.READ,
        audit_allowed=not write,
        object_type=object_type,
    )


def _forms(request, plan=None, *, patient=None):
    if request.method == "POST":
        data = request.POST
        setting = {"default_setting": behavioral_setting_for(data.get("setting"))}
        return (
            PlanForm(data),
            MedicationFormSet(data, prefix="med"),
            BehavioralFormSet(data, prefix="beh", form_kwargs=setting),
            ProblemFormSet(data, prefix="prob"),
        )
    if plan is None:
        # A new plan starts in the setting of the program the patient is admitted to.
        plan_setting = plan_setting_for(episode_current(patient=patient))
        setting = {"default_setting": behavioral_setting_for(plan_setting)}
        return (
            PlanForm(initial={"setting": plan_setting}),
            MedicationFormSet(prefix="med"),
            BehavioralFormSet(prefix="beh", form_kwargs=setting),
            ProblemFormSet(prefix="prob"),
        )
    plan_initial, meds, comps, problems = initial_from_plan(plan)
    setting = {"default_setting": behavioral_setting_for(plan.setting)}
    return (
        PlanForm(initial=plan_initial),
        MedicationFormSet(initial=meds, prefix="med"),
        BehavioralFormSet(initial=comps, prefix="beh", form_kwargs=setting),
        ProblemFormSet(initial=problems, prefix="prob"),
    )


def _service_data(form, meds, comps, problems) -> dict:
    return {
        **form.plan_data(),
        "medications": [line for f in meds.kept() for line in [f.line()] if line],
        "behavioral": [c for f in comps.kept() for c in [f.component()] if c],
        "problems": [p for f in problems.kept() for p in [f.problem()] if p],
    }


_MEDICATION_KEY = re.compile(r"^medications\[(\d+)\]\.(\w+)$")


def _add_service_errors(forms, exc: ValidationError) -> None:
    """The service's errors on the fields they name: `medications[i].dose` goes to the dose of
    the i-th medication line the page sent (blank rows are not sent), the rest on the form."""
    form, meds, _comps, _problems = forms
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    lines = [f for f in meds if f.line()]
    for key, errors in exc.message_dict.items():
        match = _MEDICATION_KEY.match(key)
        if match and int(match[1]) < len(lines) and match[2] in lines[int(match[1])].fields:
            lines[int(match[1])].add_error(match[2], errors)
        else:
            form.add_error(None, errors)


def _render_form(request, patient, plan, forms, *, conflict=None):
    form, meds, comps, problems = forms
    return render(
        request,
        "intake/plan_form.html",
        {
            "patient": patient,
            "plan": plan,
            "form": form,
            "meds": meds,
            "comps": comps,
            "problems": problems,
            "conflict": conflict,
            "may_prescribe": access.can_change_medication_line(request.user),
            # plan_form.js: the setting a new behavioral row takes for each plan setting.
            "behavioral_settings": json.dumps(PLAN_BEHAVIORAL_SETTING),
        },
    )


@policy(Perm.PLAN_VIEW)
def plan_index(request: HttpRequest, patient_id) -> HttpResponse:
    patient = _patient(request, patient_id, Perm.PLAN_VIEW, object_type="treatment-plan-list")
    return render(
        request,
        "intake/plan_list.html",
        {
            "patient": patient,
            "plans": plan_list(patient=patient),
            "can_write": access.can(request.user, Perm.PLAN_WRITE, patient),
        },
    )


@policy(Perm.PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, patient_id) -> HttpResponse:
    patient = _patient(request, patient_id, Perm.PLAN_WRITE, write=request.method == "POST")
    forms = _forms(request, patient=patient)
    if request.method == "POST" and all(f.is_valid() for f in forms):
        try:
            plan = treatment_plan_create(
                actor=request.user, patient=patient, data=_service_data(*forms)
            )
        except RuleViolation as exc:
            forms[0].add_error(None, str(exc))
        except ValidationError as exc:
            _add_service_errors(forms, exc)
        else:
            forget_saved_draft(request, patient, DraftKind.PLAN)
            messages.success(request, "Draft plan saved.")
            return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    return _render_form(request, patient, None, forms)


@policy(Perm.PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, patient_id, plan_id) -> HttpResponse:
    patient, plan = _plan(
        request, patient_id, plan_id, Perm.PLAN_WRITE, write=request.method == "POST"
    )
    if not plan.is_editable:
        messages.warning(request, "This version can no longer be edited; amend it instead.")
        return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    forms = _forms(request, plan)
    conflict = None
    if request.method == "POST" and all(f.is_valid() for f in forms):
        try:
            treatment_plan_update(
                actor=request.user,
                plan=plan,
                data=_service_data(*forms),
                revision=forms[0].cleaned_data.get("revision"),
            )
        except StaleVersion as exc:
            # Keep what this person typed; show what the other person saved beside it.
            conflict = {
                "message": str(exc),
                "current": treatment_plan_content(exc.current),
                "by": exc.current.updated_by,
                "at": exc.current.updated_at,
            }
        except RecordSigned as exc:
            messages.error(request, str(exc))
            return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
        except RuleViolation as exc:
            forms[0].add_error(None, str(exc))
        except ValidationError as exc:
            _add_service_errors(forms, exc)
        else:
            forget_saved_draft(request, patient, DraftKind.PLAN, plan)
            messages.success(request, "Draft saved.")
            return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    return _render_form(request, patient, plan, forms, conflict=conflict)


@policy(Perm.PLAN_VIEW)
def plan_detail(request: HttpRequest, patient_id, plan_id) -> HttpResponse:
    patient, plan = _plan(request, patient_id, plan_id, Perm.PLAN_VIEW)
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
            "amend_form": AmendForm(),
            "progress_form": ProgressNoteForm() if plan.status == "active" else None,
            "current_warnings": treatment_plan_check(plan) if plan.is_editable else None,
        },
    )


@policy(Perm.PLAN_WRITE)
@require_POST
def plan_submit(request: HttpRequest, patient_id, plan_id) -> HttpResponse:
    patient, plan = _plan(request, patient_id, plan_id, Perm.PLAN_WRITE, write=True)
    try:
        plan = treatment_plan_submit(actor=request.user, plan=plan)
    except (RecordSigned, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"Submitted for review with {len(plan.warnings)} warning(s).")
    return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)


def _render_review(
    request, patient, plan, *, form, comment_form=None, acks=None, unacknowledged=(), status=200
):
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
            **_diff_context(plan),
        },
        status=status,
    )


@policy(Perm.PLAN_APPROVE)
@require_http_methods(["GET", "POST"])
def plan_review(request: HttpRequest, patient_id, plan_id) -> HttpResponse:
    """The physician's review: the plan beside the latest COWS, drug screen, QTc and liver
    tests; approve and sign (acknowledging each warning) or request changes."""
    patient, plan = _plan(
        request, patient_id, plan_id, Perm.PLAN_APPROVE, write=request.method == "POST"
    )
    if plan.status != "submitted":
        messages.info(request, f"Version {plan.version} is not waiting for review.")
        return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    warnings = treatment_plan_check(plan)
    form = ApproveForm(request.POST or None)
    acks = {w["code"]: request.POST.get(f"ack_{w['code']}", "") for w in warnings}
    unacknowledged = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            treatment_plan_approve(
                actor=request.user,
                plan=plan,
                password=form.cleaned_data["password"],
                otp=form.cleaned_data.get("otp"),
                acknowledged_warnings=[{"code": c, "reason": r} for c, r in acks.items()],
            )
        except UnacknowledgedWarnings as exc:
            unacknowledged = [w["code"] for w in exc.warnings]
            form.add_error(None, "Acknowledge each warning with a reason to sign.")
        except RuleViolation as exc:
            # Refused, not lost: the reasons typed for each warning come back with the why.
            form.add_error(None, str(exc))
            status = 403
        except RecordSigned as exc:
            messages.error(request, str(exc))
            return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
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


def _diff_context(plan) -> dict:
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
def plan_request_changes(request: HttpRequest, patient_id, plan_id) -> HttpResponse:
    patient, plan = _plan(request, patient_id, plan_id, Perm.PLAN_APPROVE, write=True)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what should change.")
        return redirect("intake:plan-review", patient_id=patient.pk, plan_id=plan.pk)
    try:
        treatment_plan_request_changes(
            actor=request.user, plan=plan, comment=form.cleaned_data["comment"]
        )
    except RuleViolation as exc:
        # The comment comes back on the review page with why it was refused.
        form.add_error(None, str(exc))
        return _render_review(
            request, patient, plan, form=ApproveForm(), comment_form=form, status=403
        )
    except (RecordSigned, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, "Returned to the author with your comments.")
    return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)


@policy(Perm.PLAN_WRITE)
@require_POST
def plan_amend(request: HttpRequest, patient_id, plan_id) -> HttpResponse:
    patient, plan = _plan(request, patient_id, plan_id, Perm.PLAN_WRITE, write=True)
    form = AmendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason for the amendment.")
        return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    try:
        draft = treatment_plan_amend(
            actor=request.user, plan=plan, reason=form.cleaned_data["reason"]
        )
    except (RecordSigned, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    messages.success(request, f"Version {draft.version} started as a draft.")
    return redirect("intake:plan-edit", patient_id=patient.pk, plan_id=draft.pk)


@policy(Perm.PLAN_VIEW)
def plan_pdf(request: HttpRequest, patient_id, plan_id) -> HttpResponse:
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
def plan_progress_note(request: HttpRequest, patient_id, plan_id, component_id) -> HttpResponse:
    patient, plan = _plan(request, patient_id, plan_id, Perm.PLAN_WRITE, write=True)
    component = plan_component_get(plan=plan, component_id=component_id)
    if component is None:
        raise Http404("No such component.")
    form = ProgressNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the progress and write the note.")
    else:
        try:
            plan_progress_note_add(actor=request.user, component=component, **form.cleaned_data)
        except (RecordSigned, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "Progress note added.")
    return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
