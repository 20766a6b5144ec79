"""Who the acting user is and which patients they reach: the machinery behind `intake.access`.

Their staff role (read from their group), their active care-team memberships and their active
emergency-access grants (42 CFR 2.51), each read once and cached on the user object, which lives
for one request. The rules themselves (what a role may do, to whom) are in `intake/access.py`,
which re-exports everything here; import from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django.utils import timezone

from intake.models import (
    CLINICAL_ROLES,
    GROUP_TO_ROLE,
    BreakGlassGrant,
    CareTeamMember,
    Patient,
    Role,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What `request.user` holds: a staff account, or the anonymous user before sign-in (who holds
# no role, so every rule refuses them).
RequestUser: TypeAlias = "User | AnonymousUser"

# What this module caches on a user object for the request (dropped by forget_cached).
_ROLE = "_intake_role"
_TEAM = "_intake_team_cache"
_GRANTS = "_intake_emergency_grants"


def role_of(user: RequestUser | None) -> Role | None:
    """The staff role of a user, from their group; cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    # An attribute, not a __dict__ key: request.user is a lazy proxy, and setting an attribute
    # reaches the user object behind it.
    if not hasattr(user, _ROLE):
        names = list(user.groups.values_list("name", flat=True))
        roles = [GROUP_TO_ROLE[name] for name in names if name in GROUP_TO_ROLE]
        # One role per person; an account put in two role groups gets neither until fixed.
        setattr(user, _ROLE, roles[0] if len(roles) == 1 else None)
    role: Role | None = getattr(user, _ROLE)
    return role


def staff_account(user: RequestUser | None) -> User | None:
    """The account behind `user` when it holds a staff role, else None. The rules that read
    memberships and grants take an account; this is how they get one from request.user."""
    if isinstance(user, AnonymousUser) or role_of(user) is None:
        return None
    return user


def forget_cached(user: RequestUser) -> None:
    """Drop what role_of and is_on_care_team cached on a user object reused across requests."""
    for key in (_ROLE, _TEAM, _GRANTS):
        user.__dict__.pop(key, None)


def is_team_member(user: User, patient: Patient) -> bool:
    """An active care-team membership. Cached on the user object, which lives for one request."""
    cache: dict[UUID, bool] = user.__dict__.setdefault(_TEAM, {})
    if patient.pk not in cache:
        cache[patient.pk] = CareTeamMember.objects.filter(
            patient=patient, user=user, ended_at__isnull=True
        ).exists()
    return cache[patient.pk]


def team_member_annotation(user: User, patient: str = "pk") -> Exists:
    """`Exists(active membership of user)` to annotate a Patient query with (or, `patient`
    naming the column, a query of rows that point at a patient), so the resolver learns
    membership with the patient row instead of a second query (remember_team_member)."""
    return Exists(
        CareTeamMember.objects.filter(patient=OuterRef(patient), user=user, ended_at__isnull=True)
    )


def remember_team_member(user: User, patient: Patient, is_member: bool) -> None:
    """Caches what team_member_annotation read, as is_team_member would have."""
    user.__dict__.setdefault(_TEAM, {})[patient.pk] = bool(is_member)


def emergency_grants(user: User) -> dict[UUID, BreakGlassGrant]:
    """patient id -> the user's active emergency-access grant (the latest to expire). One
    query, once per request, and only for clinicians (no other role can hold a grant)."""
    if _GRANTS not in user.__dict__:
        grants: dict[UUID, BreakGlassGrant] = {}
        if role_of(user) in CLINICAL_ROLES:
            for grant in BreakGlassGrant.objects.filter(
                user=user, expires_at__gt=timezone.now()
            ).order_by("expires_at"):
                grants[grant.patient_id] = grant
        user.__dict__[_GRANTS] = grants
    found: dict[UUID, BreakGlassGrant] = user.__dict__[_GRANTS]
    return found


def emergency_grant_for(user: User, patient: Patient) -> BreakGlassGrant | None:
    """The active grant through which `user` reaches `patient`, or None: also None for a
    care-team member, who needs none (no query when membership is already cached)."""
    if role_of(user) not in CLINICAL_ROLES or is_team_member(user, patient):
        return None
    return emergency_grants(user).get(patient.pk)


def is_emergency_access(user: RequestUser | None, patient_id: UUID | None) -> bool:
    """Is an access by `user` to `patient_id` now happening under emergency access? The audit
    service asks this for every row it writes, so every access during a grant is flagged."""
    if patient_id is None or user is None or isinstance(user, AnonymousUser):
        return False
    if not getattr(user, "is_authenticated", False) or role_of(user) not in CLINICAL_ROLES:
        return False
    cached: dict[UUID, bool] = user.__dict__.get(_TEAM, {})
    if cached.get(patient_id):
        return False
    if patient_id not in emergency_grants(user):
        return False
    return not is_team_member(user, Patient(pk=patient_id))


def is_on_care_team(user: User, patient: Patient, *, emergency: bool = True) -> bool:
    """On the patient's care team, or (unless emergency=False) holding an active emergency-
    access grant for them. Cached for the request; a member costs one query, a grant one more
    (for the whole request)."""
    if is_team_member(user, patient):
        return True
    return emergency and patient.pk in emergency_grants(user)
