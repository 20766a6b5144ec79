"""Amending a resulted lab order: corrections add rows that supersede the old ones (which stay
in the history), the whole panel is interpreted again, and the alerts of superseded rows close.
Shares the checks and row building of `intake.services.lab`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.models import (
    AlertClosure,
    AuditAction,
    LabAlert,
    LabOrder,
    LabResult,
    LabTest,
    OrderStatus,
)
from intake.services.audit import audit_record
from intake.services.lab import (
    DERIVED_FIELDS,
    REASON_MAX,
    LabRecording,
    _check_entries,
    _clean_rows,
    _in_panel_order,
    _interpret,
    _panel_tests,
    _result_row,
)
from intake.services.lab_alert import lab_alert_rows_create, lab_alerts_close_superseded

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _entry_of(row: LabResult) -> dict[str, Any]:
    return {
        "test": row.test_id,
        "value": row.value,
        "qualitative": row.qualitative or None,
    }


def _differs(row: LabResult, derived: Mapping[str, Any]) -> bool:
    stored = {
        "value": row.value,
        "qualitative": row.qualitative or None,
        "interpretation": row.interpretation or None,
        "flag": row.flag or None,
        "expected": row.expected,
        "alerts": list(row.alerts),
    }
    return any(
        stored[key] != (derived[key] if key != "alerts" else list(derived[key]))
        for key in DERIVED_FIELDS
    )


def _reason_errors(reason: object) -> tuple[dict[str, list[str]], str]:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        return {"reason": ["Give the reason for the amendment."]}, reason
    if len(reason) > REASON_MAX:
        return {"reason": [f"Keep the reason under {REASON_MAX} characters."]}, reason
    return {}, reason


def _amendment(
    order: LabOrder,
    tests: Mapping[str, LabTest],
    current: Mapping[str, LabResult],
    corrections: object,
    reason: object,
) -> tuple[dict[str, list[str]], dict[str, Any] | None, set[str], str]:
    """(errors, interpretation of the corrected panel, corrected test codes, clean reason); the
    interpretation is None only with errors."""
    errors, reason = _reason_errors(reason)
    accepted, entry_errors = _check_entries(order, tests, corrections)
    errors.update(entry_errors)
    by_code: dict[str, Mapping[str, Any]] = {}
    unnamed: list[Mapping[str, Any]] = []
    for entry in accepted:
        code = entry.get("test")
        if not isinstance(code, str) or not code:
            unnamed.append(entry)  # interpret_panel names these under "test"
        elif code in by_code:
            errors.setdefault(code, []).append("Reported more than once.")
        else:
            by_code[code] = entry
    entries = [
        by_code[code] if code in by_code else _entry_of(current[code])
        for code in tests
        if code in by_code or code in current
    ] + unnamed
    interpreted = None
    if accepted:
        try:
            interpreted = _interpret(order, tests, entries, order.collected_at)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return errors, interpreted, set(by_code), reason


def lab_results_amend_check(
    *, order: LabOrder, corrections: object, reason: object
) -> dict[str, list[str]]:
    """What `lab_results_amend` would refuse, without storing anything (the amendment page
    reports every bad field at once, as the results page does)."""
    if order.status != OrderStatus.RESULTED:
        return {"results": ["Only a resulted order can be amended; enter its results."]}
    current = {
        row.test_id: row
        for row in LabResult.objects.select_related("test").filter(order=order, is_current=True)
    }
    errors, _, _, _ = _amendment(order, _panel_tests(order), current, corrections, reason)
    return errors


@transaction.atomic
def lab_results_amend(
    *,
    actor: User,
    order: LabOrder,
    corrections: Iterable[Mapping[str, Any]],
    reason: str,
) -> LabRecording:
    """Correct a resulted order. `corrections`: [{"test", "value"?, "qualitative"?}] for the
    analytes that were wrong (or missing). The whole panel is interpreted again with the
    corrected values; every result whose value or derived reading changes gets a new row that
    supersedes the old one, carrying the reason (rows that change only because another value
    was corrected say so). Old rows stay, no longer current. The open alerts of a superseded
    row are closed ("superseded by amendment", audited), and so are open order alerts the
    corrected panel no longer raises; the new rows raise their own alerts if still critical, so
    an ECG amended three times leaves one open alert, not four."""
    # Locks in the order of docs/concurrency.md: the order (3), then its current results (4).
    order = _lock_resulted_order(order, reason)
    tests = _panel_tests(order)
    current = _lock_current_results(order)
    errors, interpreted, corrected, reason = _amendment(order, tests, current, corrections, reason)
    if errors:
        raise ValidationError(errors)
    assert interpreted is not None  # _amendment interprets the panel whenever it finds no error

    now = timezone.now()
    new_rows, superseded = _superseding_rows(
        actor=actor,
        order=order,
        tests=tests,
        current=current,
        derived_results=interpreted["results"],
        corrected=corrected,
        reason=reason,
        at=now,
    )
    _store_amendment(actor, order, new_rows, superseded, interpreted)
    new_alerts = _reconcile_alerts(
        actor=actor,
        order=order,
        new_rows=new_rows,
        superseded=superseded,
        order_alerts=interpreted["alerts"],
        reason=reason,
        at=now,
    )
    _audit_amended(actor, order, corrected, superseded, new_rows)
    unchanged = [row for code, row in current.items() if row not in superseded]
    return LabRecording(
        order=order,
        results=_in_panel_order(unchanged + new_rows, tests),
        alerts=list(order.alerts),
        new_alerts=new_alerts,
        superseded=superseded,
    )


def _lock_resulted_order(order: LabOrder, reason: object) -> LabOrder:
    """The order, locked; refused (with any problem with the reason) unless it is resulted."""
    order = (
        LabOrder.objects.select_for_update(no_key=True)
        .select_related("panel", "patient")
        .get(pk=order.pk)
    )
    if order.status != OrderStatus.RESULTED:
        raise ValidationError(
            {
                **_reason_errors(reason)[0],
                "results": ["Only a resulted order can be amended; enter its results."],
            }
        )
    return order


def _lock_current_results(order: LabOrder) -> dict[str, LabResult]:
    """The order's current results by test code, locked in one statement in key order."""
    return {
        row.test_id: row
        for row in LabResult.objects.select_for_update(of=("self",), no_key=True)
        .select_related("test")
        .filter(order=order, is_current=True)
    }


def _superseding_rows(
    *,
    actor: User,
    order: LabOrder,
    tests: Mapping[str, LabTest],
    current: Mapping[str, LabResult],
    derived_results: Iterable[Mapping[str, Any]],
    corrected: set[str],
    reason: str,
    at: datetime.datetime,
) -> tuple[list[LabResult], list[LabResult]]:
    """(new rows, the current rows they supersede) for every result whose reading changes;
    ValidationError when none does."""
    new_rows: list[LabResult] = []
    superseded: list[LabResult] = []
    for derived in derived_results:
        code = derived["test"]
        old = current.get(code)
        if old is not None and not _differs(old, derived):
            continue
        row = _result_row(actor=actor, order=order, test=tests[code], derived=derived, at=at)
        row.amendment_reason = (
            reason
            if code in corrected
            else f"Re-derived after an amendment of this order: {reason}"[:REASON_MAX]
        )
        row.supersedes = old
        new_rows.append(row)
        if old is not None:
            superseded.append(old)
    if not new_rows:
        raise ValidationError(
            {"results": ["These are the results already on record; nothing to amend."]}
        )
    return new_rows, superseded


def _store_amendment(
    actor: User,
    order: LabOrder,
    new_rows: list[LabResult],
    superseded: list[LabResult],
    interpreted: Mapping[str, Any],
) -> None:
    """Retire the superseded rows, add the new ones and store the panel's new reading."""
    _clean_rows(new_rows)
    for old in superseded:
        old.is_current = False
        old.updated_by = actor
        old.save(update_fields=["is_current", "updated_by", "updated_at"])
    LabResult.objects.bulk_create(new_rows)

    order.specimen_status = interpreted["specimen_status"]
    order.alerts = interpreted["alerts"]
    order.updated_by = actor
    order.full_clean()
    order.save(update_fields=["specimen_status", "alerts", "updated_by", "updated_at"])


def _reconcile_alerts(
    *,
    actor: User,
    order: LabOrder,
    new_rows: list[LabResult],
    superseded: list[LabResult],
    order_alerts: list[str],
    reason: str,
    at: datetime.datetime,
) -> list[LabAlert]:
    """Close the open alerts of superseded rows and those the panel no longer raises, then
    raise the new rows' alerts that are not already open; the alert rows created."""
    lab_alerts_close_superseded(
        actor=actor,
        order=order,
        superseded=superseded,
        still_raised=set(order_alerts),
        reason=reason,
        at=at,
    )
    existing = set(
        order.alert_rows.exclude(closure=AlertClosure.SUPERSEDED).values_list("code", flat=True)
    )
    return lab_alert_rows_create(
        actor=actor,
        order=order,
        rows=new_rows,
        order_alerts=order_alerts,
        existing=existing,
    )


def _audit_amended(
    actor: User,
    order: LabOrder,
    corrected: set[str],
    superseded: list[LabResult],
    new_rows: list[LabResult],
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=order.patient_id,
        obj=order,
        object_type="lab-result",
        detail={
            "change": "amended",
            "corrected_tests": sorted(corrected),
            "superseded": [str(r.pk) for r in superseded],
            "results": [str(r.pk) for r in new_rows],
            "specimen_status": order.specimen_status,
        },
    )
