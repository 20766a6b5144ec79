"""The vocabulary the rules of `intake/access.py` are written in: what can be done (Perm) and how
far a permission reaches (Scope).

Who may do which, to whom, is decided in `intake/access.py` (MATRIX, the `can_*` rules), which
re-exports these names; import them from there.
"""

import enum


class Perm(enum.StrEnum):
    """What can be done; access.MATRIX says by which role, and over which patients."""

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
    VITAL_SIGNS_VIEW = "vital-signs.view"
    VITAL_SIGNS_RECORD = "vital-signs.record"
    VITAL_SIGNS_ALERT_ACK = "vital-signs.alert-acknowledge"
    MAR_VIEW = "mar.view"
    MAR_RECORD = "mar.record"
    WITHDRAWAL_REVIEW = "withdrawal.review"
    # After intake (docs/clinical-rules.md#session-notes): session notes, groups, reassessment,
    # the patient's own answers, and the program's outcomes in aggregate.
    SESSION_NOTE_VIEW = "session-note.view"
    SESSION_NOTE_WRITE = "session-note.write"
    GROUP_SESSION_RUN = "group-session.run"
    REASSESSMENT_VIEW = "reassessment.view"
    SELF_REPORT_ISSUE = "self-report.issue"
    SELF_REPORT_REVIEW = "self-report.review"
    OUTCOMES_VIEW = "outcomes.view"
    PLAN_VIEW = "plan.view"
    PLAN_WRITE = "plan.write"
    PLAN_APPROVE = "plan.approve"
    REVIEW_QUEUE = "plan.review-queue"
    MERGE_REVIEW = "patient.merge-review"
    STAFF_CHANGE_REVIEW = "staff.change-review"


class Scope(enum.Enum):
    """How far a role's permission reaches."""

    ANY = "any patient"
    TEAM = "patients on their care team"
