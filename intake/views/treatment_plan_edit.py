"""The treatment plan form: writing a new draft plan and editing a draft version (its
medications, behavioral components and problems on one page)."""

import json
import re
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from intake import access
from intake.access import Perm
from intake.exceptions import RecordSigned, StaleVersion
from intake.forms.treatment_plan import (
    PLAN_BEHAVIORAL_SETTING,
    BehavioralFormSet,
    MedicationFormSet,
    PlanForm,
    ProblemFormSet,
    behavioral_setting_for,
    initial_from_plan,
    plan_setting_for,
)
from intake.models import DraftKind, Patient, TreatmentPlan
from intake.selectors.patient import episode_current
from intake.services.treatment_plan import (
    treatment_plan_content,
    treatment_plan_create,
    treatment_plan_update,
)
from intake.views.decorators import policy
from intake.views.form_draft import forget_saved_draft
from intake.views.service_errors import Place, service_errors
from intake.views.treatment_plan import plan_for_page, plan_patient

PlanForms = tuple[PlanForm, MedicationFormSet, BehavioralFormSet, ProblemFormSet]


def _forms(
    request: HttpRequest, plan: TreatmentPlan | None = None, *, patient: Patient | None = None
) -> PlanForms:
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


def _service_data(
    form: PlanForm, meds: MedicationFormSet, comps: BehavioralFormSet, problems: ProblemFormSet
) -> dict:
    return {
        **form.plan_data(),
        "medications": [line for f in meds.kept() for line in [f.line()] if line],
        "behavioral": [c for f in comps.kept() for c in [f.component()] if c],
        "problems": [p for f in problems.kept() for p in [f.problem()] if p],
    }


_MEDICATION_KEY = re.compile(r"^medications\[(\d+)\]\.(\w+)$")


def _on_plan_fields(forms: PlanForms) -> Place:
    """The service's errors on the fields they name: `medications[i].dose` goes to the dose of
    the i-th medication line the page sent (blank rows are not sent), the rest on the form."""
    form, meds, _comps, _problems = forms

    def place(errors: dict[str, list[str]]) -> None:
        lines = [f for f in meds if f.line()]
        for key, msgs in errors.items():
            match = _MEDICATION_KEY.match(key)
            if match and int(match[1]) < len(lines) and match[2] in lines[int(match[1])].fields:
                lines[int(match[1])].add_error(match[2], msgs)
            else:
                form.add_error(None, msgs)

    return place


def _render_form(
    request: HttpRequest,
    patient: Patient,
    plan: TreatmentPlan | None,
    forms: PlanForms,
    *,
    conflict: dict | None = None,
) -> HttpResponse:
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


@policy(Perm.PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = plan_patient(request, patient_id, Perm.PLAN_WRITE, write=request.method == "POST")
    forms = _forms(request, patient=patient)
    if request.method == "POST" and all(f.is_valid() for f in forms):
        with service_errors(forms[0], place=_on_plan_fields(forms)) as refused:
            plan = treatment_plan_create(
                actor=request.user, patient=patient, data=_service_data(*forms)
            )
        if not refused:
            forget_saved_draft(request, patient, DraftKind.PLAN)
            messages.success(request, "Draft plan saved.")
            return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    return _render_form(request, patient, None, forms)


@policy(Perm.PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, patient_id: UUID, plan_id: UUID) -> HttpResponse:
    patient, plan = plan_for_page(
        request, patient_id, plan_id, Perm.PLAN_WRITE, write=request.method == "POST"
    )
    if not plan.is_editable:
        messages.warning(request, "This version can no longer be edited; amend it instead.")
        return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    forms = _forms(request, plan)
    conflict = None
    if request.method == "POST" and all(f.is_valid() for f in forms):
        with service_errors(
            forms[0], place=_on_plan_fields(forms), apart=(StaleVersion,)
        ) as refused:
            treatment_plan_update(
                actor=request.user,
                plan=plan,
                data=_service_data(*forms),
                revision=forms[0].cleaned_data.get("revision"),
            )
        if isinstance(refused.error, StaleVersion):
            # Keep what this person typed; show what the other person saved beside it.
            current = refused.error.current
            conflict = {
                "message": refused.message,
                "current": treatment_plan_content(current),
                "by": current.updated_by,
                "at": current.updated_at,
            }
        elif refused.was(RecordSigned):
            messages.error(request, refused.message)
            return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
        elif not refused:
            forget_saved_draft(request, patient, DraftKind.PLAN, plan)
            messages.success(request, "Draft saved.")
            return redirect("intake:plan-detail", patient_id=patient.pk, plan_id=plan.pk)
    return _render_form(request, patient, plan, forms, conflict=conflict)
