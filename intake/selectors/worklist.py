"""The worklist on each clinician's home page: critical results, safety follow-ups, plans to
review or revise, orders waiting for results, specimens to recollect, drafts and plan reviews
due, for their care teams' patients only (access.worklist_patients).

Each section is one query (plus one for the plans returned and drafts, which read two tables);
the top bar's counts are one query for every section together (`worklist_counts`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from intake import access
from intake.access import WorkItem
from intake.labs.interpret import RECOLLECT_STATUSES
from intake.models import (
    SAFETY_ALERTS,
    Assessment,
    Interview,
    InterviewStatus,
    LabAlert,
    LabOrder,
    OrderStatus,
    Patient,
    PlanStatus,
    Priority,
    TreatmentPlan,
)
from intake.selectors.lab import ALERT_LABELS, OPEN_ORDER_STATUSES, decorate_results
from intake.selectors.treatment_plan import review_queue

# An active plan shows among the reviews due this many days before its review date.
PLAN_REVIEW_DUE_WITHIN_DAYS = 14
# Rows shown per section; the heading and the top bar count them all.
ROWS_PER_SECTION = 25
CRITICAL = "critical-value"

TITLES = {
    WorkItem.RESULTS_TO_ACKNOWLEDGE: "Results to acknowledge",
    WorkItem.SAFETY_FOLLOW_UPS: "Safety follow-ups",
    WorkItem.PLANS_TO_REVIEW: "Plans awaiting your review",
    WorkItem.PLANS_RETURNED: "Plans returned to you with comments",
    WorkItem.ORDERS_AWAITING_RESULTS: "Lab orders waiting for results",
    WorkItem.SPECIMENS_TO_RECOLLECT: "Specimens to recollect",
    WorkItem.DRAFTS: "Your unsigned drafts",
    WorkItem.PLAN_REVIEWS_DUE: "Treatment plan reviews due",
}
EMPTY = {
    WorkItem.RESULTS_TO_ACKNOWLEDGE: "No critical or unexpected results waiting.",
    WorkItem.SAFETY_FOLLOW_UPS: "No safety assessment waiting.",
    WorkItem.PLANS_TO_REVIEW: "No plan waiting for review.",
    WorkItem.PLANS_RETURNED: "No plan returned to you.",
    WorkItem.ORDERS_AWAITING_RESULTS: "No lab order waiting for results.",
    WorkItem.SPECIMENS_TO_RECOLLECT: "No specimen to recollect.",
    WorkItem.DRAFTS: "No unsigned interview or draft plan.",
    WorkItem.PLAN_REVIEWS_DUE: (
        f"No plan review due in the next {PLAN_REVIEW_DUE_WITHIN_DAYS} days."
    ),
}
SAFETY_LABELS = {
    "suicide-risk": "Suicide risk",
    "imminent-danger": "Imminent danger",
}


@dataclass
class WorkRow:
    patient: Patient
    title: str
    detail: str
    url: str
    action: str
    # Critical results and safety follow-ups: counted as urgent in the top bar, shown in red.
    urgent: bool = False
    # A word that puts the row ahead of its neighbours: "STAT", "Overdue".
    flag: str = ""


@dataclass
class WorklistSection:
    item: WorkItem
    title: str
    empty: str
    rows: list[WorkRow] = field(default_factory=list)
    total: int = 0

    @property
    def urgent(self) -> int:
        return sum(1 for row in self.rows if row.urgent)

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


# What is pending, per kind of work: one queryset each, read by the section and by the counts.


def _open_alerts(user) -> QuerySet[LabAlert]:
    return LabAlert.objects.filter(
        acknowledged_at__isnull=True,
        patient__in=access.worklist_patients(user, WorkItem.RESULTS_TO_ACKNOWLEDGE),
    )


def _open_safety(user) -> QuerySet[Assessment]:
    # `~Q(alerts=[])` is implied by the overlap, but spelled out it lets PostgreSQL use the
    # partial index of open alerts (intake_assessment_open_alerts).
    return Assessment.objects.filter(
        ~Q(alerts=[]),
        safety_assessed_at__isnull=True,
        alerts__overlap=sorted(SAFETY_ALERTS),
        patient__in=access.worklist_patients(user, WorkItem.SAFETY_FOLLOW_UPS),
    )


def _submitted_plans(user) -> QuerySet[TreatmentPlan]:
    # The API's review queue reads the same selector: page and API cannot disagree.
    return review_queue(user=user).order_by()


def _returned_plans(user) -> QuerySet[TreatmentPlan]:
    """Plans returned with comments to the one who wrote or submitted them."""
    return TreatmentPlan.objects.filter(
        Q(submitted_by=user) | Q(created_by=user),
        status=PlanStatus.CHANGES_REQUESTED,
        patient__in=access.worklist_patients(user, WorkItem.PLANS_RETURNED),
    )


def _open_orders(user) -> QuerySet[LabOrder]:
    return LabOrder.objects.filter(
        status__in=OPEN_ORDER_STATUSES,
        patient__in=access.worklist_patients(user, WorkItem.ORDERS_AWAITING_RESULTS),
    )


def _recollections(user) -> QuerySet[LabOrder]:
    """Each patient's latest resulted urine drug screen, when its specimen was adulterated,
    substituted or invalid (its drug results are inconclusive: collect again, observed). Read
    from the few such specimens (intake_laborder_recollect), each checked for a later screen,
    rather than from every screen of the caseload."""
    later = LabOrder.objects.filter(
        patient=OuterRef("patient_id"),
        panel_id="uds",
        status=OrderStatus.RESULTED,
        collected_at__gt=OuterRef("collected_at"),
    )
    return LabOrder.objects.filter(
        ~Exists(later),
        panel_id="uds",
        status=OrderStatus.RESULTED,
        specimen_status__in=sorted(RECOLLECT_STATUSES),
        patient__in=access.worklist_patients(user, WorkItem.SPECIMENS_TO_RECOLLECT),
    )


def _draft_interviews(user) -> QuerySet[Interview]:
    return Interview.objects.filter(
        author=user,
        status=InterviewStatus.DRAFT,
        patient__in=access.worklist_patients(user, WorkItem.DRAFTS),
    )


def _draft_plans(user) -> QuerySet[TreatmentPlan]:
    return TreatmentPlan.objects.filter(
        created_by=user,
        status=PlanStatus.DRAFT,
        patient__in=access.worklist_patients(user, WorkItem.DRAFTS),
    )


def _review_due_by(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=PLAN_REVIEW_DUE_WITHIN_DAYS)


def _reviews_due(user, today: datetime.date) -> QuerySet[TreatmentPlan]:
    return TreatmentPlan.objects.filter(
        status=PlanStatus.ACTIVE,
        review_date__lte=_review_due_by(today),
        patient__in=access.worklist_patients(user, WorkItem.PLAN_REVIEWS_DUE),
    )


# Counts for the top bar ------------------------------------------------------------------------


class _Count(Func):
    function = "COUNT"
    output_field = IntegerField()


class _CountDistinct(Func):
    template = "COUNT(DISTINCT %(expressions)s)"
    output_field = IntegerField()


def _count(qs: QuerySet, expression=None) -> Subquery:
    # `SELECT COUNT(...) FROM ... WHERE ...` as a scalar subquery (no GROUP BY: Func is not an
    # aggregate to Django).
    return Subquery(qs.order_by().values(n=expression or _Count(F("pk"))))


def _count_expressions(user, item: WorkItem, today: datetime.date) -> list[Subquery]:
    if item == WorkItem.RESULTS_TO_ACKNOWLEDGE:
        # One finding per result (a critical QTc is also "QTc prolonged"), as the rows group.
        return [_count(_open_alerts(user), _CountDistinct(Coalesce(F("result_id"), F("id"))))]
    if item == WorkItem.SAFETY_FOLLOW_UPS:
        return [_count(_open_safety(user))]
    if item == WorkItem.PLANS_TO_REVIEW:
        return [_count(_submitted_plans(user))]
    if item == WorkItem.PLANS_RETURNED:
        return [_count(_returned_plans(user))]
    if item == WorkItem.ORDERS_AWAITING_RESULTS:
        return [_count(_open_orders(user))]
    if item == WorkItem.SPECIMENS_TO_RECOLLECT:
        return [_count(_recollections(user))]
    if item == WorkItem.DRAFTS:
        return [_count(_draft_interviews(user)), _count(_draft_plans(user))]
    if item == WorkItem.PLAN_REVIEWS_DUE:
        return [_count(_reviews_due(user, today))]
    raise ValueError(item)


URGENT_ITEMS = frozenset({WorkItem.RESULTS_TO_ACKNOWLEDGE, WorkItem.SAFETY_FOLLOW_UPS})


def worklist_counts(*, user) -> dict[WorkItem, int]:
    """How much of each kind of work waits for `user`, in one query (the top bar shows it on
    every page). Counts hold no patient data: not an audited read."""
    items = access.worklist_items(user)
    if not items:
        return {}
    today = timezone.localdate()
    annotations: dict[str, Subquery] = {}
    parts: dict[WorkItem, list[str]] = {}
    for item in items:
        for i, expression in enumerate(_count_expressions(user, item, today)):
            name = f"n_{item.name.lower()}_{i}"
            annotations[name] = Coalesce(expression, Value(0))
            parts.setdefault(item, []).append(name)
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(**annotations)
        .values(*annotations)
        .first()
    ) or {}
    return {item: sum(row.get(name, 0) for name in names) for item, names in parts.items()}


# Sections --------------------------------------------------------------------------------------


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local(at) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else ""


def _results_to_acknowledge(user) -> tuple[list[WorkRow], int]:
    alerts = list(
        _open_alerts(user)
        .select_related("patient", "order__panel", "result__test")
        .annotate(rank=Case(When(code=CRITICAL, then=Value(0)), default=Value(1)))
        .order_by("rank", "created_at", "id")[: ROWS_PER_SECTION * 4]
    )
    decorate_results(a.result for a in alerts if a.result is not None)
    groups: dict[tuple, list[LabAlert]] = {}
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
                detail=f"{first.order.panel.name}, collected {_local(first.order.collected_at)}",
                url=reverse("intake:lab-alert-acknowledge", args=[first.patient_id, first.pk]),
                action="Acknowledge",
                urgent=any(a.code == CRITICAL for a in members),
            )
        )
    rows.sort(key=lambda r: not r.urgent)  # stable: oldest first within each
    return rows[:ROWS_PER_SECTION], len(rows)


def _safety_follow_ups(user) -> list[WorkRow]:
    rows = []
    for a in (
        _open_safety(user)
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
                    f"Recorded {_local(a.administered_at)} by {_name(a.administered_by)}; "
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
        detail = f"Submitted by {_name(plan.submitted_by)} {_local(plan.submitted_at)}"
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


def _orders_awaiting_results(user) -> list[WorkRow]:
    rows = []
    for order in (
        _open_orders(user)
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
                    f"Ordered {_local(order.ordered_at)} by {_name(order.ordered_by)}; {state}"
                ),
                url=reverse("intake:lab-result-entry", args=[order.patient_id, order.pk]),
                action="Enter results",
                flag="STAT" if stat else "",
            )
        )
    return rows


def _specimens_to_recollect(user) -> list[WorkRow]:
    pending = LabOrder.objects.filter(
        patient=OuterRef("patient_id"), panel_id="uds", status__in=OPEN_ORDER_STATUSES
    ).order_by("-ordered_at")
    rows = []
    for order in (
        _recollections(user)
        .select_related("patient")
        .annotate(pending_id=Subquery(pending.values("pk")[:1]))
        .order_by("collected_at", "id")[:ROWS_PER_SECTION]
    ):
        status = order.get_specimen_status_display().lower()
        title = (
            f"Observed urine recollection: the specimen of {_local(order.collected_at)} "
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


def _drafts(user, plans: list[TreatmentPlan]) -> tuple[list[WorkRow], int]:
    rows = []
    interviews = list(
        _draft_interviews(user)
        .select_related("patient")
        .order_by("updated_at", "id")[: ROWS_PER_SECTION + 1]
    )
    for interview in interviews:
        rows.append(
            (
                interview.updated_at,
                WorkRow(
                    patient=interview.patient,
                    title=f"Intake interview of {interview.interviewed_on:%Y-%m-%d}, not signed",
                    detail=f"Last saved {_local(interview.updated_at)}",
                    url=reverse(
                        "intake:interview-detail", args=[interview.patient_id, interview.pk]
                    ),
                    action="Finish and sign",
                ),
            )
        )
    for plan in plans:
        rows.append(
            (
                plan.updated_at,
                WorkRow(
                    patient=plan.patient,
                    title=f"{_plan_summary(plan)}: draft, not submitted",
                    detail=f"Last saved {_local(plan.updated_at)}",
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
        # Overdue the day after it was due (CLINICAL_REFERENCE.md section 9).
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


PLAN_ITEMS = {
    # Each kind of plan work is plans in one status: the combined query ranks within each.
    PlanStatus.SUBMITTED: WorkItem.PLANS_TO_REVIEW,
    PlanStatus.CHANGES_REQUESTED: WorkItem.PLANS_RETURNED,
    PlanStatus.DRAFT: WorkItem.DRAFTS,
    PlanStatus.ACTIVE: WorkItem.PLAN_REVIEWS_DUE,
}


def _plan_work(user, items, today: datetime.date) -> dict[WorkItem, list[TreatmentPlan]]:
    """The plans of every plan section in one query: each section's own queryset (the review
    queue's is the API's) as a condition, the first ROWS_PER_SECTION of each kept, oldest
    first (reviews due by review date)."""
    conditions = {
        WorkItem.PLANS_TO_REVIEW: lambda: _submitted_plans(user),
        WorkItem.PLANS_RETURNED: lambda: _returned_plans(user),
        WorkItem.DRAFTS: lambda: _draft_plans(user),
        WorkItem.PLAN_REVIEWS_DUE: lambda: _reviews_due(user, today),
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


def worklist_sections(*, user, counts: dict[WorkItem, int] | None = None) -> list[WorklistSection]:
    """The person's worklist, one section per kind of work their role acts on, most urgent
    first; `counts` (worklist_counts) gives each section's total beyond the rows shown."""
    counts = counts or {}
    items = access.worklist_items(user)
    today = timezone.localdate()
    plans = _plan_work(user, items, today)
    sections = []
    for item in items:
        total = None
        if item == WorkItem.RESULTS_TO_ACKNOWLEDGE:
            rows, total = _results_to_acknowledge(user)
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


def patients_with_open_critical_alerts(qs: QuerySet[Patient]) -> QuerySet[Patient]:
    """Adds `has_critical_alert` (an unacknowledged critical lab value) to list rows, in the
    same query."""
    return qs.annotate(
        has_critical_alert=Exists(
            LabAlert.objects.filter(
                patient=OuterRef("pk"), acknowledged_at__isnull=True, code=CRITICAL
            )
        )
    )
