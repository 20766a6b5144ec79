from intake.models.audit import AuditAction, AuditEvent, AuditOutcome
from intake.models.care_team import CareTeamMember, TeamRole
from intake.models.episode import DischargeReason, Episode, EpisodeStatus, Program
from intake.models.patient import Patient, SexAtBirth
from intake.models.staff import CLINICAL_ROLES, GROUP_TO_ROLE, LicenseType, Role, StaffProfile

__all__ = [
    "AuditAction",
    "AuditEvent",
    "AuditOutcome",
    "CLINICAL_ROLES",
    "CareTeamMember",
    "DischargeReason",
    "Episode",
    "EpisodeStatus",
    "GROUP_TO_ROLE",
    "LicenseType",
    "Patient",
    "Program",
    "Role",
    "SexAtBirth",
    "StaffProfile",
    "TeamRole",
]
