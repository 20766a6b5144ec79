"""The staff side of patient self-report (docs/clinical-rules.md#self-report): issuing a link
and tablet code (shown this once: only their hashes are stored), and reviewing what the patient
answered: each answer in the questionnaire's words with the score it would get, accepted into
the record or rejected with a reason. The chart's "Patient self-report" panel links here."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from intake import resolvers
from intake.access import Perm
from intake.exceptions import SelfReportReviewed
from intake.forms.self_report import SelfReportIssueForm, SelfReportRejectForm
from intake.models import AuditAction
from intake.selectors.self_report import pending_view
from intake.services.audit import audit_record
from intake.services.self_report import (
    pending_assessment_accept,
    pending_assessment_reject,
    self_report_link_issue,
)
from intake.views.decorators import policy
from intake.views.service_errors import refusal_messages, service_errors


@policy(Perm.SELF_REPORT_ISSUE)
@require_http_methods(["GET", "POST"])
def self_report_issue_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.SELF_REPORT_ISSUE,
        action=AuditAction.CREATE if writing else AuditAction.READ,
        audit_allowed=not writing,
        object_type="self-report-link",
    )
    form = SelfReportIssueForm(request.POST if writing else None)
    if writing and form.is_valid():
        with service_errors(form) as refused:
            issued = self_report_link_issue(
                actor=request.user,
                patient=patient,
                instruments=form.cleaned_data["instruments"],
            )
        if not refused:
            path = reverse("intake:self-report-page", args=[issued.token])
            return render(
                request,
                "intake/self_report/issued.html",
                {
                    "patient": patient,
                    "issued": issued,
                    "url": request.build_absolute_uri(path),
                    "tablet_url": request.build_absolute_uri(reverse("intake:self-report-tablet")),
                    "title": "Self-report link issued",
                },
                status=201,
            )
    return render(
        request,
        "intake/self_report/issue.html",
        {"patient": patient, "form": form, "title": "Patient self-report"},
        status=400 if writing else 200,
    )


def _review_page(
    request: HttpRequest, patient, pending, reject_form: SelfReportRejectForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "intake/self_report/review.html",
        {
            "patient": patient,
            "view": pending_view(pending),
            "reject_form": reject_form,
            "title": "Review the patient's answers",
        },
        status=status,
    )


@policy(Perm.SELF_REPORT_REVIEW)
@require_http_methods(["GET"])
def pending_review_view(request: HttpRequest, patient_id: UUID, pending_id: UUID) -> HttpResponse:
    patient, pending = resolvers.resolve_pending_assessment(
        request.user, pending_id, Perm.SELF_REPORT_REVIEW, patient_id=patient_id
    )
    return _review_page(request, patient, pending, SelfReportRejectForm())


@policy(Perm.SELF_REPORT_REVIEW)
@require_POST
def pending_accept_view(request: HttpRequest, patient_id: UUID, pending_id: UUID) -> HttpResponse:
    patient, pending = resolvers.resolve_pending_assessment(
        request.user,
        pending_id,
        Perm.SELF_REPORT_REVIEW,
        patient_id=patient_id,
        action=AuditAction.UPDATE,
        audit_allowed=False,
    )
    with refusal_messages(request) as refused:
        assessment = pending_assessment_accept(actor=request.user, pending=pending)
    if refused:
        return redirect("intake:self-report-review", patient_id=patient.pk, pending_id=pending.pk)
    messages.success(request, "Accepted into the record as the patient's own answers.")
    return redirect("intake:assessment-detail", patient_id=patient.pk, assessment_id=assessment.pk)


@policy(Perm.SELF_REPORT_REVIEW)
@require_POST
def pending_reject_view(request: HttpRequest, patient_id: UUID, pending_id: UUID) -> HttpResponse:
    patient, pending = resolvers.resolve_pending_assessment(
        request.user,
        pending_id,
        Perm.SELF_REPORT_REVIEW,
        patient_id=patient_id,
        action=AuditAction.UPDATE,
        audit_allowed=False,
    )
    form = SelfReportRejectForm(request.POST)
    if form.is_valid():
        with service_errors(form, apart=(SelfReportReviewed,)) as refused:
            pending_assessment_reject(
                actor=request.user, pending=pending, reason=form.cleaned_data["reason"]
            )
        if not refused or refused.was(SelfReportReviewed):
            if refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, "Rejected; the answers stay out of the record.")
            return redirect("intake:patient-detail", patient_id=patient.pk)
    # The answers are shown again beside the refusal: audited as the read a GET is.
    audit_record(actor=request.user, action=AuditAction.READ, patient=patient, obj=pending)
    return _review_page(request, patient, pending, form, status=400)
