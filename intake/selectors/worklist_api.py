"""The worklist as the API serves it (`GET /api/v1/worklist/`): one item per row of the home
page's worklist, read from the same pending querysets (intake/selectors/worklist_pending.py)
so page and API name the same objects, ids only, most urgent first.

Every stored kind is one `.values()` of its pending queryset; they are joined with UNION ALL
into one read whatever the caseload. The withdrawal-management kinds (doses due, missed and
held, COWS rising) are computed from the signed plans' schedules (intake/selectors/
worklist_mar.py, at most four more queries), the reassessments due from the reassessment
schedule (one query), and merged into the same order. Drafts and plan
reviews due (page sections without a kind in the contract) are left out."""

from __future__ import annotations

import datetime
import enum
import uuid
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from intake import access
from intake.access import WorkItem
from intake.models import LabAlert, Priority
from intake.reassessment_rules import DueStatus, ReassessmentKind
from intake.selectors import worklist_pending as pending
from intake.selectors.reassessment_rows import due_moment, reassessment_work
from intake.selectors.worklist_mar import mar_work
from intake.selectors.worklist_pending import CRITICAL
from intake.selectors.worklist_self_report import SELF_REPORT_ITEMS, pending_self_reports

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Severity(enum.StrEnum):
    """How soon the work must be done. Critical: a critical laboratory value, a critical vital
    sign, a suicide-risk answer without a safety assessment, or a patient's self-report with
    thoughts of self-harm not yet reviewed (act now). Urgent: an unexpected
    result to acknowledge, a STAT order waiting for results, a missed or held dose, COWS
    rising despite doses. Routine: everything else (a dose due)."""

    CRITICAL = "critical"
    URGENT = "urgent"
    ROUTINE = "routine"


# Sorted by this rank, then oldest first.
SEVERITY_RANK: dict[Severity, int] = {Severity.CRITICAL: 0, Severity.URGENT: 1, Severity.ROUTINE: 2}
# A patient's self-report of thoughts of self-harm is critical and above every other critical
# item: at the very top of each clinician's worklist (docs/clinical-rules.md#self-report).
TOP_RANK = -1
RANK_SEVERITY: dict[int, Severity] = {
    TOP_RANK: Severity.CRITICAL,
    **{rank: sev for sev, rank in SEVERITY_RANK.items()},
}

# The contract's kind for each page section that has one: stored rows (the union) ...
STORED_KINDS: dict[WorkItem, str] = {
    WorkItem.RESULTS_TO_ACKNOWLEDGE: "critical-result",
    WorkItem.VITALS_TO_ACKNOWLEDGE: "critical-vital",
    WorkItem.SAFETY_FOLLOW_UPS: "safety-follow-up",
    WorkItem.PLANS_TO_REVIEW: "plan-to-review",
    WorkItem.PLANS_RETURNED: "plan-returned",
    WorkItem.ORDERS_AWAITING_RESULTS: "order-open",
    WorkItem.SPECIMENS_TO_RECOLLECT: "recollect",
    # Patient self-report: one kind; answers with thoughts of self-harm are critical.
    WorkItem.SELF_REPORTS_URGENT: "self-report-to-review",
    WorkItem.SELF_REPORTS_TO_REVIEW: "self-report-to-review",
}
# ... and withdrawal-management work computed from the MAR.
MAR_KINDS: dict[WorkItem, str] = {
    WorkItem.DOSES_DUE: "dose-due",
    WorkItem.DOSES_MISSED: "dose-missed",
    WorkItem.DOSES_HELD: "dose-held",
    WorkItem.COWS_RISING: "cows-rising",
}
# ... and reassessments due, computed from the schedule (intake/selectors/reassessment.py).
REASSESSMENT_KIND = "reassessment-due"
KINDS: dict[WorkItem, str] = {
    **STORED_KINDS,
    **MAR_KINDS,
    WorkItem.REASSESSMENTS_DUE: REASSESSMENT_KIND,
}


class WorklistItem(TypedDict):
    kind: str
    patient: uuid.UUID
    object_type: str
    object_id: uuid.UUID
    due_at: datetime.datetime | None
    severity: str
    reassessment: str | None


def _rank(severity: Severity) -> Value:
    return Value(SEVERITY_RANK[severity], output_field=IntegerField())


def _grouped_alerts(user: User) -> QuerySet[LabAlert]:
    """One alert per finding, as the page groups them (a critical QTc is also "QTc
    prolonged"): of a result's alerts, the one the page links to (critical first, then the
    oldest)."""
    rank = Case(When(code=CRITICAL, then=Value(0)), default=Value(1))
    first = (
        pending.pending_alerts(user)
        .filter(order_id=OuterRef("order_id"), result_id=OuterRef("result_id"))
        .annotate(r=rank)
        .order_by("r", "created_at", "id")
        .values("pk")[:1]
    )
    return pending.pending_alerts(user).filter(Q(result__isnull=True) | Q(pk=Subquery(first)))


def _kind_rows(user: User, item: WorkItem) -> QuerySet[Any]:
    """The item's pending queryset as the union's columns (same names, same order)."""
    critical = Severity.CRITICAL
    if item == WorkItem.RESULTS_TO_ACKNOWLEDGE:
        qs: QuerySet[Any] = _grouped_alerts(user)
        object_type, since = "lab-alert", F("created_at")
        severity: Case | Value = Case(
            When(code=CRITICAL, then=_rank(critical)), default=_rank(Severity.URGENT)
        )
    elif item == WorkItem.VITALS_TO_ACKNOWLEDGE:
        qs, object_type = pending.pending_vital_alerts(user), "vital-sign-alert"
        since, severity = F("created_at"), _rank(critical)
    elif item == WorkItem.SAFETY_FOLLOW_UPS:
        qs, object_type = pending.pending_safety_follow_ups(user), "assessment"
        since, severity = F("administered_at"), _rank(critical)
    elif item in (WorkItem.PLANS_TO_REVIEW, WorkItem.PLANS_RETURNED):
        if item == WorkItem.PLANS_TO_REVIEW:
            qs, since = pending.pending_plan_reviews(user), F("submitted_at")
        else:
            qs, since = pending.pending_returned_plans(user), F("updated_at")
        object_type, severity = "treatment-plan", _rank(Severity.ROUTINE)
    elif item in SELF_REPORT_ITEMS:
        qs, object_type = pending_self_reports(user, item), "pending-assessment"
        since = F("submitted_at")
        top = Value(TOP_RANK, output_field=IntegerField())
        severity = top if item == WorkItem.SELF_REPORTS_URGENT else _rank(Severity.ROUTINE)
    elif item == WorkItem.ORDERS_AWAITING_RESULTS:
        qs, object_type, since = pending.pending_orders(user), "lab-order", F("ordered_at")
        severity = Case(
            When(priority=Priority.STAT, then=_rank(Severity.URGENT)),
            default=_rank(Severity.ROUTINE),
        )
    else:
        qs, object_type = pending.pending_recollections(user), "lab-order"
        since, severity = F("collected_at"), _rank(Severity.ROUTINE)
    rows: QuerySet[Any] = (
        qs.order_by()
        .annotate(
            w_kind=Value(KINDS[item], output_field=CharField()),
            w_patient=F("patient_id"),
            w_object_type=Value(object_type, output_field=CharField()),
            w_object_id=F("pk"),
            w_due_at=Value(None, output_field=DateTimeField()),
            w_rank=severity,
            w_since=since,
        )
        .values(
            "w_kind",
            "w_patient",
            "w_object_type",
            "w_object_id",
            "w_due_at",
            "w_rank",
            "w_since",
        )
    )
    return rows


def stored_worklist_items(user: User) -> QuerySet[Any]:
    """The person's stored worklist items (rows of `.values()`), only the kinds their role
    acts on, for their care teams' patients, most urgent first: severity, then the earliest
    due, then the oldest. An empty queryset for a role without a worklist."""
    parts = [_kind_rows(user, item) for item in access.worklist_items(user) if item in STORED_KINDS]
    if not parts:
        return LabAlert.objects.none().values("pk")
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by(
        "w_rank",
        F("w_due_at").asc(nulls_last=True),
        F("w_since").asc(nulls_last=True),
        "w_object_id",
    )


def worklist_item(row: dict[str, Any]) -> WorklistItem:
    """One row of `worklist_items` in the API's words."""
    return WorklistItem(
        kind=row["w_kind"],
        patient=row["w_patient"],
        object_type=row["w_object_type"],
        object_id=row["w_object_id"],
        due_at=row["w_due_at"],
        severity=RANK_SEVERITY[row["w_rank"]],
        reassessment=row.get("w_reassessment"),
    )


def _mar_rows(user: User, now: datetime.datetime | None) -> list[dict[str, Any]]:
    """The withdrawal-management work as rows of the union's columns."""
    work = mar_work(user, now)
    urgent, routine = SEVERITY_RANK[Severity.URGENT], SEVERITY_RANK[Severity.ROUTINE]

    def row(
        item: WorkItem,
        patient: uuid.UUID,
        object_type: str,
        object_id: uuid.UUID,
        due_at: datetime.datetime | None,
        rank: int,
        since: datetime.datetime,
    ) -> dict[str, Any]:
        return {
            "w_kind": MAR_KINDS[item],
            "w_patient": patient,
            "w_object_type": object_type,
            "w_object_id": object_id,
            "w_due_at": due_at,
            "w_rank": rank,
            "w_since": since,
        }

    rows = [
        row(WorkItem.DOSES_MISSED, d.patient.pk, "due-dose", d.id, d.due_at, urgent, d.due_at)
        for d in work.missed
    ]
    rows += [
        row(WorkItem.DOSES_DUE, d.patient.pk, "due-dose", d.id, d.due_at, routine, d.due_at)
        for d in work.due
    ]
    rows += [
        row(WorkItem.DOSES_HELD, e.patient_id, "administration", e.pk, None, urgent, e.given_at)
        for e in work.held
    ]
    rows += [
        row(
            WorkItem.COWS_RISING,
            r.assessment.patient_id,
            "assessment",
            r.assessment.pk,
            None,
            urgent,
            r.assessment.administered_at,
        )
        for r in work.rising
    ]
    return rows


def _reassessment_rows(user: User, now: datetime.datetime | None) -> list[dict[str, Any]]:
    """Reassessments due and overdue as rows of the union's columns: the plan review names the
    plan, the others the episode; a COWS overdue is urgent, the rest routine."""
    rows = []
    for schedule, item in reassessment_work(user, now):
        due_at = due_moment(item)
        urgent = item.code == "cows" and item.status == DueStatus.OVERDUE
        plan = item.kind == ReassessmentKind.PLAN_REVIEW and schedule.plan_id is not None
        rows.append(
            {
                "w_kind": REASSESSMENT_KIND,
                "w_patient": schedule.patient.pk,
                "w_object_type": "treatment-plan" if plan else "episode",
                "w_object_id": schedule.plan_id if plan else schedule.episode_id,
                "w_due_at": due_at,
                "w_rank": SEVERITY_RANK[Severity.URGENT if urgent else Severity.ROUTINE],
                "w_since": due_at,
                "w_reassessment": item.code,
            }
        )
    return rows


def _order_key(row: dict[str, Any]) -> tuple[Any, ...]:
    # The union's order: severity, the earliest due (none last), the oldest, then the id.
    due, since = row["w_due_at"], row["w_since"]
    return (
        row["w_rank"],
        due is None,
        due or datetime.datetime.min.replace(tzinfo=datetime.UTC),
        since is None,
        since or datetime.datetime.min.replace(tzinfo=datetime.UTC),
        row["w_object_id"],
    )


def worklist_items(user: User, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Every worklist item of the person (rows of the union's columns; `worklist_item` shapes
    one), stored and computed, most urgent first: severity, then the earliest due, then the
    oldest. The union is one read; the withdrawal-management kinds at most four more."""
    rows = list(stored_worklist_items(user))
    items = access.worklist_items(user)
    if any(item in MAR_KINDS for item in items):
        rows += _mar_rows(user, now)
    if WorkItem.REASSESSMENTS_DUE in items:
        rows += _reassessment_rows(user, now)
    return sorted(rows, key=_order_key)
