"""What waits for whom: one queryset per kind of work on the worklist (intake/selectors/
worklist.py builds the rows from them), the counts of all of them in one query for the top bar,
and the critical-result flag of patient lists. Care teams only: access.worklist_patients."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Coalesce
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
    TreatmentPlan,
    VitalSignAlert,
)
from intake.selectors.lab import OPEN_ORDER_STATUSES
from intake.selectors.session_note import pending_draft_session_notes
from intake.selectors.treatment_plan import review_queue
from intake.selectors.worklist_mar import MAR_ITEMS
from intake.selectors.worklist_self_report import SELF_REPORT_ITEMS, pending_self_reports

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# An active plan shows among the reviews due this many days before its review date.
PLAN_REVIEW_DUE_WITHIN_DAYS = 14
CRITICAL = "critical-value"
URGENT_ITEMS = frozenset(
    {
        WorkItem.RESULTS_TO_ACKNOWLEDGE,
        WorkItem.VITALS_TO_ACKNOWLEDGE,
        WorkItem.SAFETY_FOLLOW_UPS,
        WorkItem.SELF_REPORTS_URGENT,
    }
)


def pending_alerts(user: User) -> QuerySet[LabAlert]:
    return LabAlert.objects.filter(
        acknowledged_at__isnull=True,
        patient__in=access.worklist_patients(user, WorkItem.RESULTS_TO_ACKNOWLEDGE),
    )


def pending_vital_alerts(user: User) -> QuerySet[VitalSignAlert]:
    """Critical vital signs not yet acknowledged (the partial index intake_vitalsignalert_open)."""
    return VitalSignAlert.objects.filter(
        acknowledged_at__isnull=True,
        patient__in=access.worklist_patients(user, WorkItem.VITALS_TO_ACKNOWLEDGE),
    )


def pending_safety_follow_ups(user: User) -> QuerySet[Assessment]:
    # `~Q(alerts=[])` is implied by the overlap, but spelled out it lets PostgreSQL use the
    # partial index of open alerts (intake_assessment_open_alerts).
    return Assessment.objects.filter(
        ~Q(alerts=[]),
        safety_assessed_at__isnull=True,
        alerts__overlap=sorted(SAFETY_ALERTS),
        patient__in=access.worklist_patients(user, WorkItem.SAFETY_FOLLOW_UPS),
    )


def pending_plan_reviews(user: User) -> QuerySet[TreatmentPlan]:
    # The API's review queue reads the same selector: page and API cannot disagree.
    return review_queue(user=user).order_by()


def pending_returned_plans(user: User) -> QuerySet[TreatmentPlan]:
    """Plans returned with comments to the one who wrote or submitted them."""
    return TreatmentPlan.objects.filter(
        Q(submitted_by=user) | Q(created_by=user),
        status=PlanStatus.CHANGES_REQUESTED,
        patient__in=access.worklist_patients(user, WorkItem.PLANS_RETURNED),
    )


def pending_orders(user: User) -> QuerySet[LabOrder]:
    return LabOrder.objects.filter(
        status__in=OPEN_ORDER_STATUSES,
        patient__in=access.worklist_patients(user, WorkItem.ORDERS_AWAITING_RESULTS),
    )


def pending_recollections(user: User) -> QuerySet[LabOrder]:
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


def pending_draft_interviews(user: User) -> QuerySet[Interview]:
    return Interview.objects.filter(
        author=user,
        status=InterviewStatus.DRAFT,
        patient__in=access.worklist_patients(user, WorkItem.DRAFTS),
    )


def pending_draft_plans(user: User) -> QuerySet[TreatmentPlan]:
    return TreatmentPlan.objects.filter(
        created_by=user,
        status=PlanStatus.DRAFT,
        patient__in=access.worklist_patients(user, WorkItem.DRAFTS),
    )


def _review_due_by(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=PLAN_REVIEW_DUE_WITHIN_DAYS)


def pending_plan_reviews_due(user: User, today: datetime.date) -> QuerySet[TreatmentPlan]:
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


def _count(qs: QuerySet[Model], expression: Func | None = None) -> Subquery:
    # `SELECT COUNT(...) FROM ... WHERE ...` as a scalar subquery (no GROUP BY: Func is not an
    # aggregate to Django).
    return Subquery(qs.order_by().values(n=expression or _Count(F("pk"))))


def _count_expressions(user: User, item: WorkItem, today: datetime.date) -> list[Subquery]:
    if item == WorkItem.RESULTS_TO_ACKNOWLEDGE:
        # One finding per result (a critical QTc is also "QTc prolonged"), as the rows group.
        return [_count(pending_alerts(user), _CountDistinct(Coalesce(F("result_id"), F("id"))))]
    if item == WorkItem.VITALS_TO_ACKNOWLEDGE:
        return [_count(pending_vital_alerts(user))]
    if item == WorkItem.SAFETY_FOLLOW_UPS:
        return [_count(pending_safety_follow_ups(user))]
    if item == WorkItem.PLANS_TO_REVIEW:
        return [_count(pending_plan_reviews(user))]
    if item == WorkItem.PLANS_RETURNED:
        return [_count(pending_returned_plans(user))]
    if item == WorkItem.ORDERS_AWAITING_RESULTS:
        return [_count(pending_orders(user))]
    if item == WorkItem.SPECIMENS_TO_RECOLLECT:
        return [_count(pending_recollections(user))]
    if item == WorkItem.DRAFTS:
        return [
            _count(pending_draft_interviews(user)),
            _count(pending_draft_plans(user)),
            _count(pending_draft_session_notes(user)),
        ]
    if item == WorkItem.PLAN_REVIEWS_DUE:
        return [_count(pending_plan_reviews_due(user, today))]
    if item in SELF_REPORT_ITEMS:
        return [_count(pending_self_reports(user, item))]
    if item in MAR_ITEMS or item == WorkItem.REASSESSMENTS_DUE:
        # Due doses and reassessments are computed (the plans' schedules, the reassessment
        # schedule), not stored: counted on the home page only (docs/permissions.md#worklists).
        return []
    raise ValueError(item)


def worklist_counts(*, user: User) -> dict[WorkItem, int]:
    """How much of each kind of work waits for `user`, in one query (the top bar shows it on
    every page). Counts hold no patient data: not an audited read."""
    return worklist_counts_with(user=user, extra={})[0]


def worklist_counts_with(
    *, user: User, extra: Mapping[str, BaseExpression]
) -> tuple[dict[WorkItem, int], dict[str, Any]]:
    """The counts, and in the same query the columns `extra`: the home page reads rows of its
    sections with them (self-reports, reassessments: intake/selectors/worklist.py), so that
    its budget holds whatever work waits. ({item: count}, {column: value})."""
    items = access.worklist_items(user)
    if not items and not extra:
        return {}, {}
    today = timezone.localdate()
    annotations: dict[str, Expression] = {}
    parts: dict[WorkItem, list[str]] = {}
    for item in items:
        for i, expression in enumerate(_count_expressions(user, item, today)):
            name = f"n_{item.name.lower()}_{i}"
            annotations[name] = Coalesce(expression, Value(0))
            parts.setdefault(item, []).append(name)
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(**annotations, **extra)
        .values(*annotations, *extra)
        .first()
    ) or {}
    counts = {item: sum(row.get(name, 0) for name in names) for item, names in parts.items()}
    return counts, {name: row.get(name) for name in extra}


def patients_with_open_critical_alerts(qs: QuerySet[Patient]) -> QuerySet[Patient]:
    """Adds `has_critical_alert` (an unacknowledged critical lab value) and
    `has_critical_vital` (an unacknowledged critical vital sign) to list rows, in the same
    query."""
    return qs.annotate(
        has_critical_alert=Exists(
            LabAlert.objects.filter(
                patient=OuterRef("pk"), acknowledged_at__isnull=True, code=CRITICAL
            )
        ),
        has_critical_vital=Exists(
            VitalSignAlert.objects.filter(patient=OuterRef("pk"), acknowledged_at__isnull=True)
        ),
    )
