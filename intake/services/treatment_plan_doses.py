"""Absolute dose maxima (docs/clinical-rules.md#absolute-dose-maxima) on a plan's medication lines:
a dose above them is refused when the plan is saved, submitted or signed, never only warned. Errors
are keyed like the API's other medication errors (`medications[i].dose`, `medications[i].taper`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from intake.formulary import FREQUENCIES, dose_refusal
from intake.models import TreatmentPlan


def _decimal_or_none(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() else None


def medication_dose_errors(i: int, med: dict[str, Any]) -> dict[str, list[str]]:
    """A dose (or taper step) above the drug's absolute maximum is refused, not warned
    (docs/clinical-rules.md#absolute-dose-maxima): 99,999 mg of methadone used to be a warning
    a physician could sign past."""
    frequency = med.get("frequency")
    if frequency not in FREQUENCIES:
        return {}
    errors: dict[str, list[str]] = {}
    dose = _decimal_or_none(med.get("dose"))
    if dose is not None and (problem := dose_refusal(med["drug"], dose, frequency)):
        errors[f"medications[{i}].dose"] = [problem]
    for step in med.get("taper") or []:
        step_dose = _decimal_or_none(step.get("dose")) if isinstance(step, dict) else None
        if step_dose is not None and (problem := dose_refusal(med["drug"], step_dose, frequency)):
            errors.setdefault(f"medications[{i}].taper", []).append(
                f"Day {step.get('day')}: {problem}"
            )
    return errors


def plan_dose_errors(plan: TreatmentPlan) -> dict[str, list[str]]:
    """The stored lines of a plan that exceed an absolute maximum (a draft saved before the
    maxima were enforced must not be submitted or signed as it is)."""
    errors: dict[str, list[str]] = {}
    for i, med in enumerate(plan.medications.all()):
        errors.update(
            medication_dose_errors(
                i,
                {
                    "drug": med.drug,
                    "dose": med.dose,
                    "frequency": med.frequency,
                    "taper": med.taper,
                },
            )
        )
    return errors
