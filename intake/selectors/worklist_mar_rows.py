"""The home page's withdrawal-management sections (missed doses, doses due in the next hour,
doses held, COWS rising despite doses) in clinical words, from intake/selectors/worklist_mar.py.
Each row links to the patient's chart. No query beyond the work's own (it carries its
patients)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from intake.access import WorkItem
from intake.formulary import DRUGS, amount_text
from intake.labels import ROUTE_LABELS, band_label
from intake.local_time import format_local
from intake.models import MedicationAdministration, Patient
from intake.selectors.worklist_mar import CowsRise, DoseWork, MarWork, mar_work
from intake.selectors.worklist_rows import WorkRow

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHART_ACTION = "Open the chart"


def _drug(code: str) -> str:
    return DRUGS[code].name if code in DRUGS else code


def _order(drug: str, dose: Decimal | None, unit: str, route: str) -> str:
    amount = f" {amount_text(dose)} {unit}" if dose is not None else ""
    way = ROUTE_LABELS.get(route, route).lower()
    return f"{_drug(drug)}{amount}{f', {way}' if way else ''}"


def _chart(patient: Patient) -> str:
    return reverse("intake:patient-detail", args=[patient.pk])


def _dose_row(patient: Patient, dose: DoseWork, now: datetime.datetime, missed: bool) -> WorkRow:
    what = _order(dose.drug, dose.dose, dose.unit, dose.route)
    if missed:
        detail = f"Due {format_local(dose.due_at)}; not given or documented within 2 hours"
        flag = "Missed"
    else:
        late = dose.due_at < now
        detail = f"Due {format_local(dose.due_at)}" + (
            "; overdue, not yet documented" if late else ""
        )
        flag = "Overdue" if late else ""
    return WorkRow(
        patient=patient,
        title=what,
        detail=detail,
        url=_chart(patient),
        action=CHART_ACTION,
        urgent=missed,
        flag=flag,
    )


def _held_row(patient: Patient, entry: MedicationAdministration) -> WorkRow:
    med = entry.medication
    by = entry.created_by
    who = f" by {by.get_full_name() or by.get_username()}" if by is not None else ""
    return WorkRow(
        patient=patient,
        title=f"{_order(med.drug, entry.dose or med.dose, entry.unit or med.unit, med.route)}: "
        "dose held",
        detail=f"Held {format_local(entry.given_at)}{who}: {entry.reason}",
        url=_chart(patient),
        action=CHART_ACTION,
        urgent=True,
    )


def _rising_row(patient: Patient, rise: CowsRise) -> WorkRow:
    latest, previous = rise.assessment, rise.previous
    drugs = sorted({_drug(e.medication.drug) for e in rise.doses})
    return WorkRow(
        patient=patient,
        title=(
            f"COWS {latest.total} ({band_label(latest.band, 'cows', short=True).lower()}) "
            f"withdrawal, up from {previous.total} despite {' and '.join(drugs)} given"
        ),
        detail=(
            f"Scored {format_local(latest.administered_at)}; the previous COWS "
            f"{format_local(previous.administered_at)}"
        ),
        url=_chart(patient),
        action=CHART_ACTION,
        urgent=True,
    )


def mar_sections(
    user: User, limit: int, now: datetime.datetime | None = None
) -> dict[WorkItem, tuple[list[WorkRow], int]]:
    """Each withdrawal-management section of the person's worklist: its first `limit` rows
    (oldest first) and how many there are in all."""
    now = now or timezone.now()
    work: MarWork = mar_work(user, now)
    sections: dict[WorkItem, tuple[list[WorkRow], int]] = {
        WorkItem.DOSES_MISSED: (
            [_dose_row(d.patient, d, now, True) for d in work.missed[:limit]],
            len(work.missed),
        ),
        WorkItem.DOSES_DUE: (
            [_dose_row(d.patient, d, now, False) for d in work.due[:limit]],
            len(work.due),
        ),
        WorkItem.DOSES_HELD: (
            [_held_row(e.patient, e) for e in work.held[:limit]],
            len(work.held),
        ),
        WorkItem.COWS_RISING: (
            [_rising_row(r.assessment.patient, r) for r in work.rising[:limit]],
            len(work.rising),
        ),
    }
    return sections
