"""Who may do what: the one place where roles, actions and care-team scope meet.

Views, the API, selectors and tests all ask here; nothing else checks a role. The matrix is
written out for people in `docs/permissions.md`; `tests/test_permission_matrix.py` holds the
two in step.
"""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from intake.models import (
    CLINICAL_ROLES,
    GROUP_TO_ROLE,
    AuditAction,
    CareTeamMember,
    LicenseType,
    Patient,
    Role,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class Perm(enum.StrEnum):
    HOME = "home"
    PATIENT_SEARCH = "patient.search"
    PATIENT_REGISTER = "patient.register"
    PATIENT_VIEW = "patient.view"
    PATIENT_UPDATE = "patient.update"
    CARE_TEAM_VIEW = "care-team.view"
    CARE_TEAM_MANAGE = "care-team.manage"
    EPISODE_VIEW = "episode.view"
    EPISODE_MANAGE = "episode.manage"
    AUDIT_VIEW = "audit.view"
    STAFF_MANAGE = "staff.manage"
    INTERVIEW_VIEW = "interview.view"
    INTERVIEW_WRITE = "interview.write"
    INSTRUMENT_CATALOG = "instrument.catalog"
    ASSESSMENT_VIEW = "assessment.view"
    ASSESSMENT_RECORD = "assessment.record"
    SAFETY_ASSESS = "assessment.safety-follow-up"
    DIAGNOSIS_VIEW = "diagnosis.view"
    DIAGNOSIS_RECORD = "diagnosis.record"
    LAB_CATALOG = "lab.catalog"
    LAB_VIEW = "lab.view"
    LAB_ORDER = "lab.order"
    LAB_RESULT_ENTER = "lab.result-enter"
    LAB_ALERT_ACK = "lab.alert-acknowledge"


class Scope(enum.Enum):
    ANY = "any patient"
    TEAM = "patients on their care team"


_C, _N, _P = Role.COUNSELOR, Role.NURSE, Role.PHYSICIAN
_ADMIN, _PRIVACY = Role.CLINIC_ADMIN, Role.PRIVACY_OFFICER
_TEAM_CLINICIANS = {_C: Scope.TEAM, _N: Scope.TEAM, _P: Scope.TEAM}

# perm -> {role: scope}. A role that is absent may not do it at all (deny by default).
MATRIX: dict[Perm, dict[Role, Scope]] = {
    Perm.HOME: {role: Scope.ANY for role in Role},
    # Clinic administrators find patients to manage their care teams: they see the
    # registration header (name, date of birth, MRN), never clinical content.
    Perm.PATIENT_SEARCH: {**_TEAM_CLINICIANS, _ADMIN: Scope.ANY},
    Perm.PATIENT_REGISTER: {_C: Scope.ANY, _N: Scope.ANY, _P: Scope.ANY},
    Perm.PATIENT_VIEW: dict(_TEAM_CLINICIANS),
    Perm.PATIENT_UPDATE: dict(_TEAM_CLINICIANS),
    Perm.CARE_TEAM_VIEW: {**_TEAM_CLINICIANS, _ADMIN: Scope.ANY},
    Perm.CARE_TEAM_MANAGE: {_P: Scope.TEAM, _ADMIN: Scope.ANY},
    Perm.EPISODE_VIEW: dict(_TEAM_CLINICIANS),
    Perm.EPISODE_MANAGE: dict(_TEAM_CLINICIANS),
    Perm.AUDIT_VIEW: {_PRIVACY: Scope.ANY},
    Perm.STAFF_MANAGE: {_ADMIN: Scope.ANY},
    Perm.INTERVIEW_VIEW: dict(_TEAM_CLINICIANS),
    Perm.INTERVIEW_WRITE: dict(_TEAM_CLINICIANS),
    # Instrument and lab catalogs hold no patient data.
    Perm.INSTRUMENT_CATALOG: {_C: Scope.ANY, _N: Scope.ANY, _P: Scope.ANY},
    Perm.ASSESSMENT_VIEW: dict(_TEAM_CLINICIANS),
    Perm.ASSESSMENT_RECORD: dict(_TEAM_CLINICIANS),
    Perm.SAFETY_ASSESS: dict(_TEAM_CLINICIANS),
    Perm.DIAGNOSIS_VIEW: dict(_TEAM_CLINICIANS),
    # The role is necessary, not sufficient: access.may_diagnose checks the credential.
    Perm.DIAGNOSIS_RECORD: {_C: Scope.TEAM, _P: Scope.TEAM},
    Perm.LAB_CATALOG: {_C: Scope.ANY, _N: Scope.ANY, _P: Scope.ANY},
    Perm.LAB_VIEW: dict(_TEAM_CLINICIANS),
    Perm.LAB_ORDER: {_N: Scope.TEAM, _P: Scope.TEAM},
    Perm.LAB_RESULT_ENTER: {_N: Scope.TEAM, _P: Scope.TEAM},
    Perm.LAB_ALERT_ACK: {_P: Scope.TEAM},
}


def role_of(user: AbstractBaseUser | None) -> Role | None:
    """The staff role of a user, from their group; cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_intake_role"):
        names = list(user.groups.values_list("name", flat=True))
        roles = [GROUP_TO_ROLE[name] for name in names if name in GROUP_TO_ROLE]
        # One role per person; an account put in two role groups gets neither until fixed.
        user._intake_role = roles[0] if len(roles) == 1 else None
    return user._intake_role


def forget_cached(user) -> None:
    """Drop what role_of and is_on_care_team cached on a user object reused across requests."""
    user.__dict__.pop("_intake_role", None)
    user.__dict__.pop("_intake_team_cache", None)


def scope_for(user, perm: Perm) -> Scope | None:
    role = role_of(user)
    if role is None:
        return None
    return MATRIX[perm].get(role)


def has_perm(user, perm: Perm) -> bool:
    """May this user do `perm` at all (for some patient)?"""
    return scope_for(user, perm) is not None


def is_on_care_team(user, patient: Patient) -> bool:
    """Cached on the user object, which lives for one request."""
    cache = user.__dict__.setdefault("_intake_team_cache", {})
    if patient.pk not in cache:
        cache[patient.pk] = CareTeamMember.objects.filter(
            patient=patient, user=user, ended_at__isnull=True
        ).exists()
    return cache[patient.pk]


def can(user, perm: Perm, patient: Patient | None = None) -> bool:
    scope = scope_for(user, perm)
    if scope is None:
        return False
    if scope is Scope.ANY or patient is None:
        return True
    return is_on_care_team(user, patient)


def patients_visible_to(user, perm: Perm = Perm.PATIENT_VIEW) -> QuerySet[Patient]:
    """The patients this user may `perm`: all, their care teams' patients, or none."""
    scope = scope_for(user, perm)
    if scope is None:
        return Patient.objects.none()
    if scope is Scope.ANY:
        return Patient.objects.all()
    on_team = CareTeamMember.objects.filter(
        patient=OuterRef("pk"), user=user, ended_at__isnull=True
    )
    return Patient.objects.filter(Exists(on_team))


def resolve_patient(
    user,
    patient_id,
    perm: Perm,
    *,
    action: AuditAction = AuditAction.READ,
    audit_allowed: bool = True,
    object_type: str = "patient",
) -> Patient:
    """Fetch the patient behind a URL for `perm`, or refuse.

    The role may not do it at all: PermissionDenied (403). Unknown patient, or one outside the
    user's care team: Http404, so a URL never confirms that a patient exists. Refusals are
    audited here as attempts to `action`; an allowed read is audited here too, while an
    allowed write (`audit_allowed=False`) is audited by the service that makes it."""
    from intake.services.audit import audit_record

    def deny(reason: str, patient: Patient | None = None, patient_pk=None) -> None:
        audit_record(
            actor=user,
            action=action,
            outcome="denied",
            patient=patient,
            patient_id=patient_pk,
            object_type=object_type,
            object_id=str(patient.pk) if patient else "",
            detail={"reason": reason, "perm": str(perm)},
        )

    scope = scope_for(user, perm)
    if scope is None:
        deny("role", patient_pk=_existing_patient_id(patient_id))
        raise PermissionDenied("Your role does not allow this.")
    try:
        patient = Patient.objects.get(pk=patient_id)
    except (Patient.DoesNotExist, ValueError, TypeError):
        deny("not-found")
        raise Http404("No such patient.") from None
    if scope is Scope.TEAM and not is_on_care_team(user, patient):
        deny("not-on-care-team", patient)
        raise Http404("No such patient.")
    if audit_allowed:
        audit_record(
            actor=user,
            action=action,
            patient=patient,
            object_type=object_type,
            object_id=str(patient.pk),
        )
    return patient


def _existing_patient_id(patient_id) -> uuid.UUID | None:
    try:
        pk = uuid.UUID(str(patient_id))
    except ValueError:
        return None
    return pk if Patient.objects.filter(pk=pk).exists() else None


def require(user, perm: Perm) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied("Your role does not allow this.")


# Credentials -------------------------------------------------------------------------------


def may_diagnose(user) -> bool:
    """Physicians and psychologists with the credential; counselors only where state law
    (the COUNSELOR_MAY_DIAGNOSE setting) allows it."""
    role = role_of(user)
    profile = getattr(user, "staff_profile", None)
    if role is None or profile is None or role not in CLINICAL_ROLES:
        return False
    if role == Role.PHYSICIAN:
        return True
    if not profile.may_diagnose:
        return False
    if profile.license_type == LicenseType.PSYCHOLOGIST:
        return True
    return role == Role.COUNSELOR and settings.COUNSELOR_MAY_DIAGNOSE


def may_prescribe(user) -> bool:
    profile = getattr(user, "staff_profile", None)
    return role_of(user) == Role.PHYSICIAN and profile is not None and profile.may_prescribe
