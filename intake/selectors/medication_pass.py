"""A nurse's medication pass: every dose due to their care teams' patients from two hours ago
(so a missed or overdue dose shows) to a few hours ahead, grouped by the time it is due, each
with the patient's latest vital signs and COWS, and the PRN lines they may be given now
(docs/clinical-rules.md#medication-administration).

Batched, never `mar_day` per patient: the same queries for 2 patients as for 60 — the signed
plans (with their patients) and their lines, the entries of the window, the latest vital signs
(DISTINCT ON patient) and the latest COWS (DISTINCT ON patient)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from intake import access
from intake import mar_schedule as schedule
from intake.access_scope import RequestUser
from intake.models import Assessment, MedicationAdministration, Patient, VitalSigns
from intake.selectors import mar
from intake.selectors.vital_signs import Reading, reading

# The windows a nurse may choose, in hours ahead of now (the page's select).
HOURS_CHOICES = (2, 4, 8, 12)
DEFAULT_HOURS = 4
# Doses due this long before now still show: overdue, then missed (schedule.MISSED_AFTER).
LOOK_BACK = schedule.MISSED_AFTER
LONGEST_PRN = datetime.timedelta(hours=max(schedule.PRN_INTERVAL_HOURS.values()))


@dataclass
class PatientOnPass:
    """A patient of the pass with what the nurse checks before a dose."""

    patient: Patient
    vitals: list[Reading] = field(default_factory=list)
    vitals_at: datetime.datetime | None = None
    cows: Assessment | None = None
    prn: list[mar.PrnRow] = field(default_factory=list)

    @property
    def initials(self) -> str:
        p = self.patient
        return f"{p.given_name[:1]}{p.family_name[:1]}".upper()

    @property
    def blood_pressure(self) -> str:
        """ "118/76 mmHg", or "" when the latest set has no systolic."""
        found = {r.code: r for r in self.vitals}
        if "systolic" not in found:
            return ""
        dia = found.get("diastolic")
        return f"{found['systolic'].value}/{dia.value if dia else '–'} mmHg"

    @property
    def flagged(self) -> list[Reading]:
        return [r for r in self.vitals if r.flag_word]


@dataclass
class PassDose:
    row: mar.DoseRow
    who: PatientOnPass

    @property
    def medication(self) -> uuid.UUID:
        return schedule.line_uid(self.row.line.pk)

    @property
    def documented(self) -> bool:
        return self.row.entry is not None


@dataclass
class TimeGroup:
    due_at: datetime.datetime
    doses: list[PassDose]


@dataclass
class MedicationPass:
    now: datetime.datetime
    start: datetime.datetime
    end: datetime.datetime
    hours: int
    groups: list[TimeGroup]
    patients: list[PatientOnPass]

    @property
    def has_prn(self) -> bool:
        return any(w.prn for w in self.patients)

    @property
    def due_count(self) -> int:
        return sum(1 for g in self.groups for d in g.doses if not d.documented)


def _entries(
    ids: Sequence[uuid.UUID], start: datetime.datetime, end: datetime.datetime
) -> dict[uuid.UUID, list[MedicationAdministration]]:
    found: dict[uuid.UUID, list[MedicationAdministration]] = {pk: [] for pk in ids}
    entries = (
        MedicationAdministration.objects.filter(patient_id__in=ids)
        .filter(Q(given_at__gte=start, given_at__lt=end) | Q(due_at__gte=start, due_at__lt=end))
        .select_related("void_entry", "created_by", "medication")
        .order_by("given_at", "created_at")
    )
    for entry in entries:
        found[entry.patient_id].append(entry)
    return found


def _latest_vitals(ids: Sequence[uuid.UUID], now: datetime.datetime) -> dict[uuid.UUID, VitalSigns]:
    sets = (
        VitalSigns.objects.filter(patient_id__in=ids, voided_at__isnull=True, taken_at__lte=now)
        .filter(Q(systolic__isnull=False) | Q(heart_rate__isnull=False))
        .order_by("patient_id", "-taken_at", "-created_at")
        .distinct("patient_id")
    )
    return {v.patient_id: v for v in sets}


def _latest_cows(ids: Sequence[uuid.UUID], now: datetime.datetime) -> dict[uuid.UUID, Assessment]:
    found = (
        Assessment.objects.filter(patient_id__in=ids, instrument="cows", administered_at__lte=now)
        .order_by("patient_id", "-administered_at", "-created_at")
        .distinct("patient_id")
        .only("id", "patient_id", "instrument", "total", "band", "administered_at")
    )
    return {a.patient_id: a for a in found}


def _on_pass(
    patient: Patient,
    vitals: VitalSigns | None,
    cows: Assessment | None,
) -> PatientOnPass:
    who = PatientOnPass(patient=patient, cows=cows)
    if vitals is not None:
        who.vitals = [
            r
            for code in ("systolic", "diastolic", "heart_rate")
            if (r := reading(vitals, code)) is not None
        ]
        who.vitals_at = vitals.taken_at
    return who


def medication_pass(
    *, user: RequestUser, now: datetime.datetime, hours: int = DEFAULT_HOURS
) -> MedicationPass:
    """The due doses of `user`'s care teams' patients from `now` − 2 h to `now` + `hours`, by
    due time (then patient, then drug), documented ones with their entry; and per patient the
    latest vital signs, the latest COWS and the active plan's PRN lines today."""
    start, end = now - LOOK_BACK, now + datetime.timedelta(hours=hours)
    plans = mar.signed_plans_for(
        access.medication_pass_patients(user), with_patient=True, dosed_since=start - LOOK_BACK
    )
    actives = {pk: a for pk, found in plans.items() if (a := mar.active_plan(found)) and a.lines}
    ids = sorted(actives, key=str)
    today = schedule.local_date(now)
    day_start, _ = schedule.local_day_bounds(today)
    entries = _entries(ids, min(start, day_start - LONGEST_PRN), end) if ids else {}
    vitals = _latest_vitals(ids, now) if ids else {}
    cows = _latest_cows(ids, now) if ids else {}
    patients: list[PatientOnPass] = []
    by_time: dict[datetime.datetime, list[PassDose]] = {}
    first, last = schedule.local_date(start), schedule.local_date(end)
    for pk in ids:
        active = actives[pk]
        who = _on_pass(active.plan.patient, vitals.get(pk), cows.get(pk))
        who.prn = mar.prn_rows(active, entries[pk], today, now)
        patients.append(who)
        for row in mar.dose_rows(plans[pk], entries[pk], first, last, now):
            if start <= row.due_at < end:
                by_time.setdefault(row.due_at, []).append(PassDose(row, who))
    patients.sort(key=lambda w: (w.patient.family_name, w.patient.given_name, w.patient.mrn))
    order = {w.patient.pk: i for i, w in enumerate(patients)}
    groups = [
        TimeGroup(due_at, sorted(doses, key=lambda d: (order[d.who.patient.pk], d.row.line.drug)))
        for due_at, doses in sorted(by_time.items())
    ]
    return MedicationPass(now, start, end, hours, groups, patients)
