"""The worklist's patient self-report work (docs/clinical-rules.md#self-report): answers waiting
for review, for the care teams' counselors, nurses and physicians; a PHQ-9 sent with item 9
above 0 (`urgent`) is its own section at the very top of each of their worklists from the
moment it arrives, before anyone reviews it. No query of their own: both sections' rows are two
JSON columns of the home page's counts query (worklist_pending.worklist_counts_with; the
partial index intake_pendingassessment_open)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import QuerySet
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from intake import access
from intake.access import WorkItem
from intake.local_time import format_local
from intake.models import InstrumentCode, PendingAssessment, PendingStatus
from intake.selectors.worklist_rows import WorkRow, patient_from_header, patient_header_json

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


COLUMNS = {
    WorkItem.SELF_REPORTS_URGENT: "self_reports_urgent",
    WorkItem.SELF_REPORTS_TO_REVIEW: "self_reports_to_review",
}


def self_report_columns(user: User, limit: int) -> dict[str, ArraySubquery]:
    """For the home page's counts query: each self-report section the person has, its first
    `limit` answers waiting (oldest first) as a JSON array with their patient's header."""
    waiting = PendingAssessment.objects.filter(
        status=PendingStatus.PENDING,
        patient__in=access.worklist_patients(user, WorkItem.SELF_REPORTS_TO_REVIEW),
    )
    json = JSONObject(
        id="id",
        instrument="instrument",
        urgent="urgent",
        submitted_at="submitted_at",
        patient=patient_header_json(),
    )
    return {
        COLUMNS[item]: ArraySubquery(
            waiting.filter(urgent=item == WorkItem.SELF_REPORTS_URGENT)
            .order_by("submitted_at", "id")
            .values(json=json)[:limit]
        )
        for item in access.worklist_items(user)
        if item in SELF_REPORT_ITEMS
    }


def _pending(r: dict[str, Any]) -> PendingAssessment:
    patient = patient_from_header(r["patient"])
    return PendingAssessment(
        id=uuid.UUID(str(r["id"])),
        patient=patient,
        instrument=r["instrument"],
        urgent=bool(r["urgent"]),
        submitted_at=parse_datetime(str(r["submitted_at"])) or timezone.now(),
        status=PendingStatus.PENDING,
    )


def self_report_sections(user: User, read: Mapping[str, Any]) -> dict[WorkItem, list[WorkRow]]:
    """Both sections' rows from `read`, the row of the query that carried
    self_report_columns (no query of its own)."""
    return {
        item: [_row(_pending(r)) for r in read.get(COLUMNS[item]) or []]
        for item in access.worklist_items(user)
        if item in SELF_REPORT_ITEMS
    }
