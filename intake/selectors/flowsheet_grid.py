"""The withdrawal flowsheet as the page prints it (docs/api.md#withdrawal-flowsheet): per day, one
column per time something happened (a dose's administration time, a PRN dose, a scale or a set
of vital signs taken), one row per measure: each withdrawal scale's total, the vital signs, then
one row per drug. Built from intake/selectors/flowsheet.py's days, without a query.

Every mark carries its word ("High", "Moderate (13-24)", "Held") beside its tone: the page
colours the tone and always prints the word (never colour alone)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from intake.models import DueDoseStatus
from intake.selectors.flowsheet import (
    CRITICAL,
    DOSE_TONES,
    NORMAL,
    WARN,
    DoseEntry,
    Flowsheet,
    FlowsheetDay,
)
from intake.selectors.vital_signs import Reading

# (row key, label, unit) of the vital-sign rows, in §8's order.
VITAL_ROWS = (
    ("blood_pressure", "Blood pressure", "mmHg"),
    ("heart_rate", "Heart rate", "/min"),
    ("respiratory_rate", "Respiratory rate", "/min"),
    ("temperature_c", "Temperature", "°C"),
    ("spo2", "SpO2", "%"),
)
GROUP_LABELS = {"scale": "Withdrawal scales", "vital": "Vital signs", "dose": "Medication"}
_FLAG_TONES = {"normal": NORMAL, "low": WARN, "high": WARN, "critical": CRITICAL}
_TONE_ORDER = (NORMAL, WARN, CRITICAL)


@dataclass(frozen=True)
class Mark:
    """One value in a cell: its text, its word, its tone, the kind of value (a CSS modifier:
    scale, vital, or a dose's status) and a note (the time given, a reason, who)."""

    text: str
    word: str
    tone: str
    kind: str
    note: str = ""
    by: str = ""


@dataclass
class GridRow:
    key: str
    label: str
    unit: str
    group: str
    cells: list[list[Mark]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(self.cells)

    @property
    def group_label(self) -> str:
        return GROUP_LABELS[self.group]


@dataclass
class DayGrid:
    date: datetime.date
    columns: list[str]
    rows: list[GridRow]
    day: FlowsheetDay

    @property
    def empty(self) -> bool:
        return not self.columns


def _clock(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _worst(*tones: str) -> str:
    return max(tones, key=_TONE_ORDER.index)


def _vital_mark(found: Reading, by: str) -> Mark:
    return Mark(
        str(found.value), found.flag_word, _FLAG_TONES.get(found.flag, NORMAL), "vital", by=by
    )


def _pressure_mark(systolic: Reading, diastolic: Reading, by: str) -> Mark:
    words = []
    if systolic.flag_word and systolic.flag_word == diastolic.flag_word:
        words.append(systolic.flag_word)
    else:
        words += [
            f"{r.flag_word} {name}"
            for r, name in ((systolic, "systolic"), (diastolic, "diastolic"))
            if r.flag_word
        ]
    tone = _worst(_FLAG_TONES.get(systolic.flag, NORMAL), _FLAG_TONES.get(diastolic.flag, NORMAL))
    return Mark(f"{systolic.value}/{diastolic.value}", ", ".join(words), tone, "vital", by=by)


def _dose_note(dose: DoseEntry, column: str) -> str:
    """Under a documented dose: when it was given if not at its column's time, why it was not
    given, and who documented it."""
    parts = []
    if dose.status == DueDoseStatus.GIVEN and dose.given_at is not None:
        given = _clock(dose.given_at)
        if given != column:
            parts.append(f"at {given}")
    elif dose.reason:
        parts.append(dose.reason)
    if dose.recorded_by:
        parts.append(dose.recorded_by)
    return " · ".join(parts)


def _rows(flowsheet: Flowsheet) -> list[GridRow]:
    from intake.selectors.flowsheet import SCALES

    rows = [GridRow(code, f"{SCALES[code]} total", "score", "scale") for code in flowsheet.scales]
    rows += [GridRow(key, label, unit, "vital") for key, label, unit in VITAL_ROWS]
    rows += [GridRow(f"drug:{drug}", words, "", "dose") for drug, words in flowsheet.drugs]
    return rows


def day_grid(flowsheet: Flowsheet, day: FlowsheetDay) -> DayGrid:
    """One day's grid: columns are the distinct times (HH:MM, clinic time) of the day's scales,
    vital sets and doses (a scheduled dose at its administration time, a PRN dose when given)."""
    times = {_clock(a.at) for a in day.assessments}
    times |= {_clock(v.taken_at) for v in day.vitals}
    times |= {_clock(d.at) for d in day.administrations}
    columns = sorted(times)
    index = {t: i for i, t in enumerate(columns)}
    rows = _rows(flowsheet)
    for row in rows:
        row.cells = [[] for _ in columns]
    by_key = {row.key: row for row in rows}
    for a in day.assessments:
        if a.instrument in by_key:
            mark = Mark(str(a.total), a.band_label, a.tone, "scale", by=a.recorded_by)
            by_key[a.instrument].cells[index[_clock(a.at)]].append(mark)
    for v in day.vitals:
        col = index[_clock(v.taken_at)]
        systolic, diastolic = v.reading("systolic"), v.reading("diastolic")
        if systolic is not None and diastolic is not None:
            by_key["blood_pressure"].cells[col].append(
                _pressure_mark(systolic, diastolic, v.recorded_by)
            )
        for key, _label, _unit in VITAL_ROWS[1:]:
            found = v.reading(key)
            if found is not None:
                by_key[key].cells[col].append(_vital_mark(found, v.recorded_by))
    for d in day.administrations:
        column = _clock(d.at)
        word = f"{d.status_label} (as needed)" if d.prn else d.status_label
        mark = Mark(
            d.dose_text,
            word,
            DOSE_TONES.get(d.status, NORMAL),
            d.status,
            _dose_note(d, column),
            d.recorded_by,
        )
        by_key[f"drug:{d.drug}"].cells[index[column]].append(mark)
    return DayGrid(day.date, columns, rows, day)


def flowsheet_grids(flowsheet: Flowsheet) -> list[DayGrid]:
    return [day_grid(flowsheet, day) for day in flowsheet.days]
