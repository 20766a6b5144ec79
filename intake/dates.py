"""Plausible dates, one rule for every service (issue 11): what happened happened on or after
the patient's date of birth (and not before 1900) and not in the future; what is scheduled
(a plan's review date) lies from today to SCHEDULE_YEARS ahead; what is planned but may have
passed (a medication's dates, a goal's target) lies from birth to SCHEDULE_YEARS ahead. Each
message states the window."""

from __future__ import annotations

import datetime

from django.utils import timezone

EARLIEST = datetime.date(1900, 1, 1)
SCHEDULE_YEARS = 2


def _day(value) -> datetime.date | None:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None  # not a date at all: the field's own validation says so
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def past_date_error(value, *, patient=None, what: str = "This date") -> str | None:
    """None if `value` (a date or datetime) is plausible for something that happened."""
    day = _day(value) if value is not None else None
    if day is None:
        return None
    birth = getattr(patient, "birth_date", None)
    earliest = max(EARLIEST, birth) if birth else EARLIEST
    today = timezone.localdate()
    if day < earliest:
        reason = "the patient's date of birth" if birth and birth > EARLIEST else "1900"
        return (
            f"{what} cannot be before {reason} ({earliest.isoformat()}): give a date from "
            f"{earliest.isoformat()} to {today.isoformat()}."
        )
    if day > today:
        return f"{what} cannot be in the future: give a date up to {today.isoformat()}."
    return None


def schedule_date_error(value, *, what: str = "This date") -> str | None:
    """None if `value` is a plausible date to schedule: today up to SCHEDULE_YEARS ahead."""
    day = _day(value) if value is not None else None
    if day is None:
        return None
    today = timezone.localdate()
    latest = _schedule_end(today)
    if day < today or day > latest:
        return (
            f"{what} must be from today ({today.isoformat()}) to {SCHEDULE_YEARS} years ahead "
            f"({latest.isoformat()})."
        )
    return None


def _schedule_end(today: datetime.date) -> datetime.date:
    try:
        return today.replace(year=today.year + SCHEDULE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + SCHEDULE_YEARS, day=28)


def planned_date_error(value, *, patient=None, what: str = "This date") -> str | None:
    """None if `value` is plausible for a planned date that may already have passed (a
    medication's start or end, a goal's target date, carried over by an amendment): from the
    patient's date of birth (not before 1900) to SCHEDULE_YEARS ahead."""
    day = _day(value) if value is not None else None
    if day is None:
        return None
    birth = getattr(patient, "birth_date", None)
    earliest = max(EARLIEST, birth) if birth else EARLIEST
    latest = _schedule_end(timezone.localdate())
    if not earliest <= day <= latest:
        return (
            f"{what} must be from {earliest.isoformat()} to {SCHEDULE_YEARS} years ahead "
            f"({latest.isoformat()})."
        )
    return None
