from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.exceptions import RuleViolation
from intake.models import AuditAction, AuditOutcome, CareTeamMember, Patient, TeamRole
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def care_team_add(*, actor: User, patient: Patient, user: User, team_role: str) -> CareTeamMember:
    """Add `user` to the care team. Refused (RuleViolation, audited as denied, nothing stored)
    under the separation of duties: see access.care_team_add_refusal."""
    from intake.access import care_team_add_refusal

    refusal = care_team_add_refusal(actor, patient, user)
    if refusal:
        # Outside any transaction of the add, so the refusal's audit row stays.
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            outcome=AuditOutcome.DENIED,
            patient=patient,
            object_type="careteammember",
            detail={"reason": "separation-of-duties", "user": str(user.pk)},
        )
        raise RuleViolation(refusal)
    return _care_team_add(actor=actor, patient=patient, user=user, team_role=team_role)


@transaction.atomic
def _care_team_add(*, actor: User, patient: Patient, user: User, team_role: str) -> CareTeamMember:
    from intake.access import care_team_role_refusal

    if not user.is_active:
        raise ValidationError({"username": ["This account is deactivated."]})
    if team_role not in TeamRole.values:
        raise ValidationError({"role": [f"Choose one of {', '.join(TeamRole.values)}."]})
    refusal = care_team_role_refusal(user, team_role)
    if refusal:
        raise ValidationError(refusal)
    if CareTeamMember.objects.filter(patient=patient, user=user, ended_at__isnull=True).exists():
        raise ValidationError({"username": ["This person is already on the care team."]})
    member = CareTeamMember(
        patient=patient, user=user, team_role=team_role, created_by=actor, updated_by=actor
    )
    member.full_clean()
    member.save()
    audit_record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=member)
    return member


@transaction.atomic
def care_team_remove(*, actor: User, member: CareTeamMember) -> CareTeamMember:
    member = CareTeamMember.objects.select_for_update(no_key=True).get(pk=member.pk)
    if member.ended_at is None:
        member.ended_at = timezone.now()
        member.updated_by = actor
        member.save(update_fields=["ended_at", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            patient_id=member.patient_id,
            obj=member,
            detail={"change": "removed"},
        )
    return member
