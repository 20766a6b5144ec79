"""Vital-sign pages: recording a set for a patient, and acknowledging a critical value (from
the chart or the worklist). The chart shows the latest values and trends
(selectors.vital_signs.vital_signs_chart_section)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from intake import resolvers
from intake.access import Perm
from intake.exceptions import RecordSigned
from intake.forms.vital_signs import VitalSignAlertAcknowledgeForm, VitalSignsForm
from intake.models import AuditAction, Patient
from intake.selectors.vital_signs import alert_text, readings
from intake.services.vital_signs import vital_sign_alert_acknowledge, vital_signs_record
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
