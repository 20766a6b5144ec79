from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from intake import access, resolvers
from intake.access import Perm
from intake.exceptions import RuleViolation
from intake.forms.assessment import AssessmentForm, DiagnosisForm, SafetyFollowUpForm
from intake.models import AuditAction, InstrumentCode, Patient, VitalSigns
from intake.scoring import all_instruments, get_instrument
from intake.selectors.assessment import assessment_list, diagnoses_of_assessment
from intake.selectors.assessment_trend import trend_page
from intake.selectors.vital_signs import recent_heart_rate
from intake.services.assessment import (
    assessment_record,
    assessment_record_safety_follow_up,
    diagnosis_record,
)
from intake.views.decorators import policy
from intake.views.patient import back_to_chart
from intake.views.service_errors import refusal_messages, service_errors
from intake.vital_signs_rules import cows_pulse_points


def _instrument_or_404(code: str):
    try:
        return get_instrument(code)
    except KeyError:
        raise Http404("No such instrument.") from None


@policy(Perm.ASSESSMENT_VIEW)
def assessment_index(request: HttpRequest, patient_id) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user, patient_id, Perm.ASSESSMENT_VIEW, object_type="assessment-list"
    )
    return render(
        request,
        "intake/assessment_index.html",
        {
            "patient": patient,
            "instruments": all_instruments(),
            "assessments": assessment_list(patient=patient)[:100],
            "can_record": access.can(request.user, Perm.ASSESSMENT_RECORD, patient),
        },
    )


@policy(Perm.ASSESSMENT_RECORD)
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, patient_id: UUID, instrument: str) -> HttpResponse:
    definition = _instrument_or_404(instrument)
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.ASSESSMENT_RECORD,
        action=AuditAction.CREATE if request.method == "POST" else AuditAction.READ,
        audit_allowed=request.method == "GET",
        object_type="assessment",
    )
    form = AssessmentForm(request.POST or None, instrument=definition)
    pulse = _cows_pulse(form, patient) if definition.code == "cows" else None
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as refused:
            assessment = assessment_record(
                actor=request.user,
                patient=patient,
                instrument=definition.code,
                answers=form.answers(),
                administered_at=form.cleaned_data["administered_at"],
                item_notes=form.item_notes(),
                recommended_level=form.cleaned_data.get("recommended_level", ""),
            )
        if not refused:
            return redirect(
                "intake:assessment-detail", patient_id=patient.pk, assessment_id=assessment.pk
            )
    return render(
        request,
        "intake/assessment_form.html",
        {"patient": patient, "instrument": definition, "form": form, "pulse": pulse},
    )


def _cows_pulse(form: AssessmentForm, patient: Patient) -> VitalSigns | None:
    """A heart rate recorded in the last 15 minutes answers COWS item 1 (resting pulse) on a
    new form; the clinician may still change it."""
    vitals = recent_heart_rate(patient=patient, now=timezone.now())
    if vitals is not None and vitals.heart_rate is not None and not form.is_bound:
        form.initial["item_1"] = str(cows_pulse_points(vitals.heart_rate))
    return vitals


@policy(Perm.ASSESSMENT_VIEW)
def assessment_detail(request: HttpRequest, patient_id, assessment_id) -> HttpResponse:
    patient, assessment = resolvers.resolve_assessment(
        request.user, assessment_id, Perm.ASSESSMENT_VIEW, patient_id=patient_id
    )
    definition = _instrument_or_404(assessment.instrument)
    rows = []
    for item in definition.items:
        value = assessment.answers.get(item.key)
        try:
            option = item.option(value)
        except KeyError:  # scored with another version of the definition
            option = None
        rows.append(
            {
                "item": item,
                "value": value,
                "option": option,
                "note": assessment.item_notes.get(item.key, ""),
            }
        )
    return render(
        request,
        "intake/assessment_detail.html",
        {
            "patient": patient,
            "assessment": assessment,
            "instrument": definition,
            "band": _band_label(definition, assessment.band),
            "rows": rows,
            "diagnoses": diagnoses_of_assessment(assessment=assessment),
            "safety_form": SafetyFollowUpForm() if assessment.open_safety_alerts else None,
            "can_follow_up": access.can(request.user, Perm.SAFETY_ASSESS, patient),
            "can_diagnose_role": access.can(request.user, Perm.DIAGNOSIS_RECORD, patient),
            "diagnosis_refusal": access.diagnosis_refusal(request.user),
        },
    )


def _band_label(definition, code: str) -> str:
    try:
        return definition.band(code).label
    except KeyError:
        return code


@policy(Perm.SAFETY_ASSESS)
@require_POST
def assessment_safety_follow_up(
    request: HttpRequest, patient_id: UUID, assessment_id: UUID
) -> HttpResponse:
    patient, assessment = resolvers.resolve_assessment(
        request.user,
        assessment_id,
        Perm.SAFETY_ASSESS,
        patient_id=patient_id,
        action=AuditAction.UPDATE,
        audit_allowed=False,
    )
    form = SafetyFollowUpForm(request.POST)
    if form.is_valid():
        with refusal_messages(request) as refused:
            assessment_record_safety_follow_up(
                actor=request.user, assessment=assessment, note=form.cleaned_data["note"]
            )
        if not refused:
            messages.success(request, "Safety assessment recorded; the alert is cleared.")
    else:
        messages.error(request, "Describe the safety assessment before saving.")
    return redirect("intake:assessment-detail", patient_id=patient.pk, assessment_id=assessment.pk)


@policy(Perm.ASSESSMENT_VIEW)
def assessment_history_view(
    request: HttpRequest, patient_id: UUID, instrument: str
) -> HttpResponse:
    """An instrument's trend (docs/clinical-rules.md#trends), at /trends/<instrument>/ and its
    older address under assessments/history/."""
    definition = _instrument_or_404(instrument)
    patient = resolvers.resolve_patient(
        request.user, patient_id, Perm.ASSESSMENT_VIEW, object_type="assessment-history"
    )
    return render(
        request,
        "intake/assessment_history.html",
        {
            "patient": patient,
            "instrument": definition,
            **trend_page(patient=patient, instrument=definition),
            "can_record": access.can(request.user, Perm.ASSESSMENT_RECORD, patient),
        },
    )


@policy(Perm.DIAGNOSIS_RECORD)
@require_http_methods(["GET", "POST"])
def diagnosis_create(request: HttpRequest, patient_id: UUID, assessment_id: UUID) -> HttpResponse:
    patient, assessment = resolvers.resolve_assessment(
        request.user,
        assessment_id,
        Perm.DIAGNOSIS_RECORD,
        patient_id=patient_id,
        action=AuditAction.CREATE if request.method == "POST" else AuditAction.READ,
        audit_allowed=request.method == "GET",
        object_type="diagnosis",
    )
    if assessment.instrument != InstrumentCode.DSM5_OUD:
        raise Http404("Not a DSM-5 criteria assessment.")
    refusal = access.diagnosis_refusal(request.user)
    if refusal and request.method == "GET":
        raise PermissionDenied(refusal)
    form = DiagnosisForm(request.POST or None)
    status = 200
    if refusal:
        # Refused, not lost: what was chosen comes back with why (403, nothing stored).
        form.is_valid()
        form.add_error(None, refusal)
        status = 403
    elif request.method == "POST" and form.is_valid():
        with service_errors(form) as refused:
            diagnosis = diagnosis_record(
                actor=request.user, patient=patient, assessment=assessment, **form.cleaned_data
            )
        if refused.was(RuleViolation):
            status = 403
        elif not refused:
            return back_to_chart(request, patient.pk, f"Diagnosis recorded: {diagnosis.icd10}.")
    return render(
        request,
        "intake/diagnosis_form.html",
        {
            "patient": patient,
            "assessment": assessment,
            "form": form,
            "can_diagnose": not refusal and status != 403,
        },
        status=status,
    )
