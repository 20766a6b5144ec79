"""Amending a resulted lab order: corrections add rows that supersede the old ones (which stay
in the history), the whole panel is interpreted again, and the alerts of superseded rows close.
Shares the checks and row building of `intake.services.lab`."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.models import AlertClosure, AuditAction, LabOrder, LabResult, OrderStatus
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


def _entry_of(row: LabResult) -> dict:
    return {
        "test": row.test_id,
        "value": row.value,
        "qualitative": row.qualitative or None,
    }


def _differs(row: LabResult, derived: Mapping) -> bool:
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


def _reason_errors(reason) -> tuple[dict[str, list[str]], str]:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        return {"reason": ["Give the reason for the amendment."]}, reason
    if len(reason) > REASON_MAX:
        return {"reason": [f"Keep the reason under {REASON_MAX} characters."]}, reason
    return {}, reason


def _amendment(
    order: LabOrder, tests, current: Mapping[str, LabResult], corrections, reason
) -> tuple[dict[str, list[str]], dict | None, set[str], str]:
    """(errors, interpretation of the corrected panel, corrected test codes, clean reason)."""
    errors, reason = _reason_errors(reason)
    accepted, entry_errors = _check_entries(order, tests, corrections)
    errors.update(entry_errors)
    by_code: dict[str, Mapping] = {}
    unnamed = []
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


def lab_results_amend_check(*, order: LabOrder, corrections, reason) -> dict[str, list[str]]:
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
def lab_results_amend(*, actor, order: LabOrder, corrections, reason: str) -> LabRecording:
    """Correct a resulted order. `corrections`: [{"test", "value"?, "qualitative"?}] for the
    analytes that were wrong (or missing). The whole panel is interpreted again with the
    corrected values; every result whose value or derived reading changes gets a new row that
    supersedes the old one, carrying the reason (rows that change only because another value
    was corrected say so). Old rows stay, no longer current. The open alerts of a superseded
    row are closed ("superseded by amendment", audited), and so are open order alerts the
    corrected panel no longer raises; the new rows raise their own alerts if still critical, so
    an ECG amended three times leaves one open alert, not four."""
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
    tests = _panel_tests(order)
    current = {
        row.test_id: row
        for row in LabResult.objects.select_for_update(of=("self",), no_key=True)
        .select_related("test")
        .filter(order=order, is_current=True)
    }
    errors, interpreted, corrected, reason = _amendment(order, tests, current, corrections, reason)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    new_rows, superseded = [], []
    for derived in interpreted["results"]:
        code = derived["test"]
        old = current.get(code)
        if old is not None and not _differs(old, derived):
            continue
        row = _result_row(actor=actor, order=order, test=tests[code], derived=derived, at=now)
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
    lab_alerts_close_superseded(
        actor=actor,
        order=order,
        superseded=superseded,
        still_raised=set(interpreted["alerts"]),
        reason=reason,
        at=now,
    )
    existing = set(
        order.alert_rows.exclude(closure=AlertClosure.SUPERSEDED).values_list("code", flat=True)
    )
    new_alerts = lab_alert_rows_create(
        actor=actor,
        order=order,
        rows=new_rows,
        order_alerts=interpreted["alerts"],
        existing=existing,
    )
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
    unchanged = [row for code, row in current.items() if row not in superseded]
    return LabRecording(
        order=order,
        results=_in_panel_order(unchanged + new_rows, tests),
        alerts=list(order.alerts),
        new_alerts=new_alerts,
        superseded=superseded,
    )
