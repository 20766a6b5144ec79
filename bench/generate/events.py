"""The audit events the generator writes, shaped as the services write them.

One function per service write: the action, the object type and the detail keys are those of the
`audit_record` call in the service named (tests/test_generate_data.py runs each service once and
compares). Details hold ids, codes and counts, never clinical values (the record holds them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from intake.models import (
    Assessment,
    CareTeamMember,
    Diagnosis,
    Episode,
    Interview,
    InterviewAddendum,
    Patient,
    TreatmentPlan,
)

# (action, object type, detail)
Event = tuple[str, str, dict[str, Any]]

CREATE, UPDATE, SIGN = "create", "update", "sign"
# `audit_record(obj=...)` names the object by its model; the lab services name theirs.
PATIENT = Patient._meta.model_name or ""
CARE_TEAM_MEMBER = CareTeamMember._meta.model_name or ""
EPISODE = Episode._meta.model_name or ""
INTERVIEW = Interview._meta.model_name or ""
ADDENDUM = InterviewAddendum._meta.model_name or ""
ASSESSMENT = Assessment._meta.model_name or ""
DIAGNOSIS = Diagnosis._meta.model_name or ""
PLAN = TreatmentPlan._meta.model_name or ""
LAB_ORDER, LAB_RESULT, LAB_ALERT = "lab-order", "lab-result", "lab-alert"


def _ids(ids: Iterable[uuid.UUID]) -> list[str]:
    return [str(i) for i in ids]


def patient_registered() -> Event:
    """services.patient.patient_register"""
    return CREATE, PATIENT, {}


def care_team_member_added() -> Event:
    """services.care_team.care_team_add"""
    return CREATE, CARE_TEAM_MEMBER, {}


def episode_admitted() -> Event:
    """services.episode.episode_admit"""
    return CREATE, EPISODE, {}


def episode_discharged() -> Event:
    """services.episode.episode_discharge"""
    return UPDATE, EPISODE, {"change": "discharged"}


def interview_created(substances: int) -> Event:
    """services.interview.interview_create"""
    return CREATE, INTERVIEW, {"substances": substances}


def interview_signed(content_hash: str) -> Event:
    """services.interview.interview_sign"""
    return SIGN, INTERVIEW, {"content_hash": content_hash}


def addendum_added(interview: uuid.UUID, content_hash: str) -> Event:
    """services.interview.interview_add_addendum"""
    return CREATE, ADDENDUM, {"interview": str(interview), "content_hash": content_hash}


def assessment_recorded(instrument: str, alerts: list[str]) -> Event:
    """services.assessment.assessment_record"""
    return CREATE, ASSESSMENT, {"instrument": instrument, "alerts": alerts}


def diagnosis_recorded(icd10: str) -> Event:
    """services.assessment.diagnosis_record"""
    return CREATE, DIAGNOSIS, {"icd10": icd10}


def lab_ordered(panel: str, priority: str) -> Event:
    """services.lab.lab_order_create"""
    return CREATE, LAB_ORDER, {"panel": panel, "priority": priority}


def lab_results_entered(
    results: Iterable[uuid.UUID], specimen_status: str, alerts: list[str]
) -> Event:
    """services.lab.lab_results_record"""
    detail = {
        "change": "results-entered",
        "results": _ids(results),
        "specimen_status": specimen_status,
        "alerts": alerts,
    }
    return CREATE, LAB_RESULT, detail


def lab_results_amended(
    corrected: list[str],
    superseded: list[uuid.UUID],
    results: list[uuid.UUID],
    specimen_status: str,
) -> Event:
    """services.lab_amend.lab_results_amend"""
    detail = {
        "change": "amended",
        "corrected_tests": sorted(corrected),
        "superseded": _ids(superseded),
        "results": _ids(results),
        "specimen_status": specimen_status,
    }
    return UPDATE, LAB_RESULT, detail


def lab_alert_closed(closure: str, code: str) -> Event:
    """services.lab_alert.lab_alert_acknowledge"""
    return UPDATE, LAB_ALERT, {"change": closure, "code": code}


def plan_created() -> Event:
    """services.treatment_plan.treatment_plan_create"""
    return CREATE, PLAN, {}


def plan_amended(previous: uuid.UUID, version: int) -> Event:
    """services.treatment_plan.treatment_plan_amend: the next version, a draft copied from the
    signed one."""
    return CREATE, PLAN, {"amends": str(previous), "version": version}


def plan_submitted(warnings: list[str]) -> Event:
    """services.treatment_plan.treatment_plan_submit"""
    return UPDATE, PLAN, {"change": "submitted", "warnings": warnings}


def plan_signed(version: int, content_hash: str, acknowledged: list[str]) -> Event:
    """services.treatment_plan.treatment_plan_approve"""
    return SIGN, PLAN, {"version": version, "hash": content_hash, "acknowledged": acknowledged}


ADMINISTRATION, VITAL_SIGNS = "administration", "vital-signs"


def administration_recorded(status: str, drug: str, prn: bool) -> Event:
    """services.medication_administration.administration_record"""
    return CREATE, ADMINISTRATION, {"status": status, "drug": drug, "prn": prn}


def vital_signs_recorded(measures: Iterable[str], critical: list[str]) -> Event:
    """services.vital_signs.vital_signs_record"""
    return CREATE, VITAL_SIGNS, {"measures": sorted(measures), "critical": critical}
