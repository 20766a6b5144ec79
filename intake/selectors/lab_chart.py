"""The chart's lab card: latest results with flags, open alerts grouped by finding, the
drug-screen table, ALT and QTc trends, open orders, and the recollection a bad specimen needs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from intake import access
from intake.access import Perm
from intake.labs.interpret import RECOLLECT_STATUSES
from intake.models import LabAlert, LabOrder, LabResult, LabTest, LabTestKind, OrderStatus, Patient
from intake.selectors.lab import (
    OPEN_ORDER_STATUSES,
    current_results_prefetch,
    decorate_results,
    label_alerts,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TREND_TESTS = ("alt", "qtc")
# The chart reads at most this many orders of each panel (the lab list has them all).
CHART_ORDERS_PER_PANEL = 20
DRUG_SCREEN_ROWS = 10


@dataclass
class AlertGroup:
    """Open alerts about one finding (one result, or the order for metabolite alerts)."""

    alerts: list[LabAlert]
    order: LabOrder
    result: LabResult | None

    @property
    def first(self) -> LabAlert:
        return self.alerts[0]


@dataclass
class DrugScreenRow:
    order: LabOrder
    cells: list[LabResult | None]
    unexpected: int = 0


@dataclass
class DrugScreenTable:
    columns: list[LabTest] = field(default_factory=list)
    rows: list[DrugScreenRow] = field(default_factory=list)


def _collected_at(order: LabOrder) -> datetime.datetime:
    """When a resulted order's specimen was collected: the sort key of the card's tables."""
    # Only resulted orders come here, and the database requires a resulted order to have its
    # collection time (constraint intake_laborder_resulted_has_times), so it is never None.
    return cast(datetime.datetime, order.collected_at)


def _group_alerts(alerts: list[LabAlert]) -> list[AlertGroup]:
    groups: dict[tuple[object, object], AlertGroup] = {}
    for alert in alerts:
        key = (alert.order_id, alert.result_id or alert.pk)
        if key not in groups:
            groups[key] = AlertGroup(alerts=[], order=alert.order, result=alert.result)
        groups[key].alerts.append(alert)
    return list(groups.values())


def drug_screen_table(orders: list[LabOrder]) -> DrugScreenTable:
    """One row per urine drug screen collection (newest first), one column per analyte;
    from orders whose `current_results` are loaded."""
    table = DrugScreenTable()
    screened = [o for o in orders if o.status == OrderStatus.RESULTED and o.panel_id == "uds"]
    columns: dict[str, LabTest] = {}
    for order in screened:
        for result in order.current_results:
            if result.test.kind == LabTestKind.SCREEN:
                columns.setdefault(result.test_id, result.test)
    table.columns = sorted(columns.values(), key=lambda t: (t.sort_order, t.code))
    screened.sort(key=_collected_at, reverse=True)
    for order in screened[:DRUG_SCREEN_ROWS]:
        by_test = {r.test_id: r for r in order.current_results}
        cells = [by_test.get(test.code) for test in table.columns]
        table.rows.append(
            DrugScreenRow(
                order=order,
                cells=cells,
                unexpected=sum(1 for c in cells if c is not None and c.expected is False),
            )
        )
    return table


def _trends(orders: list[LabOrder]) -> dict[str, dict[str, Any]]:
    """ALT and QTc over time, oldest first, for the chart's graphs (JSON-ready)."""
    trends: dict[str, dict[str, Any]] = {}
    for order in sorted((o for o in orders if o.status == OrderStatus.RESULTED), key=_collected_at):
        for result in order.current_results:
            if result.test_id not in TREND_TESTS or result.value is None:
                continue
            test = result.test
            series = trends.setdefault(
                test.code,
                {
                    "code": test.code,
                    "name": test.name,
                    "unit": test.unit,
                    "low": _number(test.low),
                    "high": _number(test.high),
                    "critical_high": _number(test.critical_high),
                    "points": [],
                },
            )
            series["points"].append(
                {
                    "x": _collected_at(order).isoformat(),
                    "y": _number(result.value),
                    "flag": result.flag,
                }
            )
    return {code: trends[code] for code in TREND_TESTS if code in trends}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _recent_orders(patient: Patient) -> list[LabOrder]:
    """The latest CHART_ORDERS_PER_PANEL orders of each panel with their current results
    (two queries whatever the number of orders)."""
    ranked = (
        LabOrder.objects.filter(patient=patient)
        .annotate(
            panel_rank=Window(
                RowNumber(),
                partition_by=[F("panel_id")],
                order_by=[F("ordered_at").desc(), F("id").desc()],
            )
        )
        .filter(panel_rank__lte=CHART_ORDERS_PER_PANEL)
        .select_related("panel")
        .prefetch_related(current_results_prefetch())
        .order_by("-ordered_at")
    )
    return list(ranked)


def lab_chart_section(*, patient: Patient, user: User) -> dict[str, Any]:
    """The chart's lab card, in three queries whatever the number of orders and results:
    the latest results with flags, open alerts grouped by finding, the drug-screen table,
    ALT and QTc trends, open orders and whether the latest urine specimen needs an observed
    recollection."""
    if not access.can(user, Perm.LAB_VIEW, patient):
        return {"visible": False}
    orders = _recent_orders(patient)
    decorate_results(r for o in orders for r in o.current_results)
    open_alerts = list(
        LabAlert.objects.filter(patient=patient, acknowledged_at__isnull=True)
        .select_related("order__panel", "result__test")
        .order_by("-created_at")
    )
    label_alerts(open_alerts)
    decorate_results(a.result for a in open_alerts if a.result is not None)

    latest: dict[str, LabResult] = {}
    for order in sorted(
        (o for o in orders if o.status == OrderStatus.RESULTED),
        key=_collected_at,
        reverse=True,
    ):
        for result in order.current_results:
            if result.test.kind in (LabTestKind.SCREEN, LabTestKind.VALIDITY):
                continue
            if result.test_id not in latest:
                result.collected_at = _collected_at(order)
                latest[result.test_id] = result
    latest_results = sorted(latest.values(), key=lambda r: (r.test.sort_order, r.test_id))

    screens = drug_screen_table(orders)
    latest_uds = screens.rows[0].order if screens.rows else None
    pending = [o for o in orders if o.status in OPEN_ORDER_STATUSES]
    recollect = None
    if latest_uds is not None and latest_uds.specimen_status in RECOLLECT_STATUSES:
        recollect = {
            "order": latest_uds,
            "pending": next((o for o in pending if o.panel_id == "uds"), None),
        }
    return {
        "visible": True,
        "latest": latest_results,
        "alert_groups": _group_alerts(open_alerts),
        "open_alerts": open_alerts,
        "drug_screens": screens,
        "trends": _trends(orders),
        "pending": pending,
        "recollect": recollect,
        "can_order": access.can(user, Perm.LAB_ORDER, patient),
        "can_enter": access.can(user, Perm.LAB_RESULT_ENTER, patient),
        "can_acknowledge": access.can(user, Perm.LAB_ALERT_ACK, patient),
    }
