"""The rules an interview draft is checked against before it is stored, beyond each field's own
(`full_clean`): dates that must lie between the patient's birth and now, the opioid last used,
the episode's patient, pregnancy stated twice, and the substance rows (at most so many, none
listed twice, ages and last uses that fit the patient). `validate` raises one ValidationError
naming every bad field (`substances` for the rows)."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Field
from django.utils import timezone

from intake import limits
from intake.models import OPIOID_SUBSTANCES, Interview, Patient, SubstanceUse

Errors = dict[str, list[str]]

# Typed times are minutes; allow a little clock skew between the browser and the server.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _day_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _check_dates(errors: Errors, interview: Interview, patient: Patient) -> None:
    """The interview, the last overdose and the last opioid use: not in the future, not before
    the date of birth."""
    today = timezone.localdate()
    if interview.interviewed_on:
        if interview.interviewed_on > today:
            add_error(errors, "interviewed_on", "The interview date cannot be in the future.")
        elif interview.interviewed_on < patient.birth_date:
            add_error(errors, "interviewed_on", "The interview date is before the date of birth.")
    if interview.last_overdose_on:
        if interview.last_overdose_on > today:
            add_error(errors, "last_overdose_on", "The last overdose cannot be in the future.")
        elif interview.last_overdose_on < patient.birth_date:
            add_error(errors, "last_overdose_on", "The last overdose is before the date of birth.")
        if interview.overdose_count == 0:
            add_error(
                errors,
                "last_overdose_on",
                "A last overdose date is given but the number of overdoses is 0.",
            )
    last_use = interview.last_opioid_use_at
    if last_use and last_use > timezone.now() + FUTURE_TOLERANCE:
        add_error(errors, "last_opioid_use_at", "The last opioid use cannot be in the future.")
    elif last_use and _day_of(last_use) < patient.birth_date:
        add_error(errors, "last_opioid_use_at", "The last opioid use is before the date of birth.")


def _check_interview(errors: Errors, interview: Interview, patient: Patient) -> None:
    """The opioid last used, the episode, pregnancy, then each field's own rules (full_clean),
    a message already given by the rules above not repeated."""
    if interview.last_opioid_used and interview.last_opioid_used not in OPIOID_SUBSTANCES:
        add_error(
            errors, "last_opioid_used", "Choose an opioid (the one last used, for induction)."
        )
    episode = interview.episode if interview.episode_id else None
    if episode is not None and episode.patient_id != patient.pk:
        add_error(errors, "episode", "That episode belongs to another patient.")
    if "pregnancy" in interview.medical_conditions and interview.pregnancy_status == "not-pregnant":
        add_error(
            errors,
            "pregnancy_status",
            "Pregnancy is listed under medical conditions but the status says not pregnant.",
        )
    try:
        interview.full_clean(exclude=["patient", "author"], validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                if message not in errors.get(field, []):
                    add_error(errors, field, message)


def _row_label(number: int, row: SubstanceUse) -> str:
    label = f"Substance {number}"
    if row.substance:
        label += f" ({row.get_substance_display()})"
    return label


def _verbose_name(field: str) -> str:
    return str(cast("Field[Any, Any]", SubstanceUse._meta.get_field(field)).verbose_name)


def _check_row(errors: Errors, label: str, row: SubstanceUse, patient: Patient, age: int) -> None:
    if row.age_first_use is not None and row.age_first_use > age:
        add_error(
            errors,
            "substances",
            f"{label}: age at first use ({row.age_first_use}) is above the patient's age ({age}).",
        )
    if row.last_use_at and row.last_use_at > timezone.now() + FUTURE_TOLERANCE:
        add_error(errors, "substances", f"{label}: last use cannot be in the future.")
    elif row.last_use_at and _day_of(row.last_use_at) < patient.birth_date:
        add_error(errors, "substances", f"{label}: last use is before the date of birth.")
    try:
        row.full_clean(exclude=["interview"], validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            name = _verbose_name(field) if field != "__all__" else ""
            for message in messages:
                add_error(errors, "substances", f"{label}: {name + ': ' if name else ''}{message}")


def _check_rows(
    errors: Errors, interview: Interview, patient: Patient, rows: list[SubstanceUse]
) -> None:
    """Each substance row, named by its number (and substance); the same substance twice is
    refused, to be combined into one row."""
    age_then = patient.age_on(interview.interviewed_on or timezone.localdate())
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(rows, start=1):
        label = _row_label(number, row)
        key = (row.substance, (row.substance_name or "").strip().lower())
        if key in seen:
            add_error(errors, "substances", f"{label}: listed twice; combine the two rows.")
        seen.add(key)
        _check_row(errors, label, row, patient, age_then)


def validate(interview: Interview, patient: Patient, rows: list[SubstanceUse]) -> None:
    """full_clean plus the rules that need the patient or the clock. Raises one
    ValidationError naming every bad field (`substances` for the rows)."""
    errors: Errors = {}
    _check_dates(errors, interview, patient)
    if len(rows) > limits.MAX_SUBSTANCES:
        add_error(
            errors, "substances", f"At most {limits.MAX_SUBSTANCES} substances ({len(rows)} given)."
        )
        raise ValidationError(errors)
    _check_interview(errors, interview, patient)
    _check_rows(errors, interview, patient, rows)
    if errors:
        raise ValidationError(errors)
