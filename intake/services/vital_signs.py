"""Recording vital signs and acknowledging the alerts their critical values raise, each in
one transaction and audited (docs/clinical-rules.md#vital-signs).

Every measure is checked against docs/clinical-rules.md#vital-signs by intake/vital_signs_rules.py:
a value outside the plausible limits refuses the whole set, naming the field, and nothing is
stored. Each critical value raises one `critical-vital` alert (a VitalSignAlert row), open on
the chart and on the worklist of the patient's nurses and physicians until one of them
acknowledges it with a note."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import vital_signs_rules as rules
from intake.dates import past_date_error
from intake.exceptions import RecordSigned
from intake.models import AuditAction, Patient, VitalSignAlert, VitalSigns
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A reading stamped a little ahead of the server's clock (a device or a workstation a minute
# fast) is not "in the future"; more than this is a typing error.
CLOCK_SKEW = datetime.timedelta(minutes=2)
MAX_NOTE = 2000
MAX_VOID_REASON = 300


def _taken_at_errors(taken_at: object, patient: Patient) -> list[str]:
    if not isinstance(taken_at, datetime.datetime):
        return ["Give the date and time the vital signs were taken."]
    if timezone.is_naive(taken_at):
        taken_at = timezone.make_aware(taken_at)
    if taken_at > timezone.now() + CLOCK_SKEW:
        return ["The time taken cannot be in the future."]
    # Only "too early" is left to check: a time within the allowed skew may already be
    # tomorrow in the clinic's zone just before midnight, which a date comparison would refuse.
    too_early = past_date_error(
        min(taken_at, timezone.now()), patient=patient, what="The time taken"
    )
    return [too_early] if too_early else []


def _measures(values: dict[str, Any]) -> dict[str, Decimal | int]:
    """The measures taken, as stored: whole numbers as int, the others to their tenth."""
    taken: dict[str, Decimal | int] = {}
    for code, measure in rules.MEASURES.items():
        value = values.get(code)
        if value is None:
            continue
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        taken[code] = round(number, measure.places) if measure.places else int(number)
    return taken


@transaction.atomic
def vital_signs_record(
    *, actor: User, patient: Patient, taken_at: datetime.datetime, values: dict[str, Any]
) -> VitalSigns:
    """Record one set of vital signs: every field checked first (ValidationError by field,
    nothing stored), then the set with its flags, one alert per critical measure, and the
    audit events of both."""
    found = rules.errors(values)
    when = _taken_at_errors(taken_at, patient)
    if when:
        found["taken_at"] = when
    elif timezone.is_naive(taken_at):  # a naive time is the clinic's (USE_TZ stores UTC)
        taken_at = timezone.make_aware(taken_at)
    if found:
        raise ValidationError(found)
    measures = _measures(values)
    flags = rules.flags(measures)
    vitals = VitalSigns.objects.create(
        patient=patient,
        taken_at=taken_at,
        flags=flags,
        created_by=actor,
        updated_by=actor,
        **measures,
    )
    codes = rules.alerts(flags)
    vitals.open_alerts = VitalSignAlert.objects.bulk_create(
        [
            VitalSignAlert(
                patient=patient,
                vital_signs=vitals,
                measure=measure,
                code=rules.CRITICAL_VITAL,
                created_by=actor,
                updated_by=actor,
            )
            for measure in codes
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=vitals,
        object_type="vital-signs",
        # Which measures, flags and alerts: no values (the audit log is not the chart).
        detail={"measures": sorted(measures), "critical": codes},
    )
    return vitals


def _close(alert: VitalSignAlert, *, actor: User, note: str, at: datetime.datetime) -> None:
    """Close an open alert (the caller holds its row lock): acknowledged, or closed because its
    set was entered in error."""
    alert.acknowledged_at, alert.acknowledged_by = at, actor
    alert.acknowledgement_note = note
    alert.updated_by = actor
    alert.save(
        update_fields=[
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_note",
            "updated_by",
            "updated_at",
        ]
    )


@transaction.atomic
def vital_sign_alert_acknowledge(
    *, actor: User, alert: VitalSignAlert, note: str
) -> VitalSignAlert:
    """A nurse or a physician acknowledges a critical vital sign with a note of what was
    done; a second acknowledgement (two at the bedside at once) is refused, not doubled."""
    note = note.strip() if isinstance(note, str) else ""
    if not note:
        raise ValidationError({"note": ["Say what was done about this vital sign."]})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [f"At most {MAX_NOTE} characters."]})
    locked = VitalSignAlert.objects.select_for_update(no_key=True).get(pk=alert.pk)
    if locked.acknowledged_at is not None:
        raise RecordSigned("This vital-sign alert was already acknowledged.")
    _close(locked, actor=actor, note=note, at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=locked.patient_id,
        obj=locked,
        object_type="vital-sign-alert",
        detail={"change": "acknowledged", "code": locked.code, "measure": locked.measure},
    )
    return locked


@transaction.atomic
def vital_signs_void(*, actor: User, vitals: VitalSigns, reason: str) -> VitalSigns:
    """Void a set entered in error, with the reason; it stays in the record, marked so, and
    its open alerts close with the reason (a critical value that never was is not acted on).
    The right reading, if any, is recorded as a new set. Once only."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({"reason": ["Say why these vital signs were entered in error."]})
    if len(reason) > MAX_VOID_REASON:
        raise ValidationError({"reason": [f"At most {MAX_VOID_REASON} characters."]})
    locked = VitalSigns.objects.select_for_update(no_key=True).get(pk=vitals.pk)
    if locked.voided_at is not None:
        raise RecordSigned("These vital signs were already marked as entered in error.")
    now = timezone.now()
    locked.voided_at, locked.voided_by, locked.void_reason = now, actor, reason
    locked.updated_by = actor
    locked.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_by", "updated_at"])
    closed = list(
        VitalSignAlert.objects.select_for_update(no_key=True)
        .filter(vital_signs=locked, acknowledged_at__isnull=True)
        .order_by("pk")
    )
    for alert in closed:
        _close(alert, actor=actor, note=f"Entered in error: {reason}", at=now)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=locked.patient_id,
        obj=locked,
        object_type="vital-signs",
        detail={"change": "entered-in-error", "alerts_closed": [str(a.pk) for a in closed]},
    )
    locked.open_alerts = []
    return locked
