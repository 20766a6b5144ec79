"""One lab order through its life: ordered, collected, resulted (with the interpreted panel's
rows), now and then a result amended the next day, and the alerts the panel raised with the
physician's acknowledgement."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from bench.generate import events, tables
from bench.generate.columns import row_keys
from bench.generate.common import BASE, CopyRow
from bench.generate.pools import RESULT_COLUMNS, Panel
from bench.generate.state import ClinicState

SPECIMEN = {"uds": "urine", "pregnancy": "urine", "ecg": "ecg"}
# Panels read within hours (point of care, ECG); the others go out to the laboratory.
QUICK_PANELS = ("uds", "ecg", "pregnancy")
AMENDED_SHARE = 0.004  # of urine drug screens: a transcription error corrected the next day
ALERTS_RECENT = dt.timedelta(days=21)  # newer alerts may still be open

# intake_labresult holds most of the generated rows: they are assembled as tuples from three
# slices (the entry, the interpretation, the status) rather than from a dict each, which would
# cost a fifth of the build; the slices must spell the model's columns in order.
RESULT_ENTERED = (
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
    "order_id",
    "patient_id",
)
RESULT_STATUS = ("resulted_at", "confirms_id", "supersedes_id", "is_current", "amendment_reason")
if ("id", *RESULT_ENTERED, *RESULT_COLUMNS, *RESULT_STATUS) != row_keys(tables.LAB_RESULT):
    raise RuntimeError(
        f"intake_labresult columns changed: {row_keys(tables.LAB_RESULT)}; update RESULT_*"
    )
IS_CURRENT = row_keys(tables.LAB_RESULT).index("is_current")


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
    state.add(
        tables.LAB_ORDER,
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
        },
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
    """The panel's rows, entered by the collector at `at`; now and then one amended."""
    new_id = state.ids.new
    entered = (at, at, spec.collector, spec.collector, oid, spec.pid)
    status = (at, None, None, True, "")
    result_ids: dict[str, uuid.UUID] = {}
    rows = []
    for template in panel.templates:
        rid = result_ids[template[0]] = new_id("labresult")
        rows.append((rid, *entered, *template, *status))
    if state.audited(at):
        done = events.lab_results_entered(
            result_ids.values(), panel.specimen_status, list(panel.alerts)
        )
        state.audit(at, spec.collector, spec.pid, oid, done)
    if spec.panel == "uds" and state.rng.random() < AMENDED_SHARE:
        rows.append(_amendment(state, spec, oid, panel, rows, result_ids, at))
    state.add_ordered(tables.LAB_RESULT, rows)
    if panel.alerts:
        _alerts(state, spec, oid, panel, result_ids, at)


def _amendment(
    state: ClinicState,
    spec: OrderSpec,
    oid: uuid.UUID,
    panel: Panel,
    rows: list[CopyRow],
    result_ids: dict[str, uuid.UUID],
    resulted_at: dt.datetime,
) -> CopyRow:
    """A transcription error corrected the next day: the old row stays, superseded; returns the
    correcting row."""
    index = next(i for i, r in enumerate(panel.results) if r.test == "thc")
    old_id = rows[index][0]
    rows[index] = (*rows[index][:IS_CURRENT], False, *rows[index][IS_CURRENT + 1 :])
    at = resulted_at + dt.timedelta(hours=20)
    rid = result_ids["thc"] = state.ids.new("labresult")
    entered = (at, at, spec.collector, spec.collector, oid, spec.pid)
    status = (at, None, old_id, True, "Transcription error corrected")
    amended = events.lab_results_amended(["thc"], [old_id], [rid], panel.specimen_status)
    state.audit(at, spec.collector, spec.pid, oid, amended)
    return (rid, *entered, *panel.results[index].columns(), *status)


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
    state.add(
        tables.LAB_ALERT,
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
        },
    )
    if ack:
        state.audit(ack, physician, spec.pid, lid, events.lab_alert_closed("acknowledged", code))
