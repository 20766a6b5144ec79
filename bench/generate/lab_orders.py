"""One lab order through its life: ordered, collected, resulted (with the interpreted panel's
rows), now and then a result amended the next day, and the alerts the panel raised with the
physician's acknowledgement."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from bench.generate import events, tables
from bench.generate.common import BASE, Row
from bench.generate.pools import Panel, ResultRow
from bench.generate.state import ClinicState

SPECIMEN = {"uds": "urine", "pregnancy": "urine", "ecg": "ecg"}
# Panels read within hours (point of care, ECG); the others go out to the laboratory.
QUICK_PANELS = ("uds", "ecg", "pregnancy")
AMENDED_SHARE = 0.004  # of urine drug screens: a transcription error corrected the next day
ALERTS_RECENT = dt.timedelta(days=21)  # newer alerts may still be open


@dataclass(frozen=True)
class OrderSpec:
    """Who orders and collects a panel, when, and who reads its alerts."""

    pid: uuid.UUID
    panel: str
    ordered_by: int
    collector: int
    ordered_at: dt.datetime
    reader: int
    observed: bool = False
    priority: str = "routine"


def order(state: ClinicState, spec: OrderSpec, panel: Panel | None) -> None:
    """The order (no panel: not collected yet), and its results once resulted."""
    oid = state.ids.new("laborder")
    status, collected_at, resulted_at = _progress(state, spec, panel)
    resulted = status == "resulted"
    state.rows[tables.LAB_ORDER].append(
        {
            "id": oid,
            "created_at": spec.ordered_at,
            "updated_at": resulted_at if resulted else (collected_at or spec.ordered_at),
            "created_by_id": spec.ordered_by,
            "updated_by_id": spec.collector if collected_at else spec.ordered_by,
            "patient_id": spec.pid,
            "panel_id": spec.panel,
            "priority": spec.priority,
            "status": status,
            "ordered_by_id": spec.ordered_by,
            "ordered_at": spec.ordered_at,
            "specimen_type": SPECIMEN.get(spec.panel, "blood"),
            "collected_at": collected_at,
            "observed": spec.observed if collected_at else None,
            "collected_by_id": spec.collector if collected_at else None,
            "resulted_at": resulted_at if resulted else None,
            "specimen_status": panel.specimen_status if resulted and panel else "",
            "alerts": list(panel.alerts) if resulted and panel else [],
        }
    )
    ordered = events.lab_ordered(spec.panel, spec.priority)
    state.audit(spec.ordered_at, spec.ordered_by, spec.pid, oid, ordered)
    if resulted and panel is not None:
        _results(state, spec, oid, panel, resulted_at)


def _progress(
    state: ClinicState, spec: OrderSpec, panel: Panel | None
) -> tuple[str, dt.datetime | None, dt.datetime]:
    """Status, collection and result times as of BASE."""
    rng = state.rng
    age = BASE - spec.ordered_at
    status = "resulted"
    if panel is None or age < dt.timedelta(hours=20):
        status = "ordered" if age < dt.timedelta(hours=2) or panel is None else "collected"
    collected_at = spec.ordered_at + dt.timedelta(minutes=rng.randrange(5, 90))
    if spec.panel in QUICK_PANELS:
        resulted_at = collected_at + dt.timedelta(hours=rng.uniform(1, 8))
    else:
        resulted_at = collected_at + dt.timedelta(hours=rng.uniform(20, 70))
    if status == "resulted" and resulted_at > BASE:
        status = "collected"
    return status, (None if status == "ordered" else collected_at), resulted_at


def _results(
    state: ClinicState, spec: OrderSpec, oid: uuid.UUID, panel: Panel, at: dt.datetime
) -> None:
    results = state.rows[tables.LAB_RESULT]
    first = len(results)
    collector = spec.collector
    head = {
        "created_at": at,
        "updated_at": at,
        "created_by_id": collector,
        "updated_by_id": collector,
        "order_id": oid,
        "patient_id": spec.pid,
    }
    tail = {
        "resulted_at": at,
        "confirms_id": None,
        "supersedes_id": None,
        "is_current": True,
        "amendment_reason": "",
    }
    new_id = state.ids.new
    result_ids: dict[str, uuid.UUID] = {}
    for template in panel.templates:
        rid = result_ids[template["test_id"]] = new_id("labresult")
        results.append({"id": rid, **head, **template, **tail})
    if state.audited(at):
        entered = events.lab_results_entered(
            result_ids.values(), panel.specimen_status, list(panel.alerts)
        )
        state.audit(at, collector, spec.pid, oid, entered)
    if spec.panel == "uds" and state.rng.random() < AMENDED_SHARE:
        _amend(state, spec, oid, panel, results[first:], result_ids)
    if panel.alerts:
        _alerts(state, spec, oid, panel, result_ids, at)


def _amend(
    state: ClinicState,
    spec: OrderSpec,
    oid: uuid.UUID,
    panel: Panel,
    rows: list[Row],
    result_ids: dict[str, uuid.UUID],
) -> None:
    """A transcription error corrected the next day: the old row stays, superseded."""
    r: ResultRow = next(x for x in panel.results if x.test == "thc")
    old = rows[panel.results.index(r)]
    old["is_current"] = False
    at = old["resulted_at"] + dt.timedelta(hours=20)
    rid = state.ids.new("labresult")
    collector = spec.collector
    state.rows[tables.LAB_RESULT].append(
        {
            "id": rid,
            "created_at": at,
            "updated_at": at,
            "created_by_id": collector,
            "updated_by_id": collector,
            "order_id": oid,
            "patient_id": spec.pid,
            "test_id": r.test,
            "value": r.value,
            "unit": r.unit,
            "qualitative": r.qualitative,
            "interpretation": r.interpretation,
            "flag": r.flag,
            "expected": r.expected,
            "alerts": list(r.alerts),
            "method": r.method,
            "resulted_at": at,
            "confirms_id": None,
            "supersedes_id": old["id"],
            "is_current": True,
            "amendment_reason": "Transcription error corrected",
        }
    )
    result_ids[r.test] = rid
    amended = events.lab_results_amended([r.test], [old["id"]], [rid], panel.specimen_status)
    state.audit(at, collector, spec.pid, oid, amended)


def _alerts(
    state: ClinicState,
    spec: OrderSpec,
    oid: uuid.UUID,
    panel: Panel,
    result_ids: dict[str, uuid.UUID],
    at: dt.datetime,
) -> None:
    """One alert row per result alert, then the order's own alerts no result raised."""
    recent = BASE - at < ALERTS_RECENT
    for r in panel.results:
        for code in r.alerts:
            _alert(state, spec, oid, result_ids[r.test], code, at, recent)
    result_codes = {c for r in panel.results for c in r.alerts}
    for code in panel.alerts:
        if code not in result_codes:
            _alert(state, spec, oid, None, code, at, recent)


def _alert(
    state: ClinicState,
    spec: OrderSpec,
    oid: uuid.UUID,
    rid: uuid.UUID | None,
    code: str,
    at: dt.datetime,
    recent: bool,
) -> None:
    """The alert; the reading physician acknowledges it within hours (a recent one may be open)."""
    rng, physician = state.rng, spec.reader
    lid = state.ids.new("labalert")
    open_ = recent and rng.random() < 0.5
    ack = None if open_ else at + dt.timedelta(hours=rng.uniform(1, 30))
    if ack is not None and ack > BASE:
        ack = None
    state.rows[tables.LAB_ALERT].append(
        {
            "id": lid,
            "created_at": at,
            "updated_at": ack or at,
            "created_by_id": None,
            "updated_by_id": physician if ack else None,
            "patient_id": spec.pid,
            "order_id": oid,
            "result_id": rid,
            "code": code,
            "acknowledged_at": ack,
            "acknowledged_by_id": physician if ack else None,
            "acknowledgement_note": "Reviewed with the patient." if ack else "",
            "closure": "acknowledged" if ack else "",
        }
    )
    if ack:
        state.audit(ack, physician, spec.pid, lid, events.lab_alert_closed("acknowledged", code))
