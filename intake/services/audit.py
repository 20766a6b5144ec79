"""Writing audit events. Every create, read, update, export and sign of patient data calls here.

Rows are append-only (trigger) and chained (each carries the hash of the one before, computed by
a BEFORE INSERT trigger, so bulk inserts are chained too); `manage.py verify_audit` checks it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Model

from intake.models import AuditAction, AuditEvent, AuditOutcome
from intake.request_context import client_ip

if TYPE_CHECKING:
    from intake.access_scope import RequestUser
    from intake.models import Patient


def _actor_fields(actor: RequestUser | None) -> dict[str, Any]:
    from intake.access import role_of

    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_username": "", "role": ""}
    role = role_of(actor)
    return {
        "actor": actor,
        "actor_username": actor.get_username(),
        "role": role.value if role else "",
    }


def audit_record(
    *,
    actor: RequestUser | None,
    action: AuditAction | str,
    outcome: AuditOutcome | str = AuditOutcome.ALLOWED,
    patient: Patient | None = None,
    patient_id: UUID | None = None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    break_glass: bool = False,
    username: str = "",
) -> AuditEvent:
    if obj is not None:
        # model_name is only None on an unbound Options; a saved row always has one.
        object_type = object_type or obj._meta.model_name or ""
        object_id = object_id or str(obj.pk)
    fields = _actor_fields(actor)
    if username and not fields["actor_username"]:
        fields["actor_username"] = username
    patient_id = patient.pk if patient is not None else patient_id
    if not break_glass and patient_id is not None:
        # Every access during an emergency-access grant is flagged, whichever service writes it.
        from intake.access import is_emergency_access

        break_glass = is_emergency_access(actor, patient_id)
    return AuditEvent.objects.create(
        **fields,
        action=action,
        outcome=outcome,
        patient=patient,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        ip_address=client_ip.get(),
        detail=detail or {},
        break_glass=break_glass,
    )


def audit_record_many(
    *,
    actor: RequestUser | None,
    action: AuditAction | str,
    patients: Iterable[Patient],
    object_type: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """One event per patient shown (a search result list), written in one INSERT (the chain
    trigger hashes each row in turn)."""
    audit_records_each(
        actor=actor,
        action=action,
        records=((patient.pk, patient, detail or {}) for patient in patients),
        object_type=object_type,
    )


def audit_records_each(
    *,
    actor: RequestUser | None,
    action: AuditAction | str,
    records: Iterable[tuple[UUID, Model, dict[str, Any]]],
    object_type: str = "",
) -> None:
    """One event per (patient id, record, detail), each naming its own patient and record, in
    one INSERT: a write that makes a record for each of several patients (a group's notes)."""
    from intake.access import is_emergency_access

    fields = _actor_fields(actor)
    ip = client_ip.get()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                **fields,
                action=action,
                outcome=AuditOutcome.ALLOWED,
                patient_id=patient_id,
                object_type=object_type or record._meta.model_name or "",
                object_id=str(record.pk),
                ip_address=ip,
                detail=detail,
                break_glass=is_emergency_access(actor, patient_id),
            )
            for patient_id, record, detail in records
        ]
    )


def audit_patients_shown(
    *, actor: RequestUser | None, patient_ids: Iterable[UUID | None], object_type: str
) -> None:
    """A list page or endpoint showed rows about these patients (ids, possibly repeated or
    None): one read per distinct patient, in one INSERT."""
    from intake.models import Patient

    distinct = sorted({pk for pk in patient_ids if pk is not None}, key=str)
    if distinct:
        audit_record_many(
            actor=actor,
            action=AuditAction.READ,
            patients=[Patient(pk=pk) for pk in distinct],
            object_type=object_type,
        )
