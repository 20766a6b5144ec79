"""Discarding a draft interview or plan version (docs/drafts.md): a confirmation page (GET),
then the discard (POST). A record that was signed or submitted is refused with 409 and says
why; the record stays."""

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from intake import access, resolvers
from intake.access import Perm
from intake.models import AuditAction, AuditOutcome, Patient
from intake.services.audit import audit_record
from intake.services.record_discard import interview_discard, plan_discard
from intake.views.decorators import policy
from intake.views.service_errors import service_errors


def _confirm(request, patient, *, what, details, back, refusal=None, status=200):
    return render(
        request,
        "intake/record_discard.html",
        {
            "patient": patient,
            "what": what,
            "details": details,
            "back": back,
            "refusal": refusal,
        },
        status=status,
    )


def _refused(request, patient, record):
    # A refused discard is an attempt at deleting patient data: on the audit log like the
    # refusals of the resolvers.
    audit_record(
        actor=request.user,
        action=AuditAction.DELETE if request.method == "POST" else AuditAction.READ,
        outcome=AuditOutcome.DENIED if request.method == "POST" else AuditOutcome.ALLOWED,
        patient=patient,
        obj=record,
        detail={"reason": "signed-or-submitted", "page": "discard"},
    )


def _discard(
    request: HttpRequest,
    patient: Patient,
    record: Model,
    discard: Callable[[], object],
    *,
    what: str,
    details: list[tuple[str, object]],
    back: str,
    done: str,
    discardable: bool,
) -> HttpResponse:
    if not discardable:
        _refused(request, patient, record)
        refusal = f"This {what} was signed or submitted: it stays on the record."
        return _confirm(
            request, patient, what=what, details=details, back=back, refusal=refusal, status=409
        )
    if request.method == "GET":
        # The confirmation shows the record (who, when, what it holds): a read.
        audit_record(
            actor=request.user,
            action=AuditAction.READ,
            patient=patient,
            obj=record,
            detail={"page": "discard"},
        )
    if request.method == "POST":
        with service_errors(forbid=True) as refused:
            discard()
        if refused:
            _refused(request, patient, record)
            return _confirm(
                request,
                patient,
                what=what,
                details=details,
                back=back,
                refusal=refused.message,
                status=409,
            )
        messages.success(request, f"Draft {what} discarded.")
        return redirect(done)
    return _confirm(request, patient, what=what, details=details, back=back)


@policy(Perm.INTERVIEW_WRITE)
@require_http_methods(["GET", "POST"])
def interview_discard_view(request: HttpRequest, patient_id, interview_id) -> HttpResponse:
    patient, interview = resolvers.resolve_interview_to_discard(
        request.user, interview_id, patient_id=patient_id
    )
    return _discard(
        request,
        patient,
        interview,
        lambda: interview_discard(actor=request.user, interview=interview),
        what="interview",
        details=[
            ("Started", interview.created_at),
            ("By", interview.author.get_full_name() or interview.author.get_username()),
            ("Substances recorded", interview.substances.count()),
        ],
        back=reverse("intake:interview-detail", args=[patient.pk, interview.pk]),
        done=reverse("intake:patient-detail", args=[patient.pk]),
        discardable=access.interview_is_discardable(interview),
    )


@policy(Perm.PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_discard_view(request: HttpRequest, patient_id, plan_id) -> HttpResponse:
    patient, plan = resolvers.resolve_plan_to_discard(request.user, plan_id, patient_id=patient_id)
    author = plan.created_by
    return _discard(
        request,
        patient,
        plan,
        lambda: plan_discard(actor=request.user, plan=plan),
        what="plan version",
        details=[
            ("Version", plan.version),
            ("Started", plan.created_at),
            ("By", (author.get_full_name() or author.get_username()) if author else "—"),
            ("Medications", plan.medications.count()),
            ("Behavioral components", plan.behavioral.count()),
        ],
        back=reverse("intake:plan-detail", args=[patient.pk, plan.pk]),
        done=reverse("intake:plan-list", args=[patient.pk]),
        discardable=access.plan_is_discardable(plan),
    )
