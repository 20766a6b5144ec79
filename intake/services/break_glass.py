"""Emergency access ("break the glass", 42 CFR 2.51): a clinician outside the care team opens a
chart for BREAK_GLASS_HOURS after stating the emergency. The grant is what access.py honours;
its use is flagged on every audit row and reviewed by a privacy officer."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from intake import access
from intake.models import AuditAction, AuditOutcome, BreakGlassGrant, Patient
from intake.services.audit import audit_record

REASON_MIN_LENGTH = 10


def break_glass_open(*, actor, patient_id, reason: str) -> BreakGlassGrant:
    """Opens emergency access. Unknown patient: Http404 (audited as a refused attempt), so
    the request confirms nothing that the chart's own 404 did not."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    "State the emergency that needs this chart (a sentence, at least 10 letters)."
                ]
            }
        )
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            outcome=AuditOutcome.DENIED,
            object_type="break-glass",
            detail={"reason": "not-found"},
        )
        raise Http404("No such patient.")
    if access.is_team_member(actor, patient):
        raise ValidationError(
            {"reason": ["You are on this patient's care team: no emergency access is needed."]}
        )
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor,
            patient=patient,
            reason=reason,
            started_at=now,
            expires_at=now + datetime.timedelta(hours=settings.BREAK_GLASS_HOURS),
            created_by=actor,
            updated_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            patient=patient,
            obj=grant,
            object_type="break-glass",
            break_glass=True,
        )
    access.forget_cached(actor)
    return grant


def break_glass_review(*, actor, grant: BreakGlassGrant, note: str = "") -> BreakGlassGrant:
    with transaction.atomic():
        locked = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        if locked.reviewed_at is None:
            locked.reviewed_at = timezone.now()
            locked.reviewed_by = actor
            locked.review_note = (note or "").strip()
            locked.updated_by = actor
            locked.save(
                update_fields=[
                    "reviewed_at",
                    "reviewed_by",
                    "review_note",
                    "updated_by",
                    "updated_at",
                ]
            )
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                patient_id=locked.patient_id,
                obj=locked,
                object_type="break-glass",
                detail={"change": "reviewed"},
            )
    return locked
