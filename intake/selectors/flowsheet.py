"""The withdrawal flowsheet of a patient (docs/api.md#withdrawal-flowsheet): day by day, the
withdrawal scales taken (COWS, SOWS, CIWA-Ar: total and band), the vital signs (each measure
with its flag, docs/clinical-rules.md#vital-signs) and the doses of the medication
administration record (docs/clinical-rules.md#medication-administration): given, held,
refused, omitted, missed or still due, and the PRN doses given.

Five queries for any span and any number of doses: the signed plans with their lines (two,
intake/selectors/mar.py), the span's administration entries, its assessments and its vital
sets. The grid the page prints (intake/selectors/flowsheet_grid.py) is built from the same
days without a query."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from intake import labels, limits
from intake import mar_schedule as schedule
from intake.formulary import amount_text
from intake.models import (
    AdministrationStatus,
    Assessment,
    DueDoseStatus,
    MedicationAdministration,
    Patient,
    VitalSigns,
)
from intake.selectors.mar import (
    DoseRow,
    SignedPlan,
    active_plan,
    dose_rows,
    entries_between,
    is_voided,
    signed_plans,
)
from intake.selectors.vital_signs import Reading, readings

if TYPE_CHECKING:
    from intake.selectors.flowsheet_grid import DayGrid

SCALES = limits.MONITORING_SCALES
MAX_DAYS = 31
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)
# Tones of a mark: the page colours them, and always writes the word too.
NORMAL, WARN, CRITICAL = "normal", "warn", "critical"


def _who(user: object) -> str:
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return str(full or getattr(user, "username", ""))


@dataclass(frozen=True)
class ScaleEntry:
    """One withdrawal scale taken: its total and band in words."""

    id: uuid.UUID
    instrument: str
    name: str
    at: datetime.datetime
    total: int
    band: str
    band_label: str
    tone: str
    recorded_by: str


@dataclass(frozen=True)
class VitalSet:
    """One valid set of vital signs (a set entered in error is left out)."""

    id: uuid.UUID
    taken_at: datetime.datetime
    readings: tuple[Reading, ...]
    recorded_by: str

    def reading(self, code: str) -> Reading | None:
        return next((r for r in self.readings if r.code == code), None)


@dataclass(frozen=True)
class DoseEntry:
    """A dose of the MAR: a scheduled dose with its status, or a PRN dose documented."""

    entry: uuid.UUID | None
    due_dose: uuid.UUID | None
    medication: uuid.UUID
    drug: str
    drug_label: str
    prn: bool
    due_at: datetime.datetime | None
    at: datetime.datetime
    given_at: datetime.datetime | None
    status: str
    status_label: str
    ordered_dose: Decimal
    dose: Decimal | None
    unit: str
    route: str
    reason: str
    recorded_by: str

    @property
    def dose_text(self) -> str:
        amount = self.dose if self.dose is not None else self.ordered_dose
        return f"{amount_text(amount)} {self.unit}"


@dataclass
class FlowsheetDay:
    date: datetime.date
    assessments: list[ScaleEntry] = field(default_factory=list)
    vitals: list[VitalSet] = field(default_factory=list)
    administrations: list[DoseEntry] = field(default_factory=list)


@dataclass
class Flowsheet:
    first: datetime.date
    last: datetime.date
    days: list[FlowsheetDay]
    # The scales shown (those taken, and the one the active plan monitors), in SCALES order.
    scales: list[str]
    # (drug, words) of every drug with a dose in the span, in the order of their words.
    drugs: list[tuple[str, str]]

    @cached_property
    def grids(self) -> list[DayGrid]:
        """The page's grid of each day (intake/selectors/flowsheet_grid.py)."""
        from intake.selectors.flowsheet_grid import flowsheet_grids

        return flowsheet_grids(self)

    @property
    def span(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def previous_first(self) -> datetime.date:
        return self.first - datetime.timedelta(days=self.span)

    @property
    def previous_last(self) -> datetime.date:
        return self.first - datetime.timedelta(days=1)

    @property
    def next_first(self) -> datetime.date:
        return self.last + datetime.timedelta(days=1)

    @property
    def next_last(self) -> datetime.date:
        return self.last + datetime.timedelta(days=self.span)


def band_tone(instrument: str, band: str) -> str:
    """The lowest band of a scale is unremarkable, its highest critical, the others a warning."""
    from intake.scoring.registry import get_instrument

    codes = [b.code for b in get_instrument(instrument).bands]
    if band not in codes or band == codes[0]:
        return NORMAL
    return CRITICAL if band == codes[-1] else WARN


DOSE_TONES: dict[str, str] = {
    DueDoseStatus.GIVEN.value: NORMAL,
    DueDoseStatus.DUE.value: NORMAL,
    DueDoseStatus.HELD.value: WARN,
    DueDoseStatus.REFUSED.value: WARN,
    DueDoseStatus.OMITTED.value: WARN,
    DueDoseStatus.MISSED.value: CRITICAL,
}


def _scale(a: Assessment) -> ScaleEntry:
    return ScaleEntry(
        id=a.pk,
        instrument=a.instrument,
        name=SCALES[a.instrument],
        at=a.administered_at,
        total=a.total,
        band=a.band,
        band_label=labels.band_label(a.band, a.instrument),
        tone=band_tone(a.instrument, a.band),
        recorded_by=_who(a.administered_by),
    )


def _vital_set(v: VitalSigns) -> VitalSet:
    return VitalSet(v.pk, v.taken_at, tuple(readings(v)), _who(v.created_by))


def _status_label(status: str) -> str:
    return str(DueDoseStatus(status).label)


def _scheduled(row: DoseRow) -> DoseEntry:
    entry = row.entry
    given = entry.status == AdministrationStatus.GIVEN if entry is not None else False
    return DoseEntry(
        entry=entry.pk if entry is not None else None,
        due_dose=row.id,
        medication=schedule.line_uid(row.line.pk),
        drug=row.line.drug,
        drug_label=labels.label(row.line.drug, "DrugCode"),
        prn=False,
        due_at=row.due_at,
        at=row.due_at,
        given_at=entry.given_at if given and entry is not None else None,
        status=row.status,
        status_label=_status_label(row.status),
        ordered_dose=row.dose,
        dose=entry.dose if given and entry is not None else None,
        unit=(entry.unit if given and entry is not None else "") or row.line.unit,
        route=row.line.route,
        reason=entry.reason if entry is not None else "",
        recorded_by=_who(entry.created_by) if entry is not None else "",
    )


def _prn(entry: MedicationAdministration) -> DoseEntry:
    med = entry.medication
    given = entry.status == AdministrationStatus.GIVEN
    return DoseEntry(
        entry=entry.pk,
        due_dose=None,
        medication=schedule.line_uid(med.pk),
        drug=med.drug,
        drug_label=labels.label(med.drug, "DrugCode"),
        prn=True,
        due_at=None,
        at=entry.given_at,
        given_at=entry.given_at if given else None,
        status=entry.status,
        status_label=_status_label(entry.status),
        ordered_dose=Decimal(med.dose),
        dose=entry.dose if given else None,
        unit=(entry.unit if given else "") or med.unit,
        route=med.route,
        reason=entry.reason,
        recorded_by=_who(entry.created_by),
    )


def _doses(
    plans: Sequence[SignedPlan],
    entries: Sequence[MedicationAdministration],
    first: datetime.date,
    last: datetime.date,
    now: datetime.datetime,
) -> list[DoseEntry]:
    doses = [_scheduled(row) for row in dose_rows(plans, entries, first, last, now)]
    doses += [
        _prn(e)
        for e in entries
        if e.due_dose_id is None and e.status != AdministrationStatus.VOID and not is_voided(e)
    ]
    return sorted(doses, key=lambda d: (d.at, d.drug_label))


def _scales_shown(plans: Sequence[SignedPlan], taken: Sequence[ScaleEntry]) -> list[str]:
    shown = {a.instrument for a in taken}
    active = active_plan(plans)
    monitoring = (active.plan.withdrawal_monitoring or {}) if active is not None else {}
    if monitoring.get("instrument") in SCALES:
        shown.add(monitoring["instrument"])
    return [code for code in SCALES if code in shown] or ["cows"]


def withdrawal_flowsheet(
    *, patient: Patient, first: datetime.date, last: datetime.date, now: datetime.datetime
) -> Flowsheet:
    """The flowsheet of the clinic days `first`..`last` (inclusive): five queries whatever the
    span, the number of doses, scales and vital sets."""
    start, _ = schedule.local_day_bounds(first)
    _, end = schedule.local_day_bounds(last)
    plans = signed_plans(patient)
    entries = list(entries_between(patient, start, end))
    taken = [
        _scale(a)
        for a in Assessment.objects.filter(
            patient=patient,
            instrument__in=sorted(SCALES),
            administered_at__gte=start,
            administered_at__lt=end,
        )
        .select_related("administered_by")
        .order_by("administered_at", "created_at")
    ]
    sets = [
        _vital_set(v)
        for v in VitalSigns.objects.filter(
            patient=patient, voided_at__isnull=True, taken_at__gte=start, taken_at__lt=end
        )
        .select_related("created_by")
        .order_by("taken_at", "created_at")
    ]
    days = {
        first + datetime.timedelta(days=i): FlowsheetDay(first + datetime.timedelta(days=i))
        for i in range((last - first).days + 1)
    }
    doses = _doses(plans, entries, first, last, now)
    for a in taken:
        days[schedule.local_date(a.at)].assessments.append(a)
    for v in sets:
        days[schedule.local_date(v.taken_at)].vitals.append(v)
    for d in doses:
        day = days.get(schedule.local_date(d.at))
        if day is not None:  # a dose given late, after midnight, stays on the day it was due
            day.administrations.append(d)
    drugs = sorted({(d.drug, d.drug_label) for d in doses}, key=lambda pair: pair[1])
    return Flowsheet(first, last, list(days.values()), _scales_shown(plans, taken), drugs)


def default_first_day(*, patient: Patient, now: datetime.datetime) -> datetime.date:
    """Where the flowsheet starts unless asked: the day of the first dose given (an entry not
    voided), or else the active plan's signing or its first medication's start, whichever is
    earlier; today for a patient with neither. Two or three queries."""
    first_given = (
        MedicationAdministration.objects.filter(
            patient=patient, status=AdministrationStatus.GIVEN, void_entry__isnull=True
        )
        .order_by("given_at")
        .values_list("given_at", flat=True)
        .first()
    )
    if first_given is not None:
        return schedule.local_date(first_given)
    active = active_plan(signed_plans(patient))
    if active is None:
        return schedule.local_date(now)
    starts = [line.start_date for line in active.lines]
    return min([schedule.local_date(active.active_from), *starts])


def _date(text: str | None, name: str) -> datetime.date | None:
    if not text:
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: ["Give a date as YYYY-MM-DD."]}) from None
    if not EARLIEST <= day <= LATEST:
        raise ValidationError({name: ["Give a date from 2000-01-01 to 2100-12-31."]})
    return day


def flowsheet_range(
    from_text: str | None,
    to_text: str | None,
    *,
    today: datetime.date,
    default_first: Callable[[], datetime.date],
) -> tuple[datetime.date, datetime.date]:
    """The days asked for (`from`, `to`, YYYY-MM-DD), at most MAX_DAYS. Without `to`: today,
    or `from` + 30 days if that is earlier; without `from`: `default_first()`, or `to` − 30
    days if that is later. ValidationError naming the field: a malformed date, `to` before
    `from`, or both given more than MAX_DAYS apart."""
    first, last = _date(from_text, "from"), _date(to_text, "to")
    cap = datetime.timedelta(days=MAX_DAYS - 1)
    if last is None:
        last = max(first, min(today, first + cap)) if first is not None else today
    if first is None:
        first = min(max(default_first(), last - cap), last)
    if last < first:
        raise ValidationError({"to": ["The last day cannot be before the first day (from)."]})
    if last - first > cap:
        raise ValidationError(
            {"to": [f"Show at most {MAX_DAYS} days: from and to are too far apart."]}
        )
    return first, last
