"""Reading lab orders, results and alerts: the lab list, an order with its history, a
patient's results and alerts (pages and API alike), and how a result reads to people.

The chart's lab card is `selectors.lab_chart`; the medications drug screens are judged against
are `selectors.lab_medication` (re-exported here: the lab service and its tests import them
from this module)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from intake.labs.catalog import DISPLAY_DECIMALS
from intake.labs.interpret import RECOLLECT_STATUSES, display_number
from intake.models import (
    LabAlert,
    LabOrder,
    LabPanel,
    LabResult,
    LabTest,
    LabTestKind,
    OrderStatus,
    Patient,
)

# Re-exported (explicitly, `as` the same name), see above.
from intake.selectors.lab_medication import current_medication_codes as current_medication_codes
from intake.selectors.lab_medication import (
    medication_codes_from_text as medication_codes_from_text,
)

# What each alert code means, for the chart and the order page.
ALERT_LABELS = {
    "critical-value": "Critical value",
    "pregnancy-positive": "Pregnancy test positive",
    "qtc-prolonged": "QTc prolonged (over 450 ms)",
    "buprenorphine-without-metabolite": (
        "Buprenorphine without norbuprenorphine: the sample may have been spiked"
    ),
    "methadone-without-metabolite": "Methadone without EDDP: the sample may have been spiked",
}

OPEN_ORDER_STATUSES = (OrderStatus.ORDERED, OrderStatus.COLLECTED)


def label_alerts(alerts: Iterable[LabAlert]) -> None:
    for alert in alerts:
        alert.label = ALERT_LABELS.get(alert.code, alert.code)


def plain_decimal(value: Decimal | None) -> Decimal | None:
    """520.0000 -> 520, 1.0300 -> 1.03 (never 5E+2)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def reference_text(test: LabTest) -> str:
    """The reference range, cutoff or rule a result is read against, for people."""
    unit = f" {test.unit}" if test.unit else ""

    def num(value: Decimal | None) -> str:
        return f"{plain_decimal(value):f}"

    if test.kind == LabTestKind.SCREEN:
        return f"cutoff {num(test.cutoff)}{unit}" if test.cutoff is not None else "qualitative"
    if test.kind == LabTestKind.RANGED:
        text = f"{num(test.low)}–{num(test.high)}{unit}"
        limits = []
        if test.critical_low is not None:
            limits.append(f"≤ {num(test.critical_low)}")
        if test.critical_high is not None:
            limits.append(f"≥ {num(test.critical_high)}")
        if limits:
            text += f"; critical {' or '.join(limits)}"
        return text
    if test.kind == LabTestKind.DETECT:
        return f"detected above {num(test.high)}{unit}"
    if test.kind == LabTestKind.VALIDITY:
        return {
            "specimen-temperature": "32–38 °C, read within 4 minutes",
            "creatinine": "≥ 20 mg/dL",
            "specific-gravity": "1.0030–1.0200",
            "ph": "4.5–9",
        }.get(test.code, "")
    return "positive / negative"


def result_display_value(code: str, value: Decimal | None) -> str:
    """A result's number with the precision of its test (`198 U/L`, `12.0 g/dL`), for pages,
    printouts and disclosures alike."""
    return display_number(value, DISPLAY_DECIMALS.get(code, 0))


def decorate_results(rows: Iterable[LabResult]) -> None:
    """Adds `display_value` (the number with its test's precision) and `alert_labels`."""
    for row in rows:
        row.display_value = result_display_value(row.test_id, row.value)
        row.alert_labels = [ALERT_LABELS.get(code, code) for code in row.alerts]


def current_results_prefetch() -> Prefetch[str, QuerySet[LabResult], str]:
    return Prefetch(
        "results",
        queryset=LabResult.objects.filter(is_current=True)
        .select_related("test")
        .order_by("test__sort_order", "test_id"),
        to_attr="current_results",
    )


# Lab list, order detail, API -------------------------------------------------------------------


def lab_order_list(*, patient: Patient) -> QuerySet[LabOrder]:
    """A patient's orders, newest first, each with its current results (`current_results`)
    and the number of its open alerts (`open_alert_count`): paginate it, then two queries
    per page."""
    return (
        LabOrder.objects.filter(patient=patient)
        .select_related("panel", "ordered_by")
        .annotate(
            open_alert_count=Count("alert_rows", filter=Q(alert_rows__acknowledged_at__isnull=True))
        )
        .prefetch_related(current_results_prefetch())
        .order_by("-ordered_at", "-id")
    )


@dataclass
class OrderHistory:
    order: LabOrder
    current: list[LabResult]
    superseded: list[LabResult]
    alerts: list[LabAlert]
    recollect_observed: bool


def lab_order_history(*, order: LabOrder) -> OrderHistory:
    """An order's current results, the rows amendments superseded (kept, never edited), and
    every alert with its acknowledgement. Two queries."""
    rows = list(
        LabResult.objects.filter(order=order)
        .select_related("test", "created_by")
        .order_by("test__sort_order", "test_id", "-resulted_at")
    )
    by_id = {row.pk: row for row in rows}
    for row in rows:
        row.reference = reference_text(row.test)
        row.replaced_by = None
    for row in rows:
        if row.supersedes_id in by_id:
            by_id[row.supersedes_id].replaced_by = row
    alerts = list(
        LabAlert.objects.filter(order=order)
        .select_related("result__test", "acknowledged_by")
        .order_by("created_at")
    )
    label_alerts(alerts)
    decorate_results(rows)
    decorate_results(a.result for a in alerts if a.result is not None)
    return OrderHistory(
        order=order,
        current=[r for r in rows if r.is_current],
        superseded=[r for r in rows if not r.is_current],
        alerts=alerts,
        recollect_observed=order.specimen_status in RECOLLECT_STATUSES,
    )


def lab_current_results(*, order: LabOrder) -> list[LabResult]:
    rows = list(
        LabResult.objects.filter(order=order, is_current=True)
        .select_related("test")
        .order_by("test__sort_order", "test_id")
    )
    decorate_results(rows)
    return rows


def lab_result_list(
    *, patient: Patient, test: str = "", since: datetime.datetime | None = None
) -> QuerySet[LabResult]:
    """A patient's current results, newest collection first; `test` a test code, `since` the
    earliest collection time."""
    qs = LabResult.objects.filter(patient=patient, is_current=True)
    if test:
        qs = qs.filter(test_id=test)
    if since is not None:
        qs = qs.filter(order__collected_at__gte=since)
    return qs.select_related("test", "order").order_by(
        "-order__collected_at", "test__sort_order", "test_id", "-resulted_at"
    )


def lab_test_catalog() -> QuerySet[LabTest]:
    """The catalog with each test's panels (two queries)."""
    return LabTest.objects.prefetch_related("panels").order_by("sort_order", "code")


def lab_alert_decorate(alert: LabAlert) -> LabAlert:
    """The labels and result reading the acknowledgement page shows."""
    label_alerts([alert])
    if alert.result is not None:
        decorate_results([alert.result])
    return alert


def lab_test_exists(*, code: str) -> bool:
    """Whether the catalog has a test with this code."""
    return LabTest.objects.filter(code=code).exists()


def lab_panel_tests(*, panel: LabPanel) -> list[LabTest]:
    """A panel's tests in the order the entry and amendment forms list them. One query."""
    return list(panel.tests.order_by("sort_order", "code"))


def lab_alert_list(*, patient: Patient, open_only: bool = True) -> QuerySet[LabAlert]:
    """A patient's alerts, newest first; `open_only` keeps those not acknowledged yet."""
    qs = LabAlert.objects.filter(patient=patient)
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.select_related("result", "acknowledged_by").order_by("-created_at", "id")
