"""Vital-sign pages: every set of a patient, recording a set, marking one entered in error,
and acknowledging a critical value (from the chart or the worklist). The chart shows the
latest values and trends (selectors.vital_signs.vital_signs_chart_section)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from intake import access, resolvers
from intake import vital_signs_rules as rules
from intake.access import Perm
from intake.exceptions import RecordSigned
from intake.forms.vital_signs import (
    VitalSignAlertAcknowledgeForm,
    VitalSignsForm,
    VitalSignsVoidForm,
)
from intake.models import AuditAction, Patient
from intake.selectors.vital_signs import (
    HISTORY_COLUMNS,
    alert_text,
    history_rows,
    readings,
    vital_signs_history,
)
from intake.services.vital_signs import (
    vital_sign_alert_acknowledge,
    vital_signs_record,
    vital_signs_void,
)
from intake.views.decorators import policy
from intake.views.service_errors import service_errors


def _chart_vitals(patient: Patient) -> str:
    return reverse("intake:patient-detail", args=[patient.pk]) + "#vital-signs"


def _recorded_message(vitals_readings: list[str], critical: int) -> str:
    text = "Vital signs recorded: " + ", ".join(vitals_readings) + "."
    if critical:
        text += (
            f" {critical} critical value{'s' if critical != 1 else ''}: acknowledge "
            f"{'them' if critical != 1 else 'it'} on the chart once acted on."
        )
    return text


@policy(Perm.VITAL_SIGNS_RECORD)
@require_http_methods(["GET", "POST"])
def vital_signs_record_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.VITAL_SIGNS_RECORD,
        action=AuditAction.CREATE if writing else AuditAction.READ,
        audit_allowed=not writing,
        object_type="vital-signs",
    )
    form = VitalSignsForm(request.POST or None)
    if writing and form.is_valid():
        with service_errors(form) as refused:
            vitals = vital_signs_record(
                actor=request.user,
                patient=patient,
                taken_at=form.cleaned_data["taken_at"],
                values=form.measures(),
            )
        if not refused:
            shown = [
                f"{r.label.lower() if r.code != 'spo2' else 'SpO2'} {r.text}"
                + (f" ({r.flag_word.lower()})" if r.flag_word else "")
                for r in readings(vitals)
            ]
            level = messages.WARNING if vitals.open_alerts else messages.SUCCESS
            messages.add_message(request, level, _recorded_message(shown, len(vitals.open_alerts)))
            return redirect(_chart_vitals(patient))
    return render(
        request,
        "intake/vital_signs_form.html",
        {"patient": patient, "form": form, "title": "Record vital signs"},
    )


@policy(Perm.VITAL_SIGNS_ALERT_ACK)
@require_http_methods(["GET", "POST"])
def vital_sign_alert_acknowledge_view(
    request: HttpRequest, patient_id: UUID, vital_alert_id: UUID
) -> HttpResponse:
    writing = request.method == "POST"
    patient, alert = resolvers.resolve_vital_sign_alert(
        request.user,
        vital_alert_id,
        Perm.VITAL_SIGNS_ALERT_ACK,
        patient_id=patient_id,
        action=AuditAction.UPDATE if writing else AuditAction.READ,
        audit_allowed=not writing,
    )
    alert.text = alert_text(alert)
    form = VitalSignAlertAcknowledgeForm(request.POST or None)
    if writing and form.is_valid():
        with service_errors(form, field="note") as refused:
            vital_sign_alert_acknowledge(
                actor=request.user, alert=alert, note=form.cleaned_data["note"]
            )
        if refused.was(RecordSigned):
            messages.info(request, refused.message)
            return redirect(_chart_vitals(patient))
        if not refused:
            messages.success(request, "Critical vital sign acknowledged.")
            return redirect(_chart_vitals(patient))
    return render(
        request,
        "intake/vital_sign_alert_acknowledge.html",
        {
            "patient": patient,
            "alert": alert,
            "form": form,
            "title": "Acknowledge a critical vital sign",
        },
    )


SETS_PER_PAGE = 25


def _list_url(patient: Patient) -> str:
    return reverse("intake:vital-signs-list", args=[patient.pk])


@policy(Perm.VITAL_SIGNS_VIEW)
@require_http_methods(["GET"])
def vital_signs_list_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user, patient_id, Perm.VITAL_SIGNS_VIEW, object_type="vital-signs"
    )
    page = Paginator(vital_signs_history(patient=patient), SETS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "intake/vital_signs_list.html",
        {
            "patient": patient,
            "page": page,
            "rows": history_rows(page.object_list),
            "columns": [
                (heading, "0–10" if code == "pain" else rules.MEASURES[code].unit)
                for code, heading in HISTORY_COLUMNS
            ],
            "can_record": access.can(request.user, Perm.VITAL_SIGNS_RECORD, patient),
            "title": "Vital signs",
        },
    )


@policy(Perm.VITAL_SIGNS_RECORD)
@require_http_methods(["GET", "POST"])
def vital_signs_void_view(request: HttpRequest, patient_id: UUID, vitals_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    patient, vitals = resolvers.resolve_vital_signs(
        request.user,
        vitals_id,
        Perm.VITAL_SIGNS_RECORD,
        patient_id=patient_id,
        action=AuditAction.UPDATE if writing else AuditAction.READ,
        audit_allowed=not writing,
    )
    form = VitalSignsVoidForm(request.POST or None)
    if writing and form.is_valid():
        with service_errors(form, field="reason") as refused:
            vital_signs_void(actor=request.user, vitals=vitals, reason=form.cleaned_data["reason"])
        if refused.was(RecordSigned):
            messages.info(request, refused.message)
            return redirect(_list_url(patient))
        if not refused:
            messages.success(request, "Marked as entered in error. Record the right reading anew.")
            return redirect(_list_url(patient))
    return render(
        request,
        "intake/vital_signs_void.html",
        {
            "patient": patient,
            "vitals": vitals,
            "readings": readings(vitals),
            "form": form,
            "title": "Mark vital signs as entered in error",
        },
    )
