"""The staff-account side of `intake.access`: the roles people take on a care team, who signs in
with a second factor, and the separation of duties between administrators.

The `can_*` questions built on these reasons are asked in `intake/access.py`, which re-exports
everything here; import from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from intake.access_scope import RequestUser, role_of
from intake.models import (
    CLINICAL_ROLES,
    GROUP_TO_ROLE,
    AuditEvent,
    AuditOutcome,
    Patient,
    Role,
    StaffResetRequest,
    TeamRole,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def care_team_role_on_registration(user: RequestUser) -> TeamRole | None:
    """The care-team role a clinician (counselor, nurse, physician) takes on the patients they
    register (none for other roles: an administrator registering a patient does not join the
    team)."""
    role = role_of(user)
    if role is not None and role in CLINICAL_ROLES:
        return TeamRole(role.value)
    return None


def team_roles_of_staff(users: Iterable[User]) -> dict[int, TeamRole]:
    """{user pk: the care-team role matching their staff role} for clinicians among `users`
    (one query): the role a new team member starts with unless someone chooses another."""
    memberships = (
        get_user_model()
        .groups.through.objects.filter(user_id__in=[u.pk for u in users])
        .values_list("user_id", "group__name")
    )
    roles: dict[int, list[Role | None]] = {}
    for user_id, name in memberships:
        roles.setdefault(user_id, []).append(GROUP_TO_ROLE.get(name))
    return {
        user_id: TeamRole(role.value)
        for user_id, found in roles.items()
        if len(found) == 1 and (role := found[0]) is not None and role in CLINICAL_ROLES
    }


def care_team_role_refusal(user: RequestUser, team_role: str) -> dict[str, list[str]] | None:
    """Why `user` may not take `team_role` on a care team ({field: [message]}), or None:
    clinicians only, and the physician role only for a physician."""
    role = role_of(user)
    if role not in CLINICAL_ROLES:
        return {"username": ["Only counselors, nurses and physicians join care teams."]}
    if team_role == "physician" and role != Role.PHYSICIAN:
        return {"role": ["Only a physician can take the physician role on a team."]}
    return None


SECOND_FACTOR_ROLES = frozenset({Role.PHYSICIAN, Role.CLINIC_ADMIN})


def must_use_second_factor(user: RequestUser) -> bool:
    """Prescribers and administrators sign in with a second factor; operators (superusers)
    too: the admin site lets in only a session verified by a device."""
    return role_of(user) in SECOND_FACTOR_ROLES or bool(getattr(user, "is_superuser", False))


# Separation of duties ------------------------------------------------------------------------

# Staff-account audit changes (`staff_account_audit`) that make their actor "the one who set up
# this account": creating it, changing its role or activation, resetting or asking to reset its
# password or second factor.
ACCOUNT_SETUP_CHANGES = frozenset(
    {
        "created",
        "role-changed",
        "password-reset",
        "mfa-reset",
        "deactivated",
        "reactivated",
        "password-reset-requested",
        "mfa-reset-requested",
    }
)
SEPARATION_OF_DUTIES = (
    "Separation of duties: you created this account or changed its role or credentials, so "
    "another administrator or the patient's team physician must add it to a care team."
)


def care_team_add_refusal(actor: User | None, patient: Patient, user: User | None) -> str | None:
    """Why `actor` may not add `user` to `patient`'s care team under the separation of duties
    (None if they may): nobody adds an account they created, or whose role or credentials
    (password, second factor, role, activation) they changed, as read from the staff-account
    audit events. Otherwise an administrator could make themselves a physician account and
    read the chart. One query."""
    if actor is None or user is None or actor.pk is None:
        return None
    set_up_by_actor = AuditEvent.objects.filter(
        object_type="staff-account",
        object_id=str(user.pk),
        actor=actor,
        outcome=AuditOutcome.ALLOWED,
        detail__change__in=sorted(ACCOUNT_SETUP_CHANGES),
    ).exists()
    return SEPARATION_OF_DUTIES if set_up_by_actor else None


# Administrators' and privacy officers' credentials are reset by two administrators: one asks,
# a second, different one approves (services/staff.py, StaffResetRequest).
SECOND_ADMINISTRATOR_ROLES = frozenset({Role.CLINIC_ADMIN, Role.PRIVACY_OFFICER})


def reset_needs_second_administrator(user: User) -> bool:
    """Does a password or second-factor reset of `user` need a second administrator's
    approval? For clinic administrators and privacy officers, read from the account's groups
    whether or not it is active (a deactivated administrator reactivated after a one-step reset
    would otherwise slip through)."""
    names = user.groups.values_list("name", flat=True)
    return any(GROUP_TO_ROLE.get(name) in SECOND_ADMINISTRATOR_ROLES for name in names)


def reset_approve_refusal(actor: User, reset: StaffResetRequest) -> str | None:
    """Why `actor` may not approve the pending reset `reset` (None if they may): the one who
    asked for it never approves it, nor does the person whose account it resets."""
    if reset.requested_by_id == actor.pk:
        return (
            "Separation of duties: a second, different administrator must approve this reset; "
            "you asked for it."
        )
    if reset.user_id == actor.pk:
        return "Separation of duties: another administrator approves a reset of your own account."
    return None
