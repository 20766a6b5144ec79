"""Reading vital signs, for the pages and the API alike: a patient's sets newest first, their
open alerts, and the chart's card (the latest value of each measure with its flag, the open
critical values, and the trend of each flagged measure beside the lab trends)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import JSONObject

from intake import access
from intake import vital_signs_rules as rules
from intake.access import Perm
from intake.models import Patient, VitalSignAlert, VitalSigns

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The chart reads this many latest sets (the API lists them all, paged).
CHART_SETS = 30
FLAG_WORDS = {rules.NORMAL: "", rules.LOW: "Low", rules.HIGH: "High", rules.CRITICAL: "Critical"}


def _open_alerts() -> Prefetch[Any]:
    return Prefetch(
        "alerts",
        queryset=VitalSignAlert.objects.filter(acknowledged_at__isnull=True).order_by("measure"),
        to_attr="open_alerts",
    )


def vital_signs_list(
    *, patient: Patient, since: datetime.datetime | None = None
) -> QuerySet[VitalSigns]:
    """The patient's vital signs, taken newest first (at or after `since`), each with its
    open alerts (`open_alerts`): two queries for any number of rows. Sets entered in error
    are listed too, with their `voided_at` and `void_reason`."""
    qs = VitalSigns.objects.filter(patient=patient)
    if since is not None:
        qs = qs.filter(taken_at__gte=since)
    return qs.prefetch_related(_open_alerts()).order_by("-taken_at", "-created_at", "id")


# The vital-signs page's columns: (measure, short heading).
HISTORY_COLUMNS = (
    ("systolic", "Systolic"),
    ("diastolic", "Diastolic"),
    ("heart_rate", "Heart rate"),
    ("respiratory_rate", "Resp. rate"),
    ("temperature_c", "Temp."),
    ("spo2", "SpO2"),
    ("weight_kg", "Weight"),
    ("height_cm", "Height"),
    ("pain", "Pain"),
)


@dataclass
class HistoryRow:
    """One set on the vital-signs page: the set and a cell per column (None: not taken)."""

    vitals: VitalSigns
    cells: list[Reading | None]


def vital_signs_history(*, patient: Patient) -> QuerySet[VitalSigns]:
    """Every set, taken newest first, with who recorded and who voided it (the page's rows)."""
    return vital_signs_list(patient=patient).select_related("created_by", "voided_by")


def history_rows(sets: Iterable[VitalSigns]) -> list[HistoryRow]:
    return [
        HistoryRow(vitals, [reading(vitals, code) for code, _heading in HISTORY_COLUMNS])
        for vitals in sets
    ]


def vital_sign_alert_list(*, patient: Patient, open_only: bool = True) -> QuerySet[VitalSignAlert]:
    """The patient's vital-sign alerts, newest first; `open_only`: not acknowledged yet."""
    qs = VitalSignAlert.objects.filter(patient=patient)
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.select_related("vital_signs", "acknowledged_by").order_by("-created_at", "id")


def recent_heart_rate(*, patient: Patient, now: datetime.datetime) -> VitalSigns | None:
    """The latest valid set with a heart rate taken in the COWS_PULSE_WITHIN_MINUTES before
    `now` (COWS item 1 may be taken from it), or None."""
    since = now - datetime.timedelta(minutes=rules.COWS_PULSE_WITHIN_MINUTES)
    return (
        VitalSigns.objects.filter(
            patient=patient,
            heart_rate__isnull=False,
            taken_at__gte=since,
            taken_at__lte=now,
            voided_at__isnull=True,
        )
        .order_by("-taken_at", "-created_at")
        .first()
    )


@dataclass
class Reading:
    """One measure's value as the chart shows it: "92 mmHg", "Low"."""

    code: str
    label: str
    unit: str
    value: Decimal | int
    flag: str
    taken_at: datetime.datetime

    @property
    def flag_word(self) -> str:
        return FLAG_WORDS.get(self.flag, "")

    @property
    def text(self) -> str:
        """The value with its unit: "92 mmHg", "97%", "4/10"."""
        if self.code == "pain":
            return f"{self.value}/10"
        return f"{self.value}%" if self.unit == "%" else f"{self.value} {self.unit}"


def reading(vitals: VitalSigns, code: str) -> Reading | None:
    """The value of `code` in one set, or None if it was not taken."""
    value = getattr(vitals, code)
    if value is None:
        return None
    m = rules.MEASURES[code]
    return Reading(code, m.label, m.unit, value, vitals.flags.get(code, ""), vitals.taken_at)


def readings(vitals: VitalSigns) -> list[Reading]:
    """Every measure taken in one set, in the order of §8."""
    return [r for code in rules.MEASURE_CODES if (r := reading(vitals, code)) is not None]


def alert_text(alert: VitalSignAlert) -> str:
    """ "Critical heart rate: 32 /min" from an alert whose set is loaded."""
    found = reading(alert.vital_signs, alert.measure)
    label = rules.MEASURES[alert.measure].label
    label = label[0].lower() + label[1:]
    return f"Critical {label}: {found.text}" if found else f"Critical {label}"


def _trends(sets: Sequence[VitalSigns]) -> dict[str, dict[str, Any]]:
    """Each flagged measure over time, oldest first, JSON-ready in the lab trends' shape
    (intake/static/intake/lab_trends.js draws both)."""
    trends: dict[str, dict[str, Any]] = {}
    for vitals in sorted(sets, key=lambda v: v.taken_at):
        for code in rules.FLAGGED_CODES:
            value = getattr(vitals, code)
            if value is None:
                continue
            m = rules.MEASURES[code]
            series = trends.setdefault(
                code,
                {
                    "code": code,
                    "name": m.label,
                    "unit": m.unit,
                    "low": _number(m.normal_from),
                    "high": _number(_upper_normal(m)),
                    "critical_high": _number(m.critical_from),
                    "critical_low": _number(m.critical_below),
                    "points": [],
                },
            )
            series["points"].append(
                {
                    "x": vitals.taken_at.isoformat(),
                    "y": float(value),
                    "flag": vitals.flags.get(code),
                }
            )
    return {code: trends[code] for code in rules.FLAGGED_CODES if code in trends}


def _upper_normal(m: rules.Measure) -> Decimal | None:
    """The last normal value (139 mmHg where high starts at 140; 37.9 °C before 38.0)."""
    if m.high_from is None:
        return None
    return m.high_from - Decimal(1).scaleb(-m.places)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _chart_sets(patient: Patient) -> Sequence[VitalSigns]:
    """The latest CHART_SETS sets, and any older set with an alert still open, each with its
    open alerts (`open_alerts`, rows not saved back): one query, the chart's budget."""
    open_alerts = VitalSignAlert.objects.filter(
        vital_signs=OuterRef("pk"), acknowledged_at__isnull=True
    )
    # Sets entered in error are left out (the API lists them, marked).
    valid = VitalSigns.objects.filter(patient=patient, voided_at__isnull=True)
    latest = valid.order_by("-taken_at", "-created_at")
    sets = list(
        valid.filter(Q(pk__in=latest.values("pk")[:CHART_SETS]) | Exists(open_alerts))
        .annotate(
            open_rows=ArraySubquery(
                open_alerts.order_by("measure").values(
                    json=JSONObject(id="id", measure="measure", code="code")
                )
            )
        )
        .order_by("-taken_at", "-created_at", "id")
    )
    for vitals in sets:
        vitals.open_alerts = [
            VitalSignAlert(
                id=row["id"],
                patient=patient,
                vital_signs=vitals,
                measure=row["measure"],
                code=row["code"],
            )
            for row in vitals.open_rows
        ]
    return sets


def vital_signs_chart_section(*, patient: Patient, user: User) -> dict[str, Any]:
    """The chart's vital-signs card in one query: the latest value of each measure (from the
    last CHART_SETS sets), every open critical value, the latest set and the trends."""
    if not access.can(user, Perm.VITAL_SIGNS_VIEW, patient):
        return {"visible": False}
    sets = _chart_sets(patient)
    recent = sets[:CHART_SETS]
    latest: dict[str, Reading] = {}
    for vitals in recent:
        for found in readings(vitals):
            latest.setdefault(found.code, found)
    # Oldest first, as the worklist shows them.
    open_alerts = [alert for vitals in reversed(sets) for alert in vitals.open_alerts]
    for alert in open_alerts:
        alert.text = alert_text(alert)
    return {
        "visible": True,
        "latest": [latest[code] for code in rules.MEASURE_CODES if code in latest],
        "last_set": recent[0] if recent else None,
        "open_alerts": open_alerts,
        "trends": _trends(recent),
        "can_record": access.can(user, Perm.VITAL_SIGNS_RECORD, patient),
        "can_acknowledge": access.can(user, Perm.VITAL_SIGNS_ALERT_ACK, patient),
        "can_view_flowsheet": access.can(user, Perm.MAR_VIEW, patient),
    }
