"""The worklist's patient self-report work (docs/clinical-rules.md#self-report): answers waiting
for review, for the care teams' counselors, nurses and physicians; a PHQ-9 sent with item 9
above 0 (`urgent`) is its own section at the very top of each of their worklists from the
moment it arrives, before anyone reviews it. One query per section (the partial index
intake_pendingassessment_open)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse

from intake import access
from intake.access import WorkItem
from intake.local_time import format_local
from intake.models import InstrumentCode, PendingAssessment, PendingStatus
from intake.selectors.worklist_rows import WorkRow

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SELF_REPORT_ITEMS = frozenset({WorkItem.SELF_REPORTS_URGENT, WorkItem.SELF_REPORTS_TO_REVIEW})
TITLES = {
    WorkItem.SELF_REPORTS_URGENT: "Self-report: thoughts of self-harm reported",
    WorkItem.SELF_REPORTS_TO_REVIEW: "Patient self-reports to review",
}
EMPTY = {
    WorkItem.SELF_REPORTS_URGENT: "No self-report with thoughts of self-harm waiting.",
    WorkItem.SELF_REPORTS_TO_REVIEW: "No patient self-report waiting for review.",
}


def pending_self_reports(user: User, item: WorkItem) -> QuerySet[PendingAssessment]:
    """Answers waiting for review: the urgent ones, or the others."""
    return PendingAssessment.objects.filter(
        status=PendingStatus.PENDING,
        urgent=item == WorkItem.SELF_REPORTS_URGENT,
        patient__in=access.worklist_patients(user, item),
    )


def self_report_rows(user: User, item: WorkItem, limit: int) -> list[WorkRow]:
    urgent = item == WorkItem.SELF_REPORTS_URGENT
    rows = []
    for p in (
        pending_self_reports(user, item)
        .select_related("patient")
        .order_by("submitted_at", "id")[:limit]
    ):
        name = InstrumentCode(p.instrument).label
        rows.append(
            WorkRow(
                patient=p.patient,
                title=(
                    f"{name} answered by the patient: thoughts of death or self-harm (item 9)"
                    if urgent
                    else f"{name} answered by the patient"
                ),
                detail=f"Sent {format_local(p.submitted_at)}; not yet reviewed",
                url=reverse("intake:self-report-review", args=[p.patient_id, p.pk]),
                action="Review",
                urgent=urgent,
            )
        )
    return rows
