"""The worklist on each clinician's home page: critical results and vital signs, safety
follow-ups, plans to review or revise, orders waiting for results, specimens to recollect,
drafts and plan reviews due, missed, due and held doses and COWS rising
(intake/selectors/worklist_mar_rows.py), patient self-reports (worklist_self_report.py),
reassessments due (reassessment_rows.py), for their care teams' patients only, each row with a
link to where the work is done.

What is pending comes from intake/selectors/worklist_pending.py. Queries: one per lab or
assessment section, one for every plan section together, one for unsigned interviews, at most
five for the withdrawal-management sections together; the self-report and reassessment rows are
read with the top bar's counts, in their query (home_worklist)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from intake import access
from intake.access import WorkItem
from intake.labels import ALERT_LABELS as SAFETY_LABELS
from intake.local_time import format_local
from intake.models import (
    LabAlert,
    LabOrder,
    OrderStatus,
    PlanStatus,
    Priority,
    TreatmentPlan,
)
from intake.selectors import worklist_pending as pending
from intake.selectors.lab import ALERT_LABELS, OPEN_ORDER_STATUSES, decorate_results
from intake.selectors.reassessment_rows import reassessment_columns, reassessment_rows
from intake.selectors.worklist_drafts import draft_record_rows
from intake.selectors.worklist_mar import MAR_ITEMS
from intake.selectors.worklist_mar_rows import mar_sections
from intake.selectors.worklist_pending import CRITICAL, PLAN_REVIEW_DUE_WITHIN_DAYS
from intake.selectors.worklist_rows import WorklistSection, WorkRow
from intake.selectors.worklist_self_report import EMPTY as SELF_REPORT_EMPTY
from intake.selectors.worklist_self_report import (
    SELF_REPORT_ITEMS,
    self_report_columns,
    self_report_sections,
)
from intake.selectors.worklist_self_report import TITLES as SELF_REPORT_TITLES
from intake.selectors.worklist_vitals import vitals_to_acknowledge

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Rows shown per section; the heading and the top bar count them all.
ROWS_PER_SECTION = 25

TITLES = {
    WorkItem.RESULTS_TO_ACKNOWLEDGE: "Results to acknowledge",
    WorkItem.VITALS_TO_ACKNOWLEDGE: "Critical vital signs to acknowledge",
    WorkItem.SAFETY_FOLLOW_UPS: "Safety follow-ups",
    WorkItem.PLANS_TO_REVIEW: "Plans awaiting your review",
    WorkItem.PLANS_RETURNED: "Plans returned to you with comments",
    WorkItem.ORDERS_AWAITING_RESULTS: "Lab orders waiting for results",
    WorkItem.SPECIMENS_TO_RECOLLECT: "Specimens to recollect",
    WorkItem.DRAFTS: "Your unsigned drafts",
    WorkItem.PLAN_REVIEWS_DUE: "Treatment plan reviews due",
    WorkItem.DOSES_MISSED: "Missed doses",
    WorkItem.DOSES_DUE: "Doses due in the next hour",
    WorkItem.DOSES_HELD: "Doses held",
    WorkItem.COWS_RISING: "COWS rising despite doses",
    **SELF_REPORT_TITLES,
    WorkItem.REASSESSMENTS_DUE: "Reassessments due",
}
EMPTY = {
    WorkItem.RESULTS_TO_ACKNOWLEDGE: "No critical or unexpected results waiting.",
    WorkItem.VITALS_TO_ACKNOWLEDGE: "No critical vital sign waiting.",
    WorkItem.SAFETY_FOLLOW_UPS: "No safety assessment waiting.",
    WorkItem.PLANS_TO_REVIEW: "No plan waiting for review.",
    WorkItem.PLANS_RETURNED: "No plan returned to you.",
    WorkItem.ORDERS_AWAITING_RESULTS: "No lab order waiting for results.",
    WorkItem.SPECIMENS_TO_RECOLLECT: "No specimen to recollect.",
    WorkItem.DRAFTS: "No unsigned interview, session note or draft plan.",
    WorkItem.PLAN_REVIEWS_DUE: (
        f"No plan review due in the next {PLAN_REVIEW_DUE_WITHIN_DAYS} days."
    ),
    WorkItem.DOSES_MISSED: "No dose missed in the last 24 hours.",
    WorkItem.DOSES_DUE: "No dose due in the next hour.",
    WorkItem.DOSES_HELD: "No dose held in the last 24 hours.",
    WorkItem.COWS_RISING: "No COWS rising despite doses.",
    **SELF_REPORT_EMPTY,
    WorkItem.REASSESSMENTS_DUE: "No reassessment due today or overdue.",
}


# Sections --------------------------------------------------------------------------------------


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _results_to_acknowledge(user: User) -> tuple[list[WorkRow], int]:
    alerts = list(
        pending.pending_alerts(user)
        .select_related("patient", "order__panel", "result__test")
        .annotate(rank=Case(When(code=CRITICAL, then=Value(0)), default=Value(1)))
        .order_by("rank", "created_at", "id")[: ROWS_PER_SECTION * 4]
    )
    decorate_results(a.result for a in alerts if a.result is not None)
    groups: dict[tuple[object, object], list[LabAlert]] = {}
    for alert in alerts:
        groups.setdefault((alert.order_id, alert.result_id or alert.pk), []).append(alert)
    rows = []
    for members in groups.values():
        first = members[0]
        labels = " · ".join(ALERT_LABELS.get(a.code, "Unexpected result") for a in members)
        result = first.result
        if result is not None:
            reading = (
                f"{result.display_value} {result.unit}".strip()
                if result.display_value
                else result.get_interpretation_display().lower()
            )
            labels = f"{labels}: {result.test.name} {reading}"
        rows.append(
            WorkRow(
                patient=first.patient,
                title=labels,
                detail=(
                    f"{first.order.panel.name}, collected {format_local(first.order.collected_at)}"
                ),
                url=reverse("intake:lab-alert-acknowledge", args=[first.patient_id, first.pk]),
                action="Acknowledge",
                urgent=any(a.code == CRITICAL for a in members),
            )
        )
    rows.sort(key=lambda r: not r.urgent)  # stable: oldest first within each
    return rows[:ROWS_PER_SECTION], len(rows)


def _safety_follow_ups(user: User) -> list[WorkRow]:
    rows = []
    for a in (
        pending.pending_safety_follow_ups(user)
        .select_related("patient", "administered_by")
        .order_by("administered_at", "id")[:ROWS_PER_SECTION]
    ):
        what = " and ".join(SAFETY_LABELS[code] for code in a.alerts if code in SAFETY_LABELS)
        source = "item 9 of the PHQ-9" if a.instrument == "phq9" else a.get_instrument_display()
        rows.append(
            WorkRow(
                patient=a.patient,
                title=f"{what} on {source}",
                detail=(
                    f"Recorded {format_local(a.administered_at)} by {_name(a.administered_by)}; "
                    "no safety assessment yet"
                ),
                url=reverse("intake:assessment-detail", args=[a.patient_id, a.pk]),
                action="Assess safety",
                urgent=True,
            )
        )
    return rows


def _plan_summary(plan: TreatmentPlan) -> str:
    text = f"Treatment plan version {plan.version}, {plan.get_setting_display().lower()}"
    if plan.medically_supervised_detox:
        text += ", medically supervised withdrawal"
    return text


def _plans_to_review(plans: list[TreatmentPlan]) -> list[WorkRow]:
    now = timezone.now()
    rows = []
    for plan in plans:
        waited = now - plan.submitted_at if plan.submitted_at else datetime.timedelta()
        detail = f"Submitted by {_name(plan.submitted_by)} {format_local(plan.submitted_at)}"
        if waited >= datetime.timedelta(days=1):
            detail += f", waiting {waited.days} day{'s' if waited.days != 1 else ''}"
        warnings = [w.get("message", "") for w in plan.warnings or [] if isinstance(w, dict)]
        if warnings:
            detail += ". Safety warnings: " + " ".join(warnings)
        rows.append(
            WorkRow(
                patient=plan.patient,
                title=_plan_summary(plan),
                detail=detail,
                url=reverse("intake:plan-review", args=[plan.patient_id, plan.pk]),
                action="Review",
            )
        )
    return rows


def _plans_returned(plans: list[TreatmentPlan]) -> list[WorkRow]:
    rows = []
    for plan in plans:
        comment = " ".join((plan.review_comment or "").split())
        if len(comment) > 160:
            comment = comment[:159] + "…"
        detail = f"Returned by {_name(plan.reviewed_by)}"
        if comment:
            detail += f": “{comment}”"
        rows.append(
            WorkRow(
                patient=plan.patient,
                title=_plan_summary(plan),
                detail=detail,
                url=reverse("intake:plan-detail", args=[plan.patient_id, plan.pk]),
                action="Revise",
            )
        )
    return rows


def _orders_awaiting_results(user: User) -> list[WorkRow]:
    rows = []
    for order in (
        pending.pending_orders(user)
        .select_related("patient", "panel", "ordered_by")
        .annotate(rank=Case(When(priority=Priority.STAT, then=Value(0)), default=Value(1)))
        .order_by("rank", "ordered_at", "id")[:ROWS_PER_SECTION]
    ):
        stat = order.priority == Priority.STAT
        state = (
            "collected, results not entered"
            if order.status == OrderStatus.COLLECTED
            else ("not yet collected")
        )
        rows.append(
            WorkRow(
                patient=order.patient,
                title=order.panel.name,
                detail=(
                    f"Ordered {format_local(order.ordered_at)} by {_name(order.ordered_by)}; "
                    f"{state}"
                ),
                url=reverse("intake:lab-result-entry", args=[order.patient_id, order.pk]),
                action="Enter results",
                flag="STAT" if stat else "",
            )
        )
    return rows


def _specimens_to_recollect(user: User) -> list[WorkRow]:
    ordered_again = LabOrder.objects.filter(
        patient=OuterRef("patient_id"), panel_id="uds", status__in=OPEN_ORDER_STATUSES
    ).order_by("-ordered_at")
    rows = []
    for order in (
        pending.pending_recollections(user)
        .select_related("patient")
        .annotate(pending_id=Subquery(ordered_again.values("pk")[:1]))
        .order_by("collected_at", "id")[:ROWS_PER_SECTION]
    ):
        status = order.get_specimen_status_display().lower()
        title = (
            f"Observed urine recollection: the specimen of {format_local(order.collected_at)} "
            f"was {status}"
        )
        if order.pending_id is not None:
            url = reverse("intake:lab-result-entry", args=[order.patient_id, order.pending_id])
            detail, action = (
                "A new urine drug screen is ordered; collect it observed",
                "Enter results",
            )
        else:
            url = (
                reverse("intake:lab-order-create", args=[order.patient_id])
                + "?panel=uds&priority=stat"
            )
            detail = "Its drug results are inconclusive; no new screen is ordered yet"
            action = "Order a recollection"
        rows.append(
            WorkRow(
                patient=order.patient,
                title=title,
                detail=detail,
                url=url,
                action=action,
            )
        )
    return rows


def _drafts(user: User, plans: list[TreatmentPlan]) -> tuple[list[WorkRow], int]:
    # Interviews and session notes in one query (intake/selectors/worklist_drafts.py).
    rows = draft_record_rows(user, ROWS_PER_SECTION + 1)
    for plan in plans:
        rows.append(
            (
                plan.updated_at,
                WorkRow(
                    patient=plan.patient,
                    title=f"{_plan_summary(plan)}: draft, not submitted",
                    detail=f"Last saved {format_local(plan.updated_at)}",
                    url=reverse("intake:plan-detail", args=[plan.patient_id, plan.pk]),
                    action="Finish",
                ),
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return [row for _at, row in rows][:ROWS_PER_SECTION], len(rows)


def _plan_reviews_due(plans: list[TreatmentPlan], today: datetime.date) -> list[WorkRow]:
    rows = []
    for plan in plans:
        # Overdue the day after it was due (docs/clinical-rules.md#plan-review-date).
        overdue = plan.review_date < today
        if overdue:
            days = (today - plan.review_date).days
            ago = f"{days} day{'s' if days != 1 else ''} ago"
            when = f"Overdue: the review was due {plan.review_date:%Y-%m-%d} ({ago})"
        elif plan.review_date == today:
            when = "Review due today"
        else:
            when = f"Review due {plan.review_date:%Y-%m-%d}"
        rows.append(
            WorkRow(
                patient=plan.patient,
                title=f"{_plan_summary(plan)} (signed)",
                detail=when,
                url=reverse("intake:plan-detail", args=[plan.patient_id, plan.pk]),
                action="Review the plan",
                flag="Overdue" if overdue else "",
            )
        )
    return rows


# Keyed by the status as read from the database (a str; PlanStatus members are equal to theirs).
PLAN_ITEMS: dict[str, WorkItem] = {
    # Each kind of plan work is plans in one status: the combined query ranks within each.
    PlanStatus.SUBMITTED: WorkItem.PLANS_TO_REVIEW,
    PlanStatus.CHANGES_REQUESTED: WorkItem.PLANS_RETURNED,
    PlanStatus.DRAFT: WorkItem.DRAFTS,
    PlanStatus.ACTIVE: WorkItem.PLAN_REVIEWS_DUE,
}


def _plan_work(
    user: User, items: Iterable[WorkItem], today: datetime.date
) -> dict[WorkItem, list[TreatmentPlan]]:
    """The plans of every plan section in one query: each section's own queryset (the review
    queue's is the API's) as a condition, the first ROWS_PER_SECTION of each kept, oldest
    first (reviews due by review date)."""
    conditions = {
        WorkItem.PLANS_TO_REVIEW: lambda: pending.pending_plan_reviews(user),
        WorkItem.PLANS_RETURNED: lambda: pending.pending_returned_plans(user),
        WorkItem.DRAFTS: lambda: pending.pending_draft_plans(user),
        WorkItem.PLAN_REVIEWS_DUE: lambda: pending.pending_plan_reviews_due(user, today),
    }
    wanted = Q()
    for item in items:
        if item in conditions:
            wanted |= Q(pk__in=conditions[item]().values("pk"))
    found: dict[WorkItem, list[TreatmentPlan]] = {item: [] for item in PLAN_ITEMS.values()}
    if not wanted:
        return found
    due_first = Case(When(status=PlanStatus.ACTIVE, then=F("review_date")), default=None)
    waiting_since = Case(
        When(status=PlanStatus.SUBMITTED, then=F("submitted_at")), default=F("updated_at")
    )
    plans = (
        TreatmentPlan.objects.filter(wanted)
        .select_related("patient", "submitted_by", "reviewed_by")
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[due_first.asc(nulls_last=True), waiting_since.asc(), F("id").asc()],
            )
        )
        .filter(place__lte=ROWS_PER_SECTION + 1)
        .order_by("status", "place")
    )
    for plan in plans:
        found[PLAN_ITEMS[plan.status]].append(plan)
    return found


def home_worklist(*, user: User) -> tuple[dict[WorkItem, int], list[WorklistSection]]:
    """The home page's counts (the top bar's) and worklist: the self-report and reassessment
    rows are read with the counts, in their query."""
    extra = self_report_columns(user, ROWS_PER_SECTION) | reassessment_columns(user)
    counts, read = pending.worklist_counts_with(user=user, extra=extra)
    return counts, worklist_sections(user=user, counts=counts, read=read)


def worklist_sections(
    *, user: User, counts: dict[WorkItem, int] | None = None, read: dict[str, Any] | None = None
) -> list[WorklistSection]:
    """The person's worklist, one section per kind of work their role acts on, most urgent
    first; `counts` and `read`: home_worklist's (read here when not given)."""
    if read is None:
        return home_worklist(user=user)[1]
    counts = counts or {}
    items = access.worklist_items(user)
    today = timezone.localdate()
    plans = _plan_work(user, items, today)
    mar = mar_sections(user, ROWS_PER_SECTION) if MAR_ITEMS.intersection(items) else {}
    self_reports = self_report_sections(user, read)
    sections = []
    for item in items:
        total = None
        if item in mar:
            rows, total = mar[item]
        elif item == WorkItem.RESULTS_TO_ACKNOWLEDGE:
            rows, total = _results_to_acknowledge(user)
        elif item == WorkItem.VITALS_TO_ACKNOWLEDGE:
            rows = vitals_to_acknowledge(user, ROWS_PER_SECTION)
        elif item == WorkItem.SAFETY_FOLLOW_UPS:
            rows = _safety_follow_ups(user)
        elif item == WorkItem.PLANS_TO_REVIEW:
            rows = _plans_to_review(plans[item][:ROWS_PER_SECTION])
        elif item == WorkItem.PLANS_RETURNED:
            rows = _plans_returned(plans[item][:ROWS_PER_SECTION])
        elif item == WorkItem.ORDERS_AWAITING_RESULTS:
            rows = _orders_awaiting_results(user)
        elif item == WorkItem.SPECIMENS_TO_RECOLLECT:
            rows = _specimens_to_recollect(user)
        elif item == WorkItem.DRAFTS:
            rows, total = _drafts(user, plans[item])
        elif item in SELF_REPORT_ITEMS:
            rows = self_reports[item]
        elif item == WorkItem.REASSESSMENTS_DUE:
            rows, total = reassessment_rows(user, ROWS_PER_SECTION, read=read)
        else:
            rows = _plan_reviews_due(plans[item][:ROWS_PER_SECTION], today)
        sections.append(
            WorklistSection(
                item=item,
                title=TITLES[item],
                empty=EMPTY[item],
                rows=rows,
                total=max(counts.get(item, 0), total or 0, len(rows)),
            )
        )
    return sections
