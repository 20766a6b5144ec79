"""Saving an edit of a clinical record together with its audit row, the way every workflow step
of interviews and plans does: the editor is stamped on the row, an edit that others may have
read moves the optimistic-lock revision on, and one audit event names the record and patient."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intake.models import AuditAction
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from intake.models import Interview, TreatmentPlan


def save_audited(
    *,
    actor: User,
    record: Interview | TreatmentPlan,
    detail: dict[str, Any],
    action: AuditAction = AuditAction.UPDATE,
    revise: bool = False,
) -> None:
    """Save `record` as edited by `actor` and audit it; call inside the write's transaction.
    `revise`: the edit changes what an open editor holds, whose next save is then stale."""
    if revise:
        record.revision += 1
    record.updated_by = actor
    record.save()
    audit_record(
        actor=actor, action=action, patient_id=record.patient_id, obj=record, detail=detail
    )
