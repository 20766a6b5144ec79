"""The physician's daily withdrawal review page (docs/clinical-rules.md#withdrawal-review): the
active plan's medication lines and monitoring beside the review form, the previous reviews and,
once completed, the completion summary. Amending opens the amendment draft's edit page."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from intake import mar_schedule as schedule
from intake import resolvers
from intake.access import Perm
from intake.forms.withdrawal_review import WithdrawalReviewForm
from intake.models import AuditAction, ReviewDecision, WithdrawalReview
from intake.selectors.flowsheet import withdrawal_flowsheet
from intake.selectors.withdrawal_review import (
    completed_summary,
    summary_view,
    withdrawal_reviews,
    withdrawal_state,
)
from intake.services.audit import audit_record
from intake.services.withdrawal_review import withdrawal_review_record
from intake.views.decorators import policy
from intake.views.service_errors import service_errors

REVIEWS_SHOWN = 30
REVIEW_FLOWSHEET_DAYS = 3

RECORDED = {
    ReviewDecision.CONTINUE: "Review recorded: continue the plan.",
    ReviewDecision.COMPLETE: "Withdrawal management completed; the summary is on the episode.",
    ReviewDecision.TRANSFER: "Transfer recorded; the summary is on the episode.",
}


def _after(review: WithdrawalReview) -> str:
    if review.amendment_id is not None:
        return reverse("intake:plan-edit", args=[review.patient_id, review.amendment_id])
    return reverse("intake:withdrawal-review", args=[review.patient_id])


@policy(Perm.WITHDRAWAL_REVIEW)
@require_http_methods(["GET", "POST"])
def withdrawal_review_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.WITHDRAWAL_REVIEW,
        action=AuditAction.CREATE if writing else AuditAction.READ,
        audit_allowed=not writing,
        object_type="withdrawal-review",
    )
    form = WithdrawalReviewForm(request.POST or None)
    if writing and form.is_valid():
        with service_errors(form) as refused:
            review = withdrawal_review_record(
                actor=request.user,
                patient=patient,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                outcome=form.cleaned_data["outcome"] or None,
            )
        if not refused:
            messages.success(
                request,
                RECORDED.get(
                    review.decision,
                    "Review recorded. Edit the amendment below, then submit it for signature.",
                ),
            )
            return redirect(_after(review))
    if writing:
        # A refused review shows the plan, the reviews and the flowsheet again: audited as the
        # read a GET is (the resolver left it to the write, which did not happen).
        audit_record(
            actor=request.user,
            action=AuditAction.READ,
            patient=patient,
            object_type="withdrawal-review",
        )
    state = withdrawal_state(patient=patient)
    # The flowsheet beside the plan: the last days of the detox (the whole of it on its page),
    # from the active plan's signing at the earliest (already read: no query to find it).
    now = timezone.now()
    today = schedule.local_date(now)
    first = today - datetime.timedelta(days=REVIEW_FLOWSHEET_DAYS - 1)
    if state.plan is not None and state.plan.signed_at is not None:
        first = min(today, max(first, schedule.local_date(state.plan.signed_at)))
    return render(
        request,
        "intake/withdrawal_review.html",
        {
            "patient": patient,
            "state": state,
            "form": form,
            "reviews": list(withdrawal_reviews(patient=patient)[:REVIEWS_SHOWN]),
            "summary": summary_view(completed_summary(patient=patient)),
            "flowsheet": withdrawal_flowsheet(patient=patient, first=first, last=today, now=now),
            "title": "Daily withdrawal review",
        },
    )
