"""Who may do what: the one place where roles, actions and care-team scope meet.

Views, the API, selectors and tests all ask here; nothing else checks a role. The matrix is
written out for people in `docs/permissions.md`; `tests/test_permission_matrix.py` holds the
two in step.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from intake.models import (
    CLINICAL_ROLES,
    GROUP_TO_ROLE,
    AuditEvent,
    AuditOutcome,
    BreakGlassGrant,
    CareTeamMember,
    DraftKind,
    InterviewStatus,
    LicenseType,
    Patient,
    PlanStatus,
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
    # Privacy (42 CFR Part 2): consents, disclosures, emergency access, audit export.
    CONSENT_VIEW = "consent.view"
    CONSENT_MANAGE = "consent.manage"
    DISCLOSURE_VIEW = "disclosure.view"
    DISCLOSURE_MAKE = "disclosure.make"
    BREAK_GLASS = "break-glass"
    BREAK_GLASS_REVIEW = "break-glass.review"
    AUDIT_EXPORT = "audit.export"
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
    PLAN_VIEW = "plan.view"
    PLAN_WRITE = "plan.write"
    PLAN_APPROVE = "plan.approve"
    REVIEW_QUEUE = "plan.review-queue"
    MERGE_REVIEW = "patient.merge-review"
    STAFF_CHANGE_REVIEW = "staff.change-review"


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
    # Privacy officers answer a patient's request for the accounting of disclosures and check
    # consents; they see neither the disclosed documents nor the chart.
    Perm.CONSENT_VIEW: {**_TEAM_CLINICIANS, _PRIVACY: Scope.ANY},
    Perm.CONSENT_MANAGE: dict(_TEAM_CLINICIANS),
    Perm.DISCLOSURE_VIEW: {**_TEAM_CLINICIANS, _PRIVACY: Scope.ANY},
    Perm.DISCLOSURE_MAKE: dict(_TEAM_CLINICIANS),
    # Any clinician may open any chart in a medical emergency (42 CFR 2.51), with a stated
    # reason, for BREAK_GLASS_HOURS; see is_on_care_team.
    Perm.BREAK_GLASS: {_C: Scope.ANY, _N: Scope.ANY, _P: Scope.ANY},
    Perm.BREAK_GLASS_REVIEW: {_PRIVACY: Scope.ANY},
    Perm.AUDIT_EXPORT: {_PRIVACY: Scope.ANY},
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
    Perm.PLAN_VIEW: dict(_TEAM_CLINICIANS),
    # Drafting, editing, submitting and amending. Medication lines also need may_prescribe.
    Perm.PLAN_WRITE: dict(_TEAM_CLINICIANS),
    # Approving and signing, or requesting changes. A plan with medication or medically
    # supervised detox needs a physician; a behavioral-only plan may be signed by a counselor.
    Perm.PLAN_APPROVE: {_C: Scope.TEAM, _P: Scope.TEAM},
    Perm.REVIEW_QUEUE: {_P: Scope.ANY},
    # Possible duplicates registered on another team (patient_register): the registration
    # headers of both records, for the clinic administrators who merge them.
    Perm.MERGE_REVIEW: {_ADMIN: Scope.ANY},
    # Separation of duties: every change of role, credentials or care team made by a clinic
    # administrator, for the privacy officer to review (patients by MRN only).
    Perm.STAFF_CHANGE_REVIEW: {_PRIVACY: Scope.ANY},
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
    user.__dict__.pop("_intake_emergency_grants", None)


def scope_for(user, perm: Perm) -> Scope | None:
    role = role_of(user)
    if role is None:
        return None
    return MATRIX[perm].get(role)


def has_perm(user, perm: Perm) -> bool:
    """May this user do `perm` at all (for some patient)?"""
    return scope_for(user, perm) is not None


# Emergency access never reaches these: a grant must not let its holder join the care team,
# nor consent to or make disclosures on the patient's behalf.
NOT_BY_EMERGENCY_ACCESS = frozenset(
    {
        Perm.CARE_TEAM_MANAGE,
        Perm.CONSENT_VIEW,
        Perm.CONSENT_MANAGE,
        Perm.DISCLOSURE_VIEW,
        Perm.DISCLOSURE_MAKE,
    }
)


def is_team_member(user, patient: Patient) -> bool:
    """An active care-team membership. Cached on the user object, which lives for one request."""
    cache = user.__dict__.setdefault("_intake_team_cache", {})
    if patient.pk not in cache:
        cache[patient.pk] = CareTeamMember.objects.filter(
            patient=patient, user=user, ended_at__isnull=True
        ).exists()
    return cache[patient.pk]


def team_member_annotation(user) -> Exists:
    """`Exists(active membership of user)` to annotate a Patient query with, so the resolver
    learns membership with the patient row instead of a second query (remember_team_member)."""
    return Exists(
        CareTeamMember.objects.filter(patient=OuterRef("pk"), user=user, ended_at__isnull=True)
    )


def remember_team_member(user, patient: Patient, is_member: bool) -> None:
    """Caches what team_member_annotation read, as is_team_member would have."""
    user.__dict__.setdefault("_intake_team_cache", {})[patient.pk] = bool(is_member)


def emergency_grants(user) -> dict:
    """patient id -> the user's active emergency-access grant (the latest to expire). One
    query, once per request, and only for clinicians (no other role can hold a grant)."""
    if "_intake_emergency_grants" not in user.__dict__:
        grants: dict = {}
        if role_of(user) in CLINICAL_ROLES:
            for grant in BreakGlassGrant.objects.filter(
                user=user, expires_at__gt=timezone.now()
            ).order_by("expires_at"):
                grants[grant.patient_id] = grant
        user.__dict__["_intake_emergency_grants"] = grants
    return user.__dict__["_intake_emergency_grants"]


def emergency_grant_for(user, patient: Patient):
    """The active grant through which `user` reaches `patient`, or None: also None for a
    care-team member, who needs none (no query when membership is already cached)."""
    if role_of(user) not in CLINICAL_ROLES or is_team_member(user, patient):
        return None
    return emergency_grants(user).get(patient.pk)


def is_emergency_access(user, patient_id) -> bool:
    """Is an access by `user` to `patient_id` now happening under emergency access? The audit
    service asks this for every row it writes, so every access during a grant is flagged."""
    if patient_id is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    if role_of(user) not in CLINICAL_ROLES:
        return False
    cached = user.__dict__.get("_intake_team_cache", {})
    if cached.get(patient_id):
        return False
    if patient_id not in emergency_grants(user):
        return False
    return not is_team_member(user, Patient(pk=patient_id))


def is_on_care_team(user, patient: Patient, *, emergency: bool = True) -> bool:
    """On the patient's care team, or (unless emergency=False) holding an active emergency-
    access grant for them. Cached for the request; a member costs one query, a grant one more
    (for the whole request)."""
    if is_team_member(user, patient):
        return True
    return emergency and patient.pk in emergency_grants(user)


def can(user, perm: Perm, patient: Patient | None = None) -> bool:
    scope = scope_for(user, perm)
    if scope is None:
        return False
    if scope is Scope.ANY or patient is None:
        return True
    return is_on_care_team(user, patient, emergency=perm not in NOT_BY_EMERGENCY_ACCESS)


# What a search result list may show of a patient. Clinic administrators find patients to
# manage their care teams: the registration header (docs/api.md#patients), never demographics,
# contact details, reason for care or programs.
PATIENT_HEADER_FIELDS = ("id", "mrn", "given_name", "family_name", "preferred_name", "birth_date")


def can_view_patient_demographics(user, patient: Patient | None = None) -> bool:
    """May `user` see the patient's demographics, contact details, reason for care and
    programs, beyond the header (PATIENT_HEADER_FIELDS)? Those who may open the chart: the
    care team (and an emergency grant). Without `patient`, whether the role ever may (for a
    list already scoped to the user's patients). Search page and API both ask here."""
    if patient is None:
        return has_perm(user, Perm.PATIENT_VIEW)
    return can(user, Perm.PATIENT_VIEW, patient)


def patients_visible_to(user, perm: Perm = Perm.PATIENT_VIEW) -> QuerySet[Patient]:
    """The patients this user may `perm`: all, their care teams' patients (and those of an
    active emergency-access grant), or none."""
    scope = scope_for(user, perm)
    if scope is None:
        return Patient.objects.none()
    if scope is Scope.ANY:
        return Patient.objects.all()
    # `id IN (team UNION grants)`, not `EXISTS (team) OR EXISTS (grants)`: PostgreSQL can
    # start from the user's few hundred memberships (intake_careteam_user_active) instead of
    # testing every patient of the network (tests/test_explain.py).
    reachable = (
        CareTeamMember.objects.filter(user=user, ended_at__isnull=True)
        .order_by()
        .values("patient_id")
    )
    if perm not in NOT_BY_EMERGENCY_ACCESS:
        granted = BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now())
        reachable = reachable.union(granted.order_by().values("patient_id"))
    return Patient.objects.filter(pk__in=reachable)


# A form's unsaved typing (docs/drafts.md) is kept only for someone who may write that form for
# this patient: the same permission as the form itself, checked again at every save and read,
# so a clinician who leaves the care team loses sight of their drafts with the chart.
DRAFT_PERMS: dict[DraftKind, Perm] = {
    DraftKind.INTERVIEW: Perm.INTERVIEW_WRITE,
    DraftKind.PLAN: Perm.PLAN_WRITE,
    DraftKind.CONSENT: Perm.CONSENT_MANAGE,
    DraftKind.LAB_PANEL: Perm.LAB_RESULT_ENTER,
}


def draft_perm(kind: DraftKind) -> Perm:
    return DRAFT_PERMS[kind]


def can_keep_draft(user, patient: Patient, kind: DraftKind) -> bool:
    return can(user, draft_perm(kind), patient)


# Worklists: what reaches whom on the home page ---------------------------------------------


class WorkItem(enum.StrEnum):
    """The kinds of work a worklist brings to a clinician (the home page's sections)."""

    RESULTS_TO_ACKNOWLEDGE = "results-to-acknowledge"
    SAFETY_FOLLOW_UPS = "safety-follow-ups"
    PLANS_TO_REVIEW = "plans-to-review"
    PLANS_RETURNED = "plans-returned"
    ORDERS_AWAITING_RESULTS = "orders-awaiting-results"
    SPECIMENS_TO_RECOLLECT = "specimens-to-recollect"
    DRAFTS = "drafts"
    PLAN_REVIEWS_DUE = "plan-reviews-due"


# What each kind of work needs the person to be allowed to do (deny by default: a section whose
# permission the role lacks never shows, whatever WORKLISTS says).
WORK_ITEM_PERM: dict[WorkItem, Perm] = {
    WorkItem.RESULTS_TO_ACKNOWLEDGE: Perm.LAB_ALERT_ACK,
    WorkItem.SAFETY_FOLLOW_UPS: Perm.SAFETY_ASSESS,
    WorkItem.PLANS_TO_REVIEW: Perm.REVIEW_QUEUE,
    WorkItem.PLANS_RETURNED: Perm.PLAN_WRITE,
    WorkItem.ORDERS_AWAITING_RESULTS: Perm.LAB_RESULT_ENTER,
    WorkItem.SPECIMENS_TO_RECOLLECT: Perm.LAB_ORDER,
    WorkItem.DRAFTS: Perm.INTERVIEW_WRITE,
    WorkItem.PLAN_REVIEWS_DUE: Perm.PLAN_WRITE,
}

# Who must act on what, most urgent first. The physician acknowledges critical results and
# reviews plans; the nurse collects specimens and enters results; the counselor follows up
# suicide-risk items, finishes drafts and keeps plan reviews on time. Everyone sees their own
# unsigned drafts and the plans returned to them.
WORKLISTS: dict[Role, tuple[WorkItem, ...]] = {
    Role.PHYSICIAN: (
        WorkItem.RESULTS_TO_ACKNOWLEDGE,
        WorkItem.PLANS_TO_REVIEW,
        WorkItem.PLANS_RETURNED,
        WorkItem.DRAFTS,
    ),
    Role.NURSE: (
        WorkItem.ORDERS_AWAITING_RESULTS,
        WorkItem.SPECIMENS_TO_RECOLLECT,
        WorkItem.DRAFTS,
    ),
    Role.COUNSELOR: (
        WorkItem.SAFETY_FOLLOW_UPS,
        WorkItem.DRAFTS,
        WorkItem.PLANS_RETURNED,
        WorkItem.PLAN_REVIEWS_DUE,
    ),
}


def worklist_items(user) -> tuple[WorkItem, ...]:
    """The sections of this person's worklist, in the order they show."""
    role = role_of(user)
    if role is None:
        return ()
    return tuple(item for item in WORKLISTS.get(role, ()) if has_perm(user, WORK_ITEM_PERM[item]))


def worklist_patients(user, item: WorkItem) -> QuerySet[Patient]:
    """The patients whose work of this kind reaches `user`: their care teams' patients only,
    whatever the scope of the permission (the physicians' review queue permission reaches any
    patient, but a plan waits for its own team's physician). An emergency-access grant opens a
    chart for the emergency; it does not make its holder the one who must acknowledge, review
    or follow up: the care team does."""
    if item not in worklist_items(user):
        return Patient.objects.none()
    return Patient.objects.filter(
        pk__in=CareTeamMember.objects.filter(user=user, ended_at__isnull=True)
        .order_by()
        .values("patient_id")
    )


# Rules on records: each decided here once, called by services (which enforce it), views,
# API and templates (which show or hide the action) -----------------------------------------


def can_record_diagnosis(user) -> bool:
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


def diagnosis_refusal(user) -> str | None:
    """Why this person may not record a diagnosis, or None if they may."""
    if can_record_diagnosis(user):
        return None
    if role_of(user) == Role.COUNSELOR:
        profile = getattr(user, "staff_profile", None)
        if profile is not None and profile.may_diagnose:
            return (
                "This clinic's policy does not let counselors record a diagnosis (who may "
                "diagnose follows state law). Ask a physician on the care team to record it."
            )
        return (
            "Your account is not recorded as licensed to diagnose, and this clinic's policy "
            "lets only licensed clinicians record a diagnosis. Ask a physician on the care "
            "team to record it."
        )
    return (
        "Only clinicians licensed to diagnose (physicians, psychologists) may record a diagnosis."
    )


def can_change_medication_line(user) -> bool:
    """Medication lines are the prescriber's: any change to one (drug, dose, unit, route,
    indication, schedule, taper) by anyone else is refused."""
    profile = getattr(user, "staff_profile", None)
    return role_of(user) == Role.PHYSICIAN and profile is not None and profile.may_prescribe


def plan_review_refusal(user, *, needs_physician: bool) -> str | None:
    """Why `user` may not approve or return a submitted plan, or None if they may (care-team
    scope is checked by the resolver; this is the role rule). A plan with medication or
    medically supervised detox (`needs_physician`) is a physician's to approve."""
    role = role_of(user)
    if needs_physician and role != Role.PHYSICIAN:
        return "A plan with medication or medically supervised detox is approved by a physician."
    if role not in (Role.PHYSICIAN, Role.COUNSELOR):
        return "Only a physician or counselor on the care team may review plans."
    return None


def can_review_plan(user, *, needs_physician: bool) -> bool:
    """May `user` approve and sign (or return) a submitted plan: the rule pages use to offer
    the buttons, the same one the service enforces."""
    return plan_review_refusal(user, needs_physician=needs_physician) is None


def can_add_interview_addendum(user, interview) -> bool:
    return can(user, Perm.INTERVIEW_WRITE, interview.patient)


def care_team_role_on_registration(user):
    """The care-team role a clinician takes on the patients they register (none for other
    roles: an administrator registering a patient does not join the team)."""
    from intake.models import TeamRole

    role = role_of(user)
    if role in (Role.COUNSELOR, Role.NURSE, Role.PHYSICIAN):
        return TeamRole(role.value)
    return None


def team_roles_of_staff(users) -> dict:
    """{user pk: the care-team role matching their staff role} for clinicians among `users`
    (one query): the role a new team member starts with unless someone chooses another."""
    from django.contrib.auth import get_user_model

    from intake.models import TeamRole

    memberships = (
        get_user_model()
        .groups.through.objects.filter(user_id__in=[u.pk for u in users])
        .values_list("user_id", "group__name")
    )
    roles: dict = {}
    for user_id, name in memberships:
        roles.setdefault(user_id, []).append(GROUP_TO_ROLE.get(name))
    return {
        user_id: TeamRole(found[0].value)
        for user_id, found in roles.items()
        if len(found) == 1 and found[0] in (Role.COUNSELOR, Role.NURSE, Role.PHYSICIAN)
    }


def care_team_role_refusal(user, team_role: str) -> dict | None:
    """Why `user` may not take `team_role` on a care team ({field: [message]}), or None:
    clinicians only, and the physician role only for a physician."""
    role = role_of(user)
    if role not in (Role.COUNSELOR, Role.NURSE, Role.PHYSICIAN):
        return {"username": ["Only counselors, nurses and physicians join care teams."]}
    if team_role == "physician" and role != Role.PHYSICIAN:
        return {"role": ["Only a physician can take the physician role on a team."]}
    return None


def signer_role(user) -> str:
    """The role recorded with a signature (what the signer was allowed to sign as)."""
    role = role_of(user)
    return role.value if role else ""


SECOND_FACTOR_ROLES = frozenset({Role.PHYSICIAN, Role.CLINIC_ADMIN})


def must_use_second_factor(user) -> bool:
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


def care_team_add_refusal(actor, patient: Patient, user) -> str | None:
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


def can_add_to_care_team(actor, patient: Patient, user) -> bool:
    """May `actor` (who may manage this care team) add `user` to it? See care_team_add_refusal."""
    return care_team_add_refusal(actor, patient, user) is None


# Administrators' and privacy officers' credentials are reset by two administrators: one asks,
# a second, different one approves (services/staff.py, StaffResetRequest).
SECOND_ADMINISTRATOR_ROLES = frozenset({Role.CLINIC_ADMIN, Role.PRIVACY_OFFICER})


def reset_needs_second_administrator(user) -> bool:
    """Does a password or second-factor reset of `user` need a second administrator's
    approval? For clinic administrators and privacy officers, read from the account's groups
    whether or not it is active (a deactivated administrator reactivated after a one-step reset
    would otherwise slip through)."""
    names = user.groups.values_list("name", flat=True)
    return any(GROUP_TO_ROLE.get(name) in SECOND_ADMINISTRATOR_ROLES for name in names)


def reset_approve_refusal(actor, reset) -> str | None:
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


def can_approve_reset(actor, reset) -> bool:
    return has_perm(actor, Perm.STAFF_MANAGE) and reset_approve_refusal(actor, reset) is None


# Discarding a draft (docs/drafts.md, "Discarding a draft record") -------------------------
#
# An interview or plan version that was started and will not be finished (the wrong patient,
# a duplicate, a plan abandoned) is removed instead of staying on the chart as a draft for
# ever. Only a record nobody has signed or submitted: what a reviewer saw or a clinician signed
# stays on the record. Whoever may write the draft may discard it: an interview's author only
# (a draft interview is written and signed by its author alone), a plan version's author or
# anyone else on the team who may write plans (they could equally empty it). An emergency-access
# grant does not: it is for treating the patient, not for removing what the care team wrote.


def interview_is_discardable(interview) -> bool:
    return interview.status == InterviewStatus.DRAFT and interview.signed_at is None


def plan_is_discardable(plan) -> bool:
    return plan.status == PlanStatus.DRAFT and plan.submitted_at is None and plan.signed_at is None


def may_discard_drafts(user, patient: Patient, perm: Perm) -> bool:
    """May `user` discard this patient's draft records written under `perm` (the record's
    own state is checked apart: a signed record is a 409, not a 403)?"""
    scope = scope_for(user, perm)
    if scope is None:
        return False
    return scope is Scope.ANY or is_on_care_team(user, patient, emergency=False)


def interview_discard_refusal(user, interview) -> str | None:
    """Why `user` may not discard this interview (whatever its state), or None."""
    if not may_discard_drafts(user, interview.patient, Perm.INTERVIEW_WRITE):
        return "Only the care team may discard a draft."
    if interview.author_id != user.pk:
        return "Only its author may discard a draft interview."
    return None


def plan_discard_refusal(user, plan) -> str | None:
    """Why `user` may not discard this plan version (whatever its state), or None."""
    if not may_discard_drafts(user, plan.patient, Perm.PLAN_WRITE):
        return "Only the care team may discard a draft."
    return None


def can_discard_interview(user, interview) -> bool:
    return (
        interview_is_discardable(interview) and interview_discard_refusal(user, interview) is None
    )


def can_discard_plan(user, plan) -> bool:
    return plan_is_discardable(plan) and plan_discard_refusal(user, plan) is None
