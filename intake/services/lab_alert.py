"""Lab alerts: the rows a result or an order raises, their closure by a physician's
acknowledgement or by an amendment that supersedes the result, each audited."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from intake.exceptions import RecordSigned
from intake.models import AlertClosure, AuditAction, LabAlert, LabOrder, LabResult
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def lab_alert_rows_create(
    *,
    actor: User,
    order: LabOrder,
    rows: list[LabResult],
    order_alerts: list[str],
    existing: set[str],
) -> list[LabAlert]:
    """An alert row per alert of each new result, and per order alert (metabolite missing)
    that the order does not already carry."""
    alerts = []
    result_codes = set()
    for row in rows:
        for code in row.alerts:
            result_codes.add(code)
            alerts.append(LabAlert(patient_id=order.patient_id, order=order, result=row, code=code))
    for code in order_alerts:
        if code not in result_codes and code not in existing:
            alerts.append(
                LabAlert(patient_id=order.patient_id, order=order, result=None, code=code)
            )
    for alert in alerts:
        alert.created_by = alert.updated_by = actor
    return LabAlert.objects.bulk_create(alerts)


def _close_alert(
    *, actor: User, alert: LabAlert, note: str, closure: str, at: datetime.datetime
) -> None:
    alert.acknowledged_at = at
    alert.acknowledged_by = actor
    alert.acknowledgement_note = note
    alert.closure = closure
    alert.updated_by = actor
    alert.save(
        update_fields=[
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_note",
            "closure",
            "updated_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=alert.patient_id,
        obj=alert,
        object_type="lab-alert",
        detail={"change": closure, "code": alert.code},
    )


def lab_alerts_close_superseded(
    *,
    actor: User,
    order: LabOrder,
    superseded: list[LabResult],
    still_raised: set[str],
    reason: str,
    at: datetime.datetime,
) -> None:
    """Close the open alerts of the rows an amendment replaced, and the open order alerts
    (missing metabolite) the amended panel no longer raises."""
    stale = LabAlert.objects.select_for_update(no_key=True).filter(
        Q(result__in=superseded) | (Q(result__isnull=True) & ~Q(code__in=still_raised)),
        order=order,
        acknowledged_at__isnull=True,
    )
    note = f"Superseded by amendment: {reason}"
    # Locked in key order (docs/concurrency.md), closed oldest first.
    for alert in sorted(stale.order_by("pk"), key=lambda a: a.created_at):
        _close_alert(actor=actor, alert=alert, note=note, closure=AlertClosure.SUPERSEDED, at=at)


# Alerts ----------------------------------------------------------------------------------------


@transaction.atomic
def lab_alert_acknowledge(*, actor: User, alert: LabAlert, note: str) -> list[LabAlert]:
    """A physician acknowledges a finding, with a note of what was done. The open alerts
    raised by the same result (a QTc of 520 ms is both `critical-value` and `qtc-prolonged`)
    are one finding and are acknowledged together; each gets its own audit event."""
    note = (note or "").strip() if isinstance(note, str) else ""
    if not note:
        raise ValidationError({"note": ["Say what was done about this finding."]})
    # The whole finding is locked in one statement, in primary-key order (docs/concurrency.md):
    # locking this alert first and its siblings after deadlocked when two physicians
    # acknowledged two alerts of one result at once.
    siblings = Q(result_id=alert.result_id) if alert.result_id is not None else Q(pk=alert.pk)
    locked = {
        row.pk: row
        for row in LabAlert.objects.select_for_update(no_key=True)
        .filter(siblings | Q(pk=alert.pk))
        .order_by("pk")
    }
    alert = locked[alert.pk]
    if alert.closure == AlertClosure.SUPERSEDED:
        raise RecordSigned(
            "This alert was closed when its result was amended; see the amended result."
        )
    if alert.acknowledged_at is not None:
        raise RecordSigned("This alert was already acknowledged.")
    group = [alert] + sorted(
        (row for pk, row in locked.items() if pk != alert.pk and row.acknowledged_at is None),
        key=lambda row: row.created_at,
    )
    now = timezone.now()
    for row in group:
        _close_alert(actor=actor, alert=row, note=note, closure=AlertClosure.ACKNOWLEDGED, at=now)
    return group
