"""Lab pages: a patient's orders, ordering a panel, entering a panel's results on one screen,
an order with its history, amendments and alert acknowledgement."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from intake import access, resolvers
from intake.access import Perm
from intake.exceptions import RecordSigned
from intake.forms.lab import (
    LabAlertAcknowledgeForm,
    LabAmendForm,
    LabOrderForm,
    LabResultEntryForm,
)
from intake.models import AuditAction, DraftKind, LabOrder, OrderStatus, Patient
from intake.selectors.lab import (
    decorate_results,
    lab_alert_decorate,
    lab_current_results,
    lab_order_history,
    lab_order_list,
)
from intake.services.lab import (
    lab_alert_acknowledge,
    lab_order_create,
    lab_results_check,
    lab_results_record,
)
from intake.services.lab_amend import lab_results_amend, lab_results_amend_check
from intake.views.decorators import policy
from intake.views.form_draft import forget_saved_draft
from intake.views.service_errors import service_errors

ORDERS_PER_PAGE = 25


def _patient(
    request: HttpRequest,
    patient_id,
    perm: Perm,
    object_type: str,
    write_action: AuditAction = AuditAction.CREATE,
) -> Patient:
    """The patient for a lab page: a GET is an audited read; a POST is audited by the service
    that writes (refusals are audited by resolvers.resolve_patient either way)."""
    writing = request.method == "POST"
    return resolvers.resolve_patient(
        request.user,
        patient_id,
        perm,
        action=write_action if writing else AuditAction.READ,
        audit_allowed=not writing,
        object_type=object_type,
    )


def _patient_and_order(
    request: HttpRequest,
    patient_id: UUID,
    order_id: UUID,
    perm: Perm,
    object_type: str,
    write_action: AuditAction = AuditAction.CREATE,
) -> tuple[Patient, LabOrder]:
    """The patient and their order for a page (resolvers): a GET is audited as a read of the
    order, a POST by the service that writes."""
    writing = request.method == "POST"
    return resolvers.resolve_lab_order(
        request.user,
        order_id,
        perm,
        patient_id=patient_id,
        action=write_action if writing else AuditAction.READ,
        audit_allowed=not writing,
    )


def _chart_labs(patient: Patient) -> str:
    return reverse("intake:patient-detail", args=[patient.pk]) + "#labs"


@policy(Perm.LAB_VIEW)
def lab_list(request: HttpRequest, patient_id) -> HttpResponse:
    patient = _patient(request, patient_id, Perm.LAB_VIEW, "lab-list")
    page = Paginator(lab_order_list(patient=patient), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    decorate_results(r for order in page.object_list for r in order.current_results)
    return render(
        request,
        "intake/lab_list.html",
        {
            "patient": patient,
            "page": page,
            "can_order": access.can(request.user, Perm.LAB_ORDER, patient),
            "can_enter": access.can(request.user, Perm.LAB_RESULT_ENTER, patient),
        },
    )


@policy(Perm.LAB_ORDER)
@require_http_methods(["GET", "POST"])
def lab_order_create_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = _patient(request, patient_id, Perm.LAB_ORDER, "lab-order")
    initial = {"panel": request.GET.get("panel") or "uds"}
    if request.GET.get("priority") in ("routine", "stat"):
        initial["priority"] = request.GET["priority"]
    form = LabOrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as refused:
            order = lab_order_create(
                actor=request.user,
                patient=patient,
                panel=form.cleaned_data["panel"].code,
                priority=form.cleaned_data["priority"],
            )
        if not refused:
            messages.success(
                request, f"{order.panel.name} ordered ({order.get_priority_display()})."
            )
            return redirect("intake:lab-order-detail", patient_id=patient.pk, order_id=order.pk)
    return render(
        request,
        "intake/lab_order_form.html",
        {"form": form, "patient": patient, "title": "Order a lab"},
    )


@policy(Perm.LAB_VIEW)
def lab_order_detail(request: HttpRequest, patient_id, order_id) -> HttpResponse:
    patient, order = _patient_and_order(request, patient_id, order_id, Perm.LAB_VIEW, "lab-order")
    return render(
        request,
        "intake/lab_order_detail.html",
        {
            "patient": patient,
            "order": order,
            "history": lab_order_history(order=order),
            "can_enter": access.can(request.user, Perm.LAB_RESULT_ENTER, patient),
            "can_order": access.can(request.user, Perm.LAB_ORDER, patient),
            "can_acknowledge": access.can(request.user, Perm.LAB_ALERT_ACK, patient),
        },
    )


@policy(Perm.LAB_RESULT_ENTER)
@require_http_methods(["GET", "POST"])
def lab_result_entry(request: HttpRequest, patient_id: UUID, order_id: UUID) -> HttpResponse:
    patient, order = _patient_and_order(
        request, patient_id, order_id, Perm.LAB_RESULT_ENTER, "lab-order"
    )
    context = {"patient": patient, "order": order, "title": f"Results: {order.panel.name}"}
    if order.status in (OrderStatus.RESULTED, OrderStatus.CANCELLED):
        # Entered already: the page says so and points to the amendment.
        return render(request, "intake/lab_result_entry.html", {**context, "form": None})
    tests = list(order.panel.tests.order_by("sort_order", "code"))
    form = LabResultEntryForm(request.POST or None, tests=tests, specimen_type=order.specimen_type)
    if request.method == "POST" and not form.is_valid():
        # Report what the service would also refuse (an impossible QTc beside a blank screen),
        # so every bad field shows in this one response.
        form.add_service_errors(
            lab_results_check(
                order=order,
                collected_at=form.cleaned_data.get("collected_at"),
                observed=form.cleaned_data.get("observed", False),
                specimen_type=form.cleaned_data.get("specimen_type", ""),
                entries=form.result_entries(),
            ),
            skip_fields_in_error=True,
        )
    elif request.method == "POST":
        with service_errors(form, place=form.add_service_errors) as refused:
            recording = lab_results_record(
                actor=request.user,
                order=order,
                collected_at=form.cleaned_data["collected_at"],
                observed=form.cleaned_data["observed"],
                specimen_type=form.cleaned_data["specimen_type"],
                entries=form.result_entries(),
            )
        if refused.was(RecordSigned):
            messages.error(request, refused.message)
            return redirect("intake:lab-order-detail", patient_id=patient.pk, order_id=order.pk)
        if not refused:
            forget_saved_draft(request, patient, DraftKind.LAB_PANEL, order)
            messages.success(request, _saved_message(recording, "Results saved"))
            return redirect("intake:lab-order-detail", patient_id=patient.pk, order_id=order.pk)
    return render(request, "intake/lab_result_entry.html", {**context, "form": form})


def _saved_message(recording, prefix: str) -> str:
    status = recording.order.get_specimen_status_display().lower()
    parts = [f"{prefix}."]
    if recording.order.panel_id == "uds" and not recording.recollect_observed:
        parts.append(f"Specimen {status}.")
    unexpected = sum(1 for r in recording.results if r.expected is False)
    if unexpected:
        parts.append(f"{unexpected} unexpected drug screen result{'s' if unexpected > 1 else ''}.")
    if recording.recollect_observed:
        parts.append(
            f"Specimen {status}: the results may not be reliable; recollect under observation."
        )
    if recording.new_alerts:
        parts.append("A physician must acknowledge the alerts.")
    return " ".join(parts)


@policy(Perm.LAB_RESULT_ENTER)
@require_http_methods(["GET", "POST"])
def lab_result_amend(request: HttpRequest, patient_id: UUID, order_id: UUID) -> HttpResponse:
    patient, order = _patient_and_order(
        request,
        patient_id,
        order_id,
        Perm.LAB_RESULT_ENTER,
        "lab-order",
        write_action=AuditAction.UPDATE,
    )
    context = {"patient": patient, "order": order, "title": f"Amend results: {order.panel.name}"}
    if order.status != OrderStatus.RESULTED:
        return render(request, "intake/lab_amend.html", {**context, "form": None})
    tests = list(order.panel.tests.order_by("sort_order", "code"))
    current = lab_current_results(order=order)
    form = LabAmendForm(request.POST or None, tests=tests, current=current)
    if request.method == "POST" and not form.is_valid():
        form.add_service_errors(
            lab_results_amend_check(
                order=order,
                corrections=form.corrections(),
                reason=form.cleaned_data.get("reason", ""),
            ),
            skip_fields_in_error=True,
        )
    elif request.method == "POST":
        with service_errors(form, place=form.add_service_errors) as refused:
            recording = lab_results_amend(
                actor=request.user,
                order=order,
                corrections=form.corrections(),
                reason=form.cleaned_data["reason"],
            )
        if not refused:
            messages.success(request, _saved_message(recording, "Amendment saved"))
            return redirect("intake:lab-order-detail", patient_id=patient.pk, order_id=order.pk)
    return render(request, "intake/lab_amend.html", {**context, "form": form})


@policy(Perm.LAB_ALERT_ACK)
@require_http_methods(["GET", "POST"])
def lab_alert_acknowledge_view(
    request: HttpRequest, patient_id: UUID, alert_id: UUID
) -> HttpResponse:
    writing = request.method == "POST"
    patient, alert = resolvers.resolve_lab_alert(
        request.user,
        alert_id,
        Perm.LAB_ALERT_ACK,
        patient_id=patient_id,
        action=AuditAction.UPDATE if writing else AuditAction.READ,
        audit_allowed=not writing,
    )
    lab_alert_decorate(alert)
    form = LabAlertAcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form, field="note") as refused:
            acknowledged = lab_alert_acknowledge(
                actor=request.user, alert=alert, note=form.cleaned_data["note"]
            )
        if refused.was(RecordSigned):
            messages.info(request, refused.message)
            return redirect(_chart_labs(patient))
        if not refused:
            count = len(acknowledged)
            more = f" ({count} alerts on this result)" if count > 1 else ""
            messages.success(request, f"Alert acknowledged{more}.")
            return redirect(_chart_labs(patient))
    return render(
        request,
        "intake/lab_alert_acknowledge.html",
        {"patient": patient, "alert": alert, "form": form, "title": "Acknowledge a lab alert"},
    )
