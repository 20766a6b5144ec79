"""The rules a treatment plan draft is checked against before it is stored: bounds of the plan's
own fields (review date, problems and their goals, the withdrawal-monitoring schedule) and of its
components (known drugs, dates, taper steps, absolute dose maxima, who may change a medication
line). Each check raises one ValidationError naming every bad field, keyed as the API's fields
are (`medications[0].dose`, `problems[1].goals[0].target_date`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from intake import access, limits
from intake.dates import planned_date_error, schedule_date_error
from intake.exceptions import RuleViolation
from intake.formulary import DRUGS
from intake.models import Patient
from intake.services.treatment_plan_doses import medication_dose_errors
from intake.signing import json_ready

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Errors = dict[str, list[str]]


def med_signature(med: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a prescriber decides on a medication line: every stored field, with the defaults
    `replace_components` would fill in, so a non-prescriber cannot change any of them (route,
    unit and indication were once left out and could be changed by a counselor)."""
    drug = DRUGS[med["drug"]]
    return (
        med["drug"],
        json_ready(Decimal(str(med["dose"]))),
        med.get("unit") or drug.unit,
        med.get("route") or drug.route,
        (med.get("indication") or drug.indication).strip(),
        med["frequency"],
        json_ready(med["start_date"]),
        json_ready(med.get("end_date")),
        tuple((int(t["day"]), json_ready(Decimal(str(t["dose"])))) for t in med.get("taper") or []),
    )


def _too_many(
    errors: Errors, field: str, items: Sequence[Any] | None, limit: int, what: str
) -> bool:
    if items is not None and len(items) > limit:
        errors[field] = [f"At most {limit} {what} ({len(items)} given)."]
        return True
    return False


def _check_target_date(errors: Errors, field: str, item: Any, patient: Patient) -> None:
    if not isinstance(item, dict):
        return
    error = planned_date_error(item.get("target_date"), patient=patient, what="A target date")
    if error:
        errors[f"{field}.target_date"] = [error]


def _check_goal_dates(errors: Errors, field: str, goals: Any, patient: Patient) -> None:
    """Goals (and their objectives) may carry target dates: plausible, up to the schedule
    window. Past ones are allowed, since an amendment carries over what was set before."""
    if _too_many(errors, field, goals, limits.MAX_GOALS, "goals"):
        return
    for g, goal in enumerate(goals or []):
        if not isinstance(goal, dict):
            continue
        _check_target_date(errors, f"{field}[{g}]", goal, patient)
        objectives = goal.get("objectives") or []
        if _too_many(
            errors, f"{field}[{g}].objectives", objectives, limits.MAX_OBJECTIVES, "objectives"
        ):
            continue
        _too_many(
            errors,
            f"{field}[{g}].interventions",
            goal.get("interventions"),
            limits.MAX_OBJECTIVES,
            "interventions",
        )
        for o, objective in enumerate(objectives):
            _check_target_date(errors, f"{field}[{g}].objectives[{o}]", objective, patient)


def _check_monitoring(errors: Errors, monitoring: Any) -> None:
    """The withdrawal-monitoring schedule has one shape: {"instrument", "every_hours",
    "notes"?}, or {} for none. Anything else is refused rather than stored as it came."""
    if monitoring in (None, {}):
        return
    field = "withdrawal_monitoring"
    if not isinstance(monitoring, dict):
        errors[field] = ["Give an object with instrument and every_hours, or {} for none."]
        return
    unknown = sorted(
        set(monitoring) - {"instrument", "every_hours", "notes", "induction_threshold"}
    )
    if unknown:
        errors[field] = [f"Unknown key(s): {', '.join(unknown)}."]
    if monitoring.get("instrument") not in limits.MONITORING_INSTRUMENTS:
        names = ", ".join(limits.MONITORING_INSTRUMENTS)
        errors[f"{field}.instrument"] = [f"Choose the withdrawal scale: one of {names}."]
    low, high = limits.MONITORING_HOURS
    hours = monitoring.get("every_hours")
    if isinstance(hours, bool) or not isinstance(hours, int) or not low <= hours <= high:
        errors[f"{field}.every_hours"] = [f"Give a whole number of hours from {low} to {high}."]
    low, high = limits.INDUCTION_THRESHOLD_RANGE
    threshold = monitoring.get("induction_threshold", limits.INDUCTION_THRESHOLD_DEFAULT)
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int)
        or not low <= threshold <= high
    ):
        errors[f"{field}.induction_threshold"] = [
            "Give the COWS total for a buprenorphine induction, a whole number from "
            f"{low} to {high}."
        ]
    notes = monitoring.get("notes", "")
    if not isinstance(notes, str) or len(notes) > limits.MAX_MONITORING_NOTES or "\x00" in notes:
        errors[f"{field}.notes"] = [
            f"Notes are text of at most {limits.MAX_MONITORING_NOTES} characters."
        ]


def check_plan_fields(data: Mapping[str, Any], patient: Patient) -> None:
    """Bounds of the plan's own fields: review date, problems, monitoring schedule."""
    errors: Errors = {}
    error = schedule_date_error(data.get("review_date"), what="The review date")
    if error:
        errors["review_date"] = [error]
    if "withdrawal_monitoring" in data:
        _check_monitoring(errors, data["withdrawal_monitoring"])
    problems = data.get("problems")
    if not _too_many(errors, "problems", problems, limits.MAX_PROBLEMS, "problems"):
        for p, problem in enumerate(problems or []):
            if isinstance(problem, dict):
                _check_goal_dates(errors, f"problems[{p}].goals", problem.get("goals"), patient)
    if errors:
        raise ValidationError(errors)


def _medication_errors(i: int, med: dict[str, Any], patient: Patient) -> Errors:
    if med.get("drug") not in DRUGS:
        return {f"medications[{i}].drug": ["Unknown drug."]}
    errors: Errors = {}
    drug = DRUGS[med["drug"]]
    if med.get("unit") and med["unit"] != drug.unit:
        errors[f"medications[{i}].unit"] = [f"{drug.name} is dosed in {drug.unit}."]
    # A line carried over by an amendment may have started long ago; none starts before
    # the patient was born or ends beyond the schedule window.
    for key, what in (("start_date", "The start date"), ("end_date", "The end date")):
        error = planned_date_error(med.get(key), patient=patient, what=what)
        if error:
            errors[f"medications[{i}].{key}"] = [error]
    if med.get("end_date") and med["end_date"] < med["start_date"]:
        errors.setdefault(f"medications[{i}].end_date", []).append("Ends before it starts.")
    _too_many(
        errors, f"medications[{i}].taper", med.get("taper"), limits.MAX_TAPER_STEPS, "taper steps"
    )
    errors.update(medication_dose_errors(i, med))
    return errors


def check_components(
    actor: User,
    medications: Sequence[dict[str, Any]],
    behavioral: Sequence[Mapping[str, Any]],
    *,
    patient: Patient,
    existing_medications: Iterable[Mapping[str, Any]] = (),
) -> None:
    """Medication lines and behavioral components; then, only a prescriber may add or change a
    medication line (RuleViolation), compared with the lines the plan had."""
    errors: Errors = {}
    _too_many(errors, "medications", medications, limits.MAX_MEDICATIONS, "medication lines")
    _too_many(errors, "behavioral", behavioral, limits.MAX_BEHAVIORAL, "behavioral components")
    if errors:
        raise ValidationError(errors)
    for i, med in enumerate(medications):
        errors.update(_medication_errors(i, med, patient))
    for i, comp in enumerate(behavioral):
        if not comp.get("targets"):
            errors[f"behavioral[{i}].targets"] = ["Name at least one target."]
        _check_goal_dates(errors, f"behavioral[{i}].goals", comp.get("goals"), patient)
    if errors:
        raise ValidationError(errors)
    changed = sorted(map(med_signature, medications)) != sorted(
        map(med_signature, existing_medications)
    )
    if changed and not access.can_change_medication_line(actor):
        raise RuleViolation("Only a prescriber may add or change medication lines.")
