"""The worklist's patient self-report work (docs/clinical-rules.md#self-report): answers waiting
for review, for the care teams' counselors, nurses and physicians; a PHQ-9 sent with item 9
above 0 (`urgent`) is its own section at the very top of each of their worklists from the
moment it arrives, before anyone reviews it. One query for both sections (the partial index
intake_pendingassessment_open), none when the top bar's counts say nothing waits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
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


def _row(p: PendingAssessment) -> WorkRow:
    name = InstrumentCode(p.instrument).label
    return WorkRow(
        patient=p.patient,
        title=(
            f"{name} answered by the patient: thoughts of death or self-harm (item 9)"
            if p.urgent
            else f"{name} answered by the patient"
        ),
        detail=f"Sent {format_local(p.submitted_at)}; not yet reviewed",
        url=reverse("intake:self-report-review", args=[p.patient_id, p.pk]),
        action="Review",
        urgent=p.urgent,
    )


def self_report_sections(
    user: User, counts: Mapping[WorkItem, int], limit: int
) -> dict[WorkItem, list[WorkRow]]:
    """Both sections' rows (the first `limit` of each, oldest first) in one query, and none
    when the top bar's counts (`counts`, worklist_counts) say nothing waits."""
    items = [i for i in access.worklist_items(user) if i in SELF_REPORT_ITEMS]
    found: dict[WorkItem, list[WorkRow]] = {item: [] for item in items}
    if not any(counts.get(item, 1) for item in items):
        return found
    ranked = (
        PendingAssessment.objects.filter(
            status=PendingStatus.PENDING,
            patient__in=access.worklist_patients(user, WorkItem.SELF_REPORTS_TO_REVIEW),
        )
        .select_related("patient")
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("urgent")],
                order_by=[F("submitted_at").asc(), F("id").asc()],
            )
        )
        .filter(place__lte=limit)
        .order_by("-urgent", "place")
    )
    for p in ranked:
        item = WorkItem.SELF_REPORTS_URGENT if p.urgent else WorkItem.SELF_REPORTS_TO_REVIEW
        if item in found:
            found[item].append(_row(p))
    return found
