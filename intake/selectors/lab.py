"""Reading lab orders and results: the chart's lab card, the lab list, an order with its
history, the API's result list, and the medications drug screens are judged against."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from intake import access
from intake.access import Perm
from intake.labs.catalog import DISPLAY_DECIMALS
from intake.labs.interpret import RECOLLECT_STATUSES, display_number
from intake.models import (
    Interview,
    LabAlert,
    LabOrder,
    LabResult,
    LabTest,
    LabTestKind,
    OrderStatus,
    Patient,
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
TREND_TESTS = ("alt", "qtc")
# The chart reads at most this many orders of each panel (the lab list has them all).
CHART_ORDERS_PER_PANEL = 20
DRUG_SCREEN_ROWS = 10


# Current medications ---------------------------------------------------------------------------

# Medication code (docs/clinical-rules.md#medicines) -> how clinicians write it. Checked in this
# order, and a matched span is blanked out, so "buprenorphine-naloxone" is not also read as
# plain buprenorphine.
_MEDICATION_PATTERNS = (
    (
        "buprenorphine-xr",
        r"buprenorphine[\s-]*(?:xr|er|extended[\s-]*release)\b|\bsublocade\b|\bbrixadi\b",
    ),
    (
        "buprenorphine-naloxone",
        r"buprenorphine\s*(?:-|/|\+|\band\b|\bwith\b)?\s*naloxone\b|\bsuboxone\b|\bzubsolv\b"
        r"|\bbunavail\b",
    ),
    ("buprenorphine", r"\bbuprenorphine\b|\bsubutex\b"),
    ("methadone", r"\bmethadone\b|\bmethadose\b|\bdolophine\b"),
)
_MEDICATION_RES = tuple((code, re.compile(pattern)) for code, pattern in _MEDICATION_PATTERNS)
# A clause that says the drug is not taken now ("stopped methadone in 2019", "no suboxone").
_CLAUSE_SPLIT = re.compile(r"[.;,\n]|\bbut\b|\bnow\b")
_NEGATION = re.compile(
    r"\b(?:no|not|denies|denied|stopped|discontinued|quit|off|former|formerly|previously|past"
    r"|history of|hx of)\b"
)


def medication_codes_from_text(text: str) -> set[str]:
    """Medication codes named in free text, skipping a mention its clause negates before it."""
    codes: set[str] = set()
    for clause in _CLAUSE_SPLIT.split((text or "").lower()):
        for code, pattern in _MEDICATION_RES:
            for match in pattern.finditer(clause):
                if not _NEGATION.search(clause[: match.start()]):
                    codes.add(code)
            clause = pattern.sub(lambda m: " " * len(m.group()), clause)
    return codes


def current_medication_codes(
    *, patient: Patient, collected_on: datetime.date | None = None
) -> set[str]:
    """The medication codes drug screens are judged against (`expected`).

    The active plan's medications when it has any (docs/clinical-rules.md#expected-results),
    counting a line only for a specimen collected from the day after its start date through its
    end date: a specimen taken on the start date may precede the first dose, so a negative then
    is not "unexpected", and after the end date the drug is no longer prescribed.
    `collected_on` None (no collection date) counts every line. Before any plan with
    medications is signed, the `current_medications` the latest intake interview recorded (a
    patient transferring on buprenorphine from elsewhere). One or two queries."""
    from intake.models import PlanMedication

    lines = list(
        PlanMedication.objects.filter(plan__patient=patient, plan__status="active").values_list(
            "drug", "start_date", "end_date"
        )
    )
    if lines:
        return {
            drug
            for drug, start, end in lines
            if collected_on is None
            or (start < collected_on and (end is None or collected_on <= end))
        }
    text = (
        Interview.objects.filter(patient=patient)
        .order_by("-interviewed_on", "-created_at")
        .values_list("current_medications", flat=True)
        .first()
    )
    return medication_codes_from_text(text or "")


# Chart -----------------------------------------------------------------------------------------


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


def _label_alerts(alerts) -> None:
    for alert in alerts:
        alert.label = ALERT_LABELS.get(alert.code, alert.code)


def _group_alerts(alerts: list[LabAlert]) -> list[AlertGroup]:
    groups: dict[tuple, AlertGroup] = {}
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
    screened.sort(key=lambda o: o.collected_at, reverse=True)
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


def _trends(orders: list[LabOrder]) -> dict:
    """ALT and QTc over time, oldest first, for the chart's graphs (JSON-ready)."""
    trends: dict[str, dict] = {}
    for order in sorted(
        (o for o in orders if o.status == OrderStatus.RESULTED), key=lambda o: o.collected_at
    ):
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
                    "x": order.collected_at.isoformat(),
                    "y": _number(result.value),
                    "flag": result.flag,
                }
            )
    return {code: trends[code] for code in TREND_TESTS if code in trends}


def plain_decimal(value: Decimal | None) -> Decimal | None:
    """520.0000 -> 520, 1.0300 -> 1.03 (never 5E+2)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def reference_text(test: LabTest) -> str:
    """The reference range, cutoff or rule a result is read against, for people."""
    unit = f" {test.unit}" if test.unit else ""

    def num(value) -> str:
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


def decorate_results(rows) -> None:
    """Adds `display_value` (the number with its test's precision) and `alert_labels`."""
    for row in rows:
        row.display_value = result_display_value(row.test_id, row.value)
        row.alert_labels = [ALERT_LABELS.get(code, code) for code in row.alerts]


def _number(value):
    return None if value is None else float(value)


def _current_results_prefetch() -> Prefetch:
    return Prefetch(
        "results",
        queryset=LabResult.objects.filter(is_current=True)
        .select_related("test")
        .order_by("test__sort_order", "test_id"),
        to_attr="current_results",
    )


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
        .prefetch_related(_current_results_prefetch())
        .order_by("-ordered_at")
    )
    return list(ranked)


def lab_chart_section(*, patient: Patient, user) -> dict:
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
    _label_alerts(open_alerts)
    decorate_results(a.result for a in open_alerts if a.result is not None)

    latest: dict[str, LabResult] = {}
    for order in sorted(
        (o for o in orders if o.status == OrderStatus.RESULTED),
        key=lambda o: o.collected_at,
        reverse=True,
    ):
        for result in order.current_results:
            if result.test.kind in (LabTestKind.SCREEN, LabTestKind.VALIDITY):
                continue
            if result.test_id not in latest:
                result.collected_at = order.collected_at
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
        .prefetch_related(_current_results_prefetch())
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
    _label_alerts(alerts)
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
    _label_alerts([alert])
    if alert.result is not None:
        decorate_results([alert.result])
    return alert
