"""What a treatment plan version says, as it is signed, hashed, compared and printed: the plan's
own fields, its medication lines and behavioral components as JSON-ready values. A signed
version verifies when its stored content still hashes to the signature's hash and the rows still
say the same."""

from __future__ import annotations

from typing import Any

from intake.formulary import MEDICATION_FIELDS
from intake.models import TreatmentPlan
from intake.signing import content_sha256, json_ready

PLAN_FIELDS = (
    "setting",
    "asam_level",
    "medically_supervised_detox",
    "hospitalize_for_detox",
    "withdrawal_monitoring",
    "problems",
    "review_date",
)
BEHAVIORAL_FIELDS = ("modality", "setting", "frequency", "targets", "goals")


def treatment_plan_content(plan: TreatmentPlan) -> dict[str, Any]:
    """The clinical content of a version: what is signed, hashed, compared and printed."""
    return {
        "patient": str(plan.patient_id),
        "version": plan.version,
        **{f: json_ready(getattr(plan, f)) for f in PLAN_FIELDS},
        "medications": [
            {f: json_ready(getattr(m, f)) for f in MEDICATION_FIELDS}
            for m in plan.medications.all()
        ],
        "behavioral": [
            {f: json_ready(getattr(b, f)) for f in BEHAVIORAL_FIELDS} for b in plan.behavioral.all()
        ],
    }


def content_hash(content: dict[str, Any]) -> str:
    return content_sha256(content)


def treatment_plan_verify(plan: TreatmentPlan) -> bool:
    """True when the signed version still has exactly the content that was signed."""
    if not plan.is_signed:
        return False
    return (
        plan.signed_content is not None
        and content_hash(plan.signed_content) == plan.content_hash
        and treatment_plan_content(plan) == plan.signed_content
    )


def needs_physician(plan: TreatmentPlan) -> bool:
    return plan.medically_supervised_detox or plan.medications.exists()
