"""The permission matrix: which role may do what, over which patients (deny by default), and what
an emergency-access grant never reaches. Written out for people in `docs/permissions.md`
(`tests/test_permission_matrix.py` holds the two in step); the rules that apply it are in
`intake/access.py`, which re-exports these names: import them from there.
"""

from __future__ import annotations

from intake.access_scope import RequestUser, is_on_care_team, role_of, staff_account
from intake.access_vocabulary import Perm, Scope
from intake.models import Patient, Role

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
    # The role is necessary, not sufficient: can_record_diagnosis checks the credential.
    Perm.DIAGNOSIS_RECORD: {_C: Scope.TEAM, _P: Scope.TEAM},
    Perm.LAB_CATALOG: {_C: Scope.ANY, _N: Scope.ANY, _P: Scope.ANY},
    Perm.LAB_VIEW: dict(_TEAM_CLINICIANS),
    Perm.LAB_ORDER: {_N: Scope.TEAM, _P: Scope.TEAM},
    Perm.LAB_RESULT_ENTER: {_N: Scope.TEAM, _P: Scope.TEAM},
    Perm.LAB_ALERT_ACK: {_P: Scope.TEAM},
    # Clinical observations, read by the whole team like labs; taken and acted on by nurses
    # and physicians (a critical value is for whoever is at the bedside).
    Perm.VITAL_SIGNS_VIEW: dict(_TEAM_CLINICIANS),
    Perm.VITAL_SIGNS_RECORD: {_N: Scope.TEAM, _P: Scope.TEAM},
    Perm.VITAL_SIGNS_ALERT_ACK: {_N: Scope.TEAM, _P: Scope.TEAM},
    # The medication administration record and the withdrawal flowsheet: read by the team,
    # written by the nurses and physicians who give the doses; the daily review of a detox
    # is the physician's (docs/clinical-rules.md#medication-administration).
    Perm.MAR_VIEW: dict(_TEAM_CLINICIANS),
    Perm.MAR_RECORD: {_N: Scope.TEAM, _P: Scope.TEAM},
    Perm.WITHDRAWAL_REVIEW: {_P: Scope.TEAM},
    # Session notes are written by every clinician on the team (counseling, case management,
    # medical visits) and read by the team; a note's SUD counseling notes by its author alone
    # (can_view_counseling_notes). Groups are run by counselors, nurses and physicians alike.
    Perm.SESSION_NOTE_VIEW: dict(_TEAM_CLINICIANS),
    Perm.SESSION_NOTE_WRITE: dict(_TEAM_CLINICIANS),
    Perm.GROUP_SESSION_RUN: dict(_TEAM_CLINICIANS),
    Perm.REASSESSMENT_VIEW: dict(_TEAM_CLINICIANS),
    # A clinician on the team hands the patient a link or tablet code, and reviews what comes
    # back before it enters the record.
    Perm.SELF_REPORT_ISSUE: dict(_TEAM_CLINICIANS),
    Perm.SELF_REPORT_REVIEW: dict(_TEAM_CLINICIANS),
    # Program outcomes: counts and rates over the whole program, for the medical director and
    # the clinic's administrators; never a patient list (docs/clinical-rules.md#outcomes).
    Perm.OUTCOMES_VIEW: {_P: Scope.ANY, _ADMIN: Scope.ANY},
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


def scope_for(user: RequestUser | None, perm: Perm) -> Scope | None:
    role = role_of(user)
    if role is None:
        return None
    return MATRIX[perm].get(role)


def has_perm(user: RequestUser | None, perm: Perm) -> bool:
    """May this user do `perm` at all (for some patient)?"""
    return scope_for(user, perm) is not None


def can(user: RequestUser | None, perm: Perm, patient: Patient | None = None) -> bool:
    scope = scope_for(user, perm)
    if scope is None:
        return False
    if scope is Scope.ANY or patient is None:
        return True
    account = staff_account(user)  # never None once the role has a scope
    emergency = perm not in NOT_BY_EMERGENCY_ACCESS
    return account is not None and is_on_care_team(account, patient, emergency=emergency)
