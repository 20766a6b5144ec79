"""Who may do what: the one place where roles, actions and care-team scope meet.

Views, the API, selectors and tests all ask here; nothing else checks a role. The matrix is
written out for people in `docs/permissions.md`; `tests/test_permission_matrix.py` holds the
two in step. Every `can_*` rule is defined here or, for length, beside it and re-exported
(import them all from here): the matrix itself and `can`/`has_perm`/`scope_for` that apply it
(access_matrix.py), the names the rules are written in (access_vocabulary.py), the sections of
each role's worklist (access_worklist.py), the acting user's role, care teams and
emergency-access grants (access_scope.py), the reasons behind the staff-account rules
(access_staff.py), and the rules on drafts and discarding them (access_drafts.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from intake.access_drafts import (
    DRAFT_PERMS,
    can_discard_interview,
    can_discard_plan,
    can_keep_draft,
    draft_perm,
    interview_discard_refusal,
    interview_is_discardable,
    may_discard_drafts,
    plan_discard_refusal,
    plan_is_discardable,
)
from intake.access_matrix import MATRIX, NOT_BY_EMERGENCY_ACCESS, can, has_perm, scope_for
from intake.access_scope import (
    RequestUser,
    emergency_grant_for,
    emergency_grants,
    forget_cached,
    is_emergency_access,
    is_on_care_team,
    is_team_member,
    remember_team_member,
    role_of,
    staff_account,
    team_member_annotation,
)
from intake.access_staff import (
    ACCOUNT_SETUP_CHANGES,
    SECOND_ADMINISTRATOR_ROLES,
    SECOND_FACTOR_ROLES,
    SEPARATION_OF_DUTIES,
    care_team_add_refusal,
    care_team_role_on_registration,
    care_team_role_refusal,
    must_use_second_factor,
    reset_approve_refusal,
    reset_needs_second_administrator,
    team_roles_of_staff,
)
from intake.access_vocabulary import Perm, Scope
from intake.access_worklist import REASSESSMENT_WORK, WORK_ITEM_PERM, WORKLISTS, WorkItem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from intake.models import (
    CLINICAL_ROLES,
    BreakGlassGrant,
    CareTeamMember,
    Disclosure,
    DisclosureContent,
    Interview,
    LicenseType,
    Patient,
    Role,
    SessionNote,
    SessionNoteStatus,
    StaffProfile,
    StaffResetRequest,
)

# fmt: off
__all__ = [
    # The matrix and the questions every layer asks
    "MATRIX", "NOT_BY_EMERGENCY_ACCESS", "Perm", "Scope", "can", "has_perm", "scope_for",
    # Patients: what of them shows, which ones, drafts
    "PATIENT_HEADER_FIELDS", "can_view_patient_demographics", "patients_visible_to",
    "DRAFT_PERMS", "draft_perm", "can_keep_draft",
    # Worklists
    "WORKLISTS", "WORK_ITEM_PERM", "WorkItem", "worklist_items", "worklist_patients",
    # Rules on records
    "can_record_diagnosis", "diagnosis_refusal", "can_change_medication_line",
    "plan_review_refusal", "can_review_plan", "can_add_interview_addendum", "signer_role",
    "interview_is_discardable", "plan_is_discardable", "may_discard_drafts",
    "interview_discard_refusal", "plan_discard_refusal", "can_discard_interview",
    "can_discard_plan",
    # Group sessions
    "group_patients", "can_view_group_session", "can_sign_group_session",
    # Session notes
    "can_view_outcomes", "outcome_clinicians", "reassessment_work", "can_view_reassessments",
    "can_view_counseling_notes", "session_note_edit_refusal", "can_edit_session_note",
    "can_add_session_note_addendum",
    # Staff accounts and care-team composition (access_staff.py)
    "can_add_to_care_team", "can_approve_reset", "care_team_add_refusal",
    "care_team_role_on_registration", "care_team_role_refusal", "team_roles_of_staff",
    "must_use_second_factor", "reset_approve_refusal", "reset_needs_second_administrator",
    "ACCOUNT_SETUP_CHANGES", "SECOND_ADMINISTRATOR_ROLES", "SECOND_FACTOR_ROLES",
    "SEPARATION_OF_DUTIES",
    # The acting user's role, care teams and emergency access (access_scope.py)
    "RequestUser", "role_of", "staff_account", "forget_cached", "is_team_member",
    "team_member_annotation", "remember_team_member", "emergency_grants",
    "emergency_grant_for", "is_emergency_access", "is_on_care_team",
]
# fmt: on


# What a search result list may show of a patient. Clinic administrators find patients to
# manage their care teams: the registration header (docs/api.md#patients), never demographics,
# contact details, reason for care or programs.
PATIENT_HEADER_FIELDS = ("id", "mrn", "given_name", "family_name", "preferred_name", "birth_date")


def can_view_patient_demographics(user: RequestUser, patient: Patient | None = None) -> bool:
    """May `user` see the patient's demographics, contact details, reason for care and
    programs, beyond the header (PATIENT_HEADER_FIELDS)? Those who may open the chart: the
    care team (and an emergency grant). Without `patient`, whether the role ever may (for a
    list already scoped to the user's patients). Search page and API both ask here."""
    if patient is None:
        return has_perm(user, Perm.PATIENT_VIEW)
    return can(user, Perm.PATIENT_VIEW, patient)


def patients_visible_to(user: RequestUser, perm: Perm = Perm.PATIENT_VIEW) -> QuerySet[Patient]:
    """The patients this user may `perm`: all, their care teams' patients (and those of an
    active emergency-access grant), or none."""
    scope = scope_for(user, perm)
    if scope is None:
        return Patient.objects.none()
    account = staff_account(user)  # never None once the role has a scope
    if account is None:
        return Patient.objects.none()
    if scope is Scope.ANY:
        return Patient.objects.all()
    # `id IN (team UNION grants)`, not `EXISTS (team) OR EXISTS (grants)`: PostgreSQL can
    # start from the user's few hundred memberships (intake_careteam_user_active) instead of
    # testing every patient of the network (tests/test_explain.py).
    reachable = (
        CareTeamMember.objects.filter(user=account, ended_at__isnull=True)
        .order_by()
        .values("patient_id")
    )
    if perm not in NOT_BY_EMERGENCY_ACCESS:
        granted = BreakGlassGrant.objects.filter(user=account, expires_at__gt=timezone.now())
        reachable = reachable.union(granted.order_by().values("patient_id"))
    return Patient.objects.filter(pk__in=reachable)


# Worklists: what reaches whom on the home page (the sections of each role's worklist, and the
# permission each needs, are in access_worklist.py) -------------------------------------------


def worklist_items(user: RequestUser) -> tuple[WorkItem, ...]:
    """The sections of this person's worklist, in the order they show."""
    role = role_of(user)
    if role is None:
        return ()
    return tuple(item for item in WORKLISTS.get(role, ()) if has_perm(user, WORK_ITEM_PERM[item]))


def worklist_patients(user: RequestUser, item: WorkItem) -> QuerySet[Patient]:
    """The patients whose work of this kind reaches `user`: their care teams' patients only,
    whatever the scope of the permission (the physicians' review queue permission reaches any
    patient, but a plan waits for its own team's physician). An emergency-access grant opens a
    chart for the emergency; it does not make its holder the one who must acknowledge, review
    or follow up: the care team does."""
    account = staff_account(user)
    if account is None or item not in worklist_items(account):
        return Patient.objects.none()
    return _team_patients(account)


def _team_patients(account: User) -> QuerySet[Patient]:
    return Patient.objects.filter(
        pk__in=CareTeamMember.objects.filter(user=account, ended_at__isnull=True)
        .order_by()
        .values("patient_id")
    )


def medication_pass_patients(user: RequestUser) -> QuerySet[Patient]:
    """Whose doses are on this person's medication pass (for `mar.record`): their care teams'
    patients, like a worklist (an emergency grant opens a chart, it adds no one to the round)."""
    account = staff_account(user)
    if account is None or not has_perm(account, Perm.MAR_RECORD):
        return Patient.objects.none()
    return _team_patients(account)


# Rules on records: each decided here once, called by services (which enforce it), views,
# API and templates (which show or hide the action) -----------------------------------------


def _staff_profile(user: RequestUser) -> StaffProfile | None:
    """The credentials on record for `user` (license, may diagnose, may prescribe), if any."""
    profile: StaffProfile | None = getattr(user, "staff_profile", None)
    return profile


def can_record_diagnosis(user: RequestUser) -> bool:
    """Physicians and psychologists with the credential; counselors only where state law
    (the COUNSELOR_MAY_DIAGNOSE setting) allows it."""
    role = role_of(user)
    profile = _staff_profile(user)
    if role is None or profile is None or role not in CLINICAL_ROLES:
        return False
    if role == Role.PHYSICIAN:
        return True
    if not profile.may_diagnose:
        return False
    if profile.license_type == LicenseType.PSYCHOLOGIST:
        return True
    return role == Role.COUNSELOR and bool(settings.COUNSELOR_MAY_DIAGNOSE)


def diagnosis_refusal(user: RequestUser) -> str | None:
    """Why this person may not record a diagnosis, or None if they may."""
    if can_record_diagnosis(user):
        return None
    if role_of(user) == Role.COUNSELOR:
        profile = _staff_profile(user)
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


def can_change_medication_line(user: RequestUser) -> bool:
    """Medication lines are the prescriber's: any change to one (drug, dose, unit, route,
    indication, schedule, taper) by anyone else is refused."""
    profile = _staff_profile(user)
    return role_of(user) == Role.PHYSICIAN and profile is not None and profile.may_prescribe


def plan_review_refusal(user: RequestUser, *, needs_physician: bool) -> str | None:
    """Why `user` may not approve or return a submitted plan, or None if they may (care-team
    scope is checked by the resolver; this is the role rule). A plan with medication or
    medically supervised detox (`needs_physician`) is a physician's to approve."""
    role = role_of(user)
    if needs_physician and role != Role.PHYSICIAN:
        return "A plan with medication or medically supervised detox is approved by a physician."
    if role not in (Role.PHYSICIAN, Role.COUNSELOR):
        return "Only a physician or counselor on the care team may review plans."
    return None


def can_review_plan(user: RequestUser, *, needs_physician: bool) -> bool:
    """May `user` approve and sign (or return) a submitted plan: the rule pages use to offer
    the buttons, the same one the service enforces."""
    return plan_review_refusal(user, needs_physician=needs_physician) is None


def can_add_interview_addendum(user: RequestUser, interview: Interview) -> bool:
    return can(user, Perm.INTERVIEW_WRITE, interview.patient)


def signer_role(user: RequestUser) -> str:
    """The role recorded with a signature (what the signer was allowed to sign as)."""
    role = role_of(user)
    return role.value if role else ""


# Staff accounts: the reasons are in access_staff.py -----------------------------------------


def can_add_to_care_team(actor: User | None, patient: Patient, user: User | None) -> bool:
    """May `actor` (who may manage this care team) add `user` to it? See care_team_add_refusal."""
    return care_team_add_refusal(actor, patient, user) is None


def can_approve_reset(actor: User, reset: StaffResetRequest) -> bool:
    return has_perm(actor, Perm.STAFF_MANAGE) and reset_approve_refusal(actor, reset) is None


# SUD counseling notes: disclosure (docs/clinical-rules.md#counseling-notes) ------------------
#
# Counseling notes are seen by their author only, so only their author may disclose them, and
# only while on the care team: an emergency-access grant reaches no counseling notes, and a
# clinician who left the team discloses nothing more of the chart. A stored disclosure of
# counseling notes is the discloser's to reopen; the accounting (who, when, why) stays visible.


def can_disclose_counseling_notes(user: RequestUser, patient: Patient) -> bool:
    account = staff_account(user)
    return (
        account is not None
        and can(user, Perm.DISCLOSURE_MAKE, patient)
        and is_team_member(account, patient)
    )


def can_view_disclosure_document(user: RequestUser, disclosure: Disclosure) -> bool:
    if disclosure.content != DisclosureContent.SUD_COUNSELING_NOTES:
        return True
    account = staff_account(user)
    return account is not None and disclosure.disclosed_by_id == account.pk


# Group sessions (docs/clinical-rules.md#group-sessions) -----------------------------------
# A clinician who may run groups runs one for patients of their own care teams only (an
# emergency-access grant opens one chart for an emergency, it puts no one in a group). The
# group is seen by its facilitator and by whoever is on the care team of one of its attendees;
# each sees by name only the attendees of their own care teams. Only the facilitator signs the
# group's notes (they wrote them).


def group_patients(user: RequestUser) -> QuerySet[Patient]:
    """The patients `user` may put on a group's roll: their care teams' patients."""
    account = staff_account(user)
    if account is None or not has_perm(account, Perm.GROUP_SESSION_RUN):
        return Patient.objects.none()
    return _team_patients(account)


def can_view_group_session(user: RequestUser, *, facilitator_id: int, team_attendees: int) -> bool:
    """The facilitator, or a clinician on the care team of `team_attendees` (> 0) attendees."""
    account = staff_account(user)
    if account is None or not has_perm(account, Perm.SESSION_NOTE_VIEW):
        return False
    return account.pk == facilitator_id or team_attendees > 0


def can_sign_group_session(user: RequestUser, *, facilitator_id: int) -> bool:
    account = staff_account(user)
    return (
        account is not None
        and has_perm(account, Perm.GROUP_SESSION_RUN)
        and account.pk == facilitator_id
    )


# Patient self-report (docs/clinical-rules.md#self-report) ------------------------------------


def can_issue_self_report(user: RequestUser, patient: Patient) -> bool:
    """A clinician on the team may hand the patient a self-report link or tablet code."""
    return can(user, Perm.SELF_REPORT_ISSUE, patient)


def can_review_self_report(user: RequestUser, patient: Patient) -> bool:
    """A clinician on the team may accept or reject what the patient answered."""
    return can(user, Perm.SELF_REPORT_REVIEW, patient)


# Session notes (docs/clinical-rules.md#session-notes, #counseling-notes) ---------------------
#
# A draft session note is written, edited and signed by its author alone; once signed, any
# clinician on the team who writes session notes may add a signed addendum. The SUD counseling
# notes of a note are its author's alone: no role, no team membership and no emergency-access
# grant lets anyone else read them.


def can_view_counseling_notes(user: RequestUser | None, note: SessionNote) -> bool:
    """May `user` read this note's SUD counseling notes? Its author only, and only while on
    the patient's care team (never through an emergency-access grant). False for anyone who
    is not the author, whatever else they may do."""
    account = staff_account(user)
    if account is None or note.author_id != account.pk:
        return False
    return has_perm(account, Perm.SESSION_NOTE_VIEW) and is_on_care_team(
        account, note.patient, emergency=False
    )


def session_note_edit_refusal(user: RequestUser, note: SessionNote) -> str | None:
    """Why `user` may not edit or sign this draft note (its state apart: a signed note is a
    409, not a 403), or None if they may."""
    if not can(user, Perm.SESSION_NOTE_WRITE, note.patient):
        return "Only clinicians on the patient's care team may write session notes."
    if note.author_id != user.pk:
        return "Only the author of a draft session note may edit or sign it."
    return None


def can_edit_session_note(user: RequestUser, note: SessionNote) -> bool:
    """A draft, and `user` is its author (pages offer edit and sign on this)."""
    return note.status == SessionNoteStatus.DRAFT and session_note_edit_refusal(user, note) is None


def can_add_session_note_addendum(user: RequestUser, note: SessionNote) -> bool:
    """A signed note, and `user` writes session notes for this patient."""
    return note.status == SessionNoteStatus.SIGNED and can(
        user, Perm.SESSION_NOTE_WRITE, note.patient
    )


# Program outcomes (docs/clinical-rules.md#outcomes) ----------------------------------------
#
# Physicians and clinic administrators, for the whole clinic: counts and rates only, never a
# list of patients (there is none to show, for anyone).


def can_view_outcomes(user: RequestUser | None) -> bool:
    return has_perm(user, Perm.OUTCOMES_VIEW)


# Measurement-based reassessment (docs/clinical-rules.md#reassessment) -------------------------


def reassessment_work(user: RequestUser) -> frozenset[str]:
    """The reassessments due that reach this person's worklist (instrument or kind codes);
    none unless the worklist has the section."""
    role = role_of(user)
    if role is None or WorkItem.REASSESSMENTS_DUE not in worklist_items(user):
        return frozenset()
    return REASSESSMENT_WORK.get(role, frozenset())


def can_view_reassessments(user: RequestUser, patient: Patient) -> bool:
    return can(user, Perm.REASSESSMENT_VIEW, patient)


def outcome_clinicians() -> QuerySet[User]:
    """The staff the outcomes report may be filtered by: active counselors, nurses and
    physicians (who counts as a clinician is a role rule, decided here)."""
    from django.contrib.auth import get_user_model

    labels = [role.label for role in CLINICAL_ROLES]
    return get_user_model().objects.filter(is_active=True, groups__name__in=labels).distinct()
