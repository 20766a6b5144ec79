"""What clinic administrators changed in accounts and care teams, for the privacy officer's
review (separation of duties, docs/security.md). Read from the audit events, which nobody
can rewrite."""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from intake.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    CareTeamMember,
    Patient,
    ResetStatus,
    Role,
    StaffResetRequest,
)

# staff-account audit `change` -> what the review list says.
ACCOUNT_CHANGE_LABELS = {
    "created": "Account created",
    "role-changed": "Role changed",
    "password-reset": "Password reset",
    "mfa-reset": "Second factor reset",
    "deactivated": "Deactivated",
    "reactivated": "Reactivated",
    "password-reset-requested": "Password reset requested (awaiting a second administrator)",
    "mfa-reset-requested": "Second factor reset requested (awaiting a second administrator)",
}
CARE_TEAM_ADDED = "Care-team member added"
CARE_TEAM_REMOVED = "Care-team member removed"


@dataclasses.dataclass(frozen=True)
class StaffChange:
    at: datetime.datetime
    administrator: str
    change: str
    account: str
    patient_id: object | None = None
    mrn: str = ""
    # For a reset that took effect on a second administrator's approval: who asked for it.
    requested_by: str = ""


def staff_change_list(*, limit: int = 500) -> list[StaffChange]:
    """Every change of role, credentials or care team made by a clinic administrator (the
    `role` snapshot of the audit row), newest first: when, which administrator, what changed,
    for which account, and for care-team changes the patient's MRN (nothing clinical)."""
    care_team = Q(object_type="careteammember") & (
        Q(action=AuditAction.CREATE) | Q(action=AuditAction.UPDATE, detail__change="removed")
    )
    account = Q(object_type="staff-account", detail__change__in=sorted(ACCOUNT_CHANGE_LABELS))
    events = list(
        AuditEvent.objects.filter(
            care_team | account, role=Role.CLINIC_ADMIN, outcome=AuditOutcome.ALLOWED
        )
        .order_by("-at", "-id")
        .only("at", "actor_username", "action", "object_type", "object_id", "patient_id", "detail")[
            :limit
        ]
    )
    member_ids = [e.object_id for e in events if e.object_type == "careteammember"]
    members = {
        str(m.pk): m
        for m in CareTeamMember.objects.filter(pk__in=member_ids).select_related("user")
    }
    user_ids = {int(e.object_id) for e in events if e.object_type == "staff-account"}
    user_ids |= {int(e.detail["requested_by"]) for e in events if e.detail.get("requested_by")}
    users = {
        u.pk: u.username
        for u in get_user_model().objects.filter(pk__in=user_ids).only("pk", "username")
    }
    mrns = dict(
        Patient.objects.filter(pk__in={e.patient_id for e in events if e.patient_id}).values_list(
            "pk", "mrn"
        )
    )
    rows = []
    for e in events:
        if e.object_type == "careteammember":
            member = members.get(e.object_id)
            rows.append(
                StaffChange(
                    at=e.at,
                    administrator=e.actor_username,
                    change=CARE_TEAM_ADDED if e.action == AuditAction.CREATE else CARE_TEAM_REMOVED,
                    account=member.user.username if member else "",
                    patient_id=e.patient_id,
                    mrn=mrns.get(e.patient_id, "") if e.patient_id else "",
                )
            )
        else:
            requested_by = e.detail.get("requested_by")
            rows.append(
                StaffChange(
                    at=e.at,
                    administrator=e.actor_username,
                    change=ACCOUNT_CHANGE_LABELS[e.detail["change"]],
                    account=users.get(int(e.object_id), ""),
                    requested_by=users.get(int(requested_by), "") if requested_by else "",
                )
            )
    return rows


def staff_reset_pending_list(
    *, now: datetime.datetime | None = None
) -> QuerySet[StaffResetRequest]:
    """Resets of administrators' and privacy officers' credentials awaiting a second
    administrator, oldest first; expired ones are left out (they can no longer be approved)."""
    return (
        StaffResetRequest.objects.filter(
            status=ResetStatus.PENDING, expires_at__gt=now or timezone.now()
        )
        .select_related("user", "requested_by")
        .order_by("requested_at")
    )


def staff_reset_request_get(*, reset_id: int) -> StaffResetRequest | None:
    """One reset request of a staff account (never a superuser's: those are managed outside
    the clinic's pages), with its account; or None."""
    return (
        StaffResetRequest.objects.select_related("user")
        .filter(pk=reset_id, user__is_superuser=False)
        .first()
    )
