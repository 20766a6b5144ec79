"""When each dose of a plan's medication lines is due (docs/clinical-rules.md#administration-times).

Pure arithmetic over a line's facts and the window in which its plan version was active; no
database. The selectors (intake/selectors/mar.py) give it the signed plans of a patient and the
services (intake/services/medication_administration.py) use it to check that a documented dose
is one the active plan ordered.

- Scheduled frequencies are due at the clinic's administration times (settings
  `CLINIC_ADMINISTRATION_TIMES`, defaults of §8) in the clinic's time zone, on every day from the
  line's start date to its end date (inclusive). `once` is due once, at the first time of the day
  on its start date; weekly, monthly and every-4-weeks on the start date and every period after.
- A taper step for day N (the start date + N − 1) replaces the line's dose that day; a step of 0
  means no dose that day.
- A plan version orders doses only while it is active: from its signature to the signature of
  the version that supersedes it (or to its closing). A dose due before the signature on the
  first day is not ordered, except a `once` line's single dose, which is due at the signature.
- PRN frequencies have no due times: a PRN line is given on demand (PRN_INTERVAL_HOURS)."""

from __future__ import annotations

import calendar
import datetime
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings

# §8 defaults; settings.CLINIC_ADMINISTRATION_TIMES may replace any of them ("HH:MM" strings).
DEFAULT_ADMINISTRATION_TIMES: Mapping[str, tuple[str, ...]] = {
    "daily": ("09:00",),
    "bid": ("09:00", "21:00"),
    "tid": ("09:00", "14:00", "21:00"),
    "qid": ("09:00", "13:00", "17:00", "21:00"),
    "once": ("09:00",),
    "weekly": ("09:00",),
    "monthly": ("09:00",),
    "q4w": ("09:00",),
}
PRN_INTERVAL_HOURS: Mapping[str, int] = {"q4h-prn": 4, "q6h-prn": 6, "q8h-prn": 8}
PRN_TIMES_PER_DAY: Mapping[str, int] = {"q4h-prn": 6, "q6h-prn": 4, "q8h-prn": 3}
# A due dose neither given nor documented this long after its time is missed (§8).
MISSED_AFTER = datetime.timedelta(hours=2)

# Opaque, stable ids: a medication line's id and a due dose's id derive from database keys that
# never change (a signed line is immutable), so they need no column of their own and reveal
# neither a count nor a sequence.
_NAMESPACE = uuid.UUID("6f1f3c1e-5d0a-4c59-9b0e-8f6b7b1de0a4")


def line_uid(medication_pk: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"plan-medication:{medication_pk}")


def due_dose_uid(medication_pk: int, due_at: datetime.datetime) -> uuid.UUID:
    moment = due_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M")
    return uuid.uuid5(_NAMESPACE, f"due-dose:{medication_pk}:{moment}")


def is_prn(frequency: str) -> bool:
    return frequency in PRN_INTERVAL_HOURS


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def administration_times(frequency: str) -> tuple[datetime.time, ...]:
    configured = getattr(settings, "CLINIC_ADMINISTRATION_TIMES", None) or {}
    texts = configured.get(frequency) or DEFAULT_ADMINISTRATION_TIMES.get(frequency, ())
    return tuple(sorted(datetime.time.fromisoformat(t) for t in texts))


@dataclass(frozen=True)
class Line:
    """What the schedule needs of a medication line and of the window its plan was active."""

    pk: int
    plan_pk: uuid.UUID
    drug: str
    dose: Decimal
    unit: str
    route: str
    frequency: str
    start_date: datetime.date
    end_date: datetime.date | None
    taper: Sequence[Mapping[str, object]]
    active_from: datetime.datetime
    active_until: datetime.datetime | None
    # A `once` line an amendment carried over: its dose was ordered by the version before.
    carried_over: bool = False

    @property
    def uid(self) -> uuid.UUID:
        """The line's opaque id (`line_uid`), as the API and the pages' forms name it."""
        return line_uid(self.pk)


@dataclass(frozen=True)
class ScheduledDose:
    id: uuid.UUID
    line: Line
    due_at: datetime.datetime
    dose: Decimal


def _taper_doses(line: Line) -> dict[datetime.date, Decimal]:
    doses: dict[datetime.date, Decimal] = {}
    for step in line.taper:
        try:
            day = int(str(step["day"]))
            dose = Decimal(str(step["dose"]))
        except (KeyError, ValueError, InvalidOperation):
            continue
        if day >= 1 and dose.is_finite():
            doses[line.start_date + datetime.timedelta(days=day - 1)] = dose
    return doses


def _add_months(start: datetime.date, months: int) -> datetime.date:
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(start.day, last))


def _is_dose_day(line: Line, day: datetime.date) -> bool:
    offset = (day - line.start_date).days
    if offset < 0 or (line.end_date is not None and day > line.end_date):
        return False
    if line.frequency == "once":
        return offset == 0
    if line.frequency == "weekly":
        return offset % 7 == 0
    if line.frequency == "q4w":
        return offset % 28 == 0
    if line.frequency == "monthly":
        months = (day.year - line.start_date.year) * 12 + day.month - line.start_date.month
        return _add_months(line.start_date, months) == day
    return True


def _days(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def _once_dose(line: Line, first: datetime.date, last: datetime.date) -> list[ScheduledDose]:
    """A `once` line's single dose: at the first administration time of its start date, or at
    the signature when that is later (then on the signature's day); none when carried over or
    after its version's window."""
    times = administration_times(line.frequency)
    dose = _taper_doses(line).get(line.start_date, line.dose)
    if not times or dose <= 0:
        return []
    zone = clinic_zone()
    due_at = datetime.datetime.combine(line.start_date, times[0], tzinfo=zone)
    if due_at < line.active_from:
        if line.carried_over:
            return []
        due_at = line.active_from.astimezone(zone).replace(second=0, microsecond=0)
    if line.active_until is not None and due_at >= line.active_until:
        return []
    if not first <= local_date(due_at) <= last:
        return []
    return [ScheduledDose(due_dose_uid(line.pk, due_at), line, due_at, dose)]


def line_doses(line: Line, first: datetime.date, last: datetime.date) -> list[ScheduledDose]:
    """The doses `line` orders on the clinic days `first`..`last`, in time order."""
    if is_prn(line.frequency):
        return []
    if line.frequency == "once":
        return _once_dose(line, first, last)
    zone = clinic_zone()
    tapered = _taper_doses(line)
    found: list[ScheduledDose] = []
    for day in _days(max(first, line.start_date), last):
        if not _is_dose_day(line, day):
            continue
        dose = tapered.get(day, line.dose)
        if dose <= 0:
            continue
        for at in administration_times(line.frequency):
            due_at = datetime.datetime.combine(day, at, tzinfo=zone)
            if due_at < line.active_from:
                continue
            if line.active_until is not None and due_at >= line.active_until:
                continue
            found.append(ScheduledDose(due_dose_uid(line.pk, due_at), line, due_at, dose))
    return found


def local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of `day` in the clinic's zone and the first moment of the next."""
    zone = clinic_zone()
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
    return start, end


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(clinic_zone()).date()
