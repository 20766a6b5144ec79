"""Documenting doses on the medication administration record, and voiding an entry made in error;
each in one transaction and audited (docs/clinical-rules.md#medication-administration).

Locks, in the order of docs/concurrency.md: the active plan's medication lines of the drug, in
key order (level 3: every dose of one drug, scheduled or PRN, is documented one at a time, so
two PRN doses cannot both pass the interval check, even through two lines), then the due dose's
row (level 4), made on its first documentation. Two nurses documenting one due dose at once: the
second waits for the first, then finds the dose documented and is answered 409; nothing is
doubled."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import mar_rules as rules
from intake import mar_schedule as schedule
from intake.exceptions import AdministrationRefused, AlreadyDocumented
from intake.models import (
    AdministrationRule,
    AdministrationStatus,
    AuditAction,
    DueDose,
    MedicationAdministration,
    Patient,
    PlanMedication,
)
from intake.selectors import mar as mar_selectors
from intake.selectors.mar_facts import dose_facts
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CLOCK_SKEW = datetime.timedelta(minutes=2)
# A dose is documented on the day it was due or the next; older gaps are a note, not an entry.
LATEST_DOCUMENTATION = datetime.timedelta(hours=36)
MAX_REASON = 500
# A dose documented without naming its due dose documents the line's undocumented dose nearest
# the time given, within this much of it.
NEAREST_DUE = datetime.timedelta(hours=2)


@dataclass(frozen=True)
class Order:
    """The active plan's line an entry documents, and the due dose (None for PRN)."""

    line: schedule.Line
    medication: PlanMedication
    due: schedule.ScheduledDose | None


def _clean_reason(text: str, *, required: str | None) -> str:
    """A reason stripped; refused when empty and `required` (its message), too long or with a
    NUL character."""
    reason = text.strip()
    if required is not None and not reason:
        raise ValidationError({"reason": [required]})
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise ValidationError({"reason": [f"At most {MAX_REASON} characters of text."]})
    return reason


def _reason(data: dict[str, Any], status: str) -> str:
    reason = data.get("reason") or ""
    if not isinstance(reason, str):
        raise ValidationError({"reason": ["Give the reason as text."]})
    needed = status != AdministrationStatus.GIVEN
    return _clean_reason(reason, required="Say why the dose was not given." if needed else None)


def _given_at(value: object, now: datetime.datetime) -> datetime.datetime:
    if value is None:
        return now
    if not isinstance(value, datetime.datetime):
        raise ValidationError({"given_at": ["Give the date and time of the dose."]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        raise ValidationError({"given_at": ["The time of the dose cannot be in the future."]})
    if value < now - LATEST_DOCUMENTATION:
        raise ValidationError(
            {"given_at": ["A dose more than 36 hours ago cannot be documented here."]}
        )
    return value


def _dose(data: dict[str, Any], order: Order) -> tuple[Decimal, str]:
    ordered = order.due.dose if order.due else order.line.dose
    raw, unit = data.get("dose"), data.get("unit") or order.line.unit
    if raw is None or raw == "":
        return ordered, unit
    if isinstance(raw, bool):
        raise ValidationError({"dose": ["Give the dose as a number."]})
    try:
        dose = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationError({"dose": ["Give the dose as a number."]}) from None
    if not dose.is_finite() or dose <= 0 or dose >= Decimal("100000"):
        raise ValidationError({"dose": ["Give a dose above 0 and below 100,000."]})
    if not isinstance(unit, str) or len(unit) > 10:
        raise ValidationError({"unit": ["Give the unit, e.g. mg."]})
    return dose, unit


def _active_line(
    patient: Patient, medication: object
) -> tuple[schedule.Line, PlanMedication, list[mar_selectors.SignedPlan]]:
    plans = mar_selectors.signed_plans(patient)
    active = mar_selectors.active_plan(plans)
    try:
        wanted = uuid.UUID(str(medication))
    except ValueError:
        wanted = None
    if active is not None and wanted is not None:
        for line in active.lines:
            if schedule.line_uid(line.pk) == wanted:
                # Every line of the drug, in key order: the PRN interval and the daily limits
                # are the drug's, so two lines of one drug are documented one at a time too.
                same_drug = PlanMedication.objects.select_for_update(no_key=True).filter(
                    plan_id=line.plan_pk, drug=line.drug
                )
                med = next(m for m in same_drug.order_by("pk") if m.pk == line.pk)
                return line, med, plans
    raise AdministrationRefused(
        AdministrationRule.NOT_ON_ACTIVE_PLAN,
        "This medication is not on the patient's active plan: a dose can only be documented "
        "against a line of the signed plan in force.",
    )


def _due_dose(
    line: schedule.Line, requested: object, given_at: datetime.datetime
) -> schedule.ScheduledDose:
    day = schedule.local_date(given_at)
    doses = schedule.line_doses(
        line, day - datetime.timedelta(days=1), day + datetime.timedelta(days=1)
    )
    if requested not in (None, ""):
        for dose in doses:
            if str(dose.id) == str(requested):
                return dose
        raise ValidationError(
            {"due_dose": ["No due dose of this medication from yesterday to tomorrow has this id."]}
        )
    documented = set(
        DueDose.objects.filter(
            medication_id=line.pk, id__in=[d.id for d in doses], entry__isnull=False
        ).values_list("id", flat=True)
    )
    near = [d for d in doses if d.id not in documented and abs(d.due_at - given_at) <= NEAREST_DUE]
    if not near:
        raise ValidationError(
            {
                "due_dose": [
                    "No undocumented dose of this medication is due within 2 hours of this time."
                ]
            }
        )
    return min(near, key=lambda d: abs(d.due_at - given_at))


def _check_ordered(
    plans: list[mar_selectors.SignedPlan],
    line: schedule.Line,
    due_dose: object,
    given_at: datetime.datetime,
) -> None:
    """A dose is ordered by the plan version in force when it was given, which has a line of
    its drug (a version before an amendment, for a dose charted late); a PRN line has no due
    doses (docs/clinical-rules.md#administration-times)."""
    in_force = [
        s
        for s in plans
        if s.active_from.replace(second=0, microsecond=0) <= given_at
        and (s.active_until is None or given_at < s.active_until)
    ]
    if not any(other.drug == line.drug for s in in_force for other in s.lines):
        raise ValidationError(
            {
                "given_at": [
                    "No signed plan in force at this time ordered this medication: a dose "
                    "given before the order cannot be documented against it."
                ]
            }
        )
    if schedule.is_prn(line.frequency) and due_dose not in (None, ""):
        raise ValidationError(
            {"due_dose": ["An as-needed line has no due doses: leave due_dose out."]}
        )


def _check_not_early(due: schedule.ScheduledDose, given_at: datetime.datetime) -> None:
    """A dose documented more than 2 hours before a due dose is not that dose: naming
    tomorrow's would give two doses today past the one-entry-per-due-dose rule, and holding or
    refusing it now would keep tomorrow's dose from ever showing as due or missed."""
    if due.due_at - given_at > NEAREST_DUE:
        raise ValidationError(
            {"due_dose": ["This dose is due more than 2 hours after the time given."]}
        )


def _lock_due(patient: Patient, due: schedule.ScheduledDose) -> DueDose:
    DueDose.objects.bulk_create(
        [DueDose(id=due.id, patient=patient, medication_id=due.line.pk, due_at=due.due_at)],
        ignore_conflicts=True,
    )
    row = DueDose.objects.select_for_update(no_key=True).get(pk=due.id)
    if row.entry_id is not None:
        raise AlreadyDocumented(
            "This dose has already been documented by someone else. Reload the MAR; to correct "
            "that entry, void it first."
        )
    return row


def _check_given(
    patient: Patient, order: Order, dose: Decimal, unit: str, at: datetime.datetime
) -> None:
    facts = dose_facts(
        patient=patient,
        line=order.line,
        plan=order.medication.plan,
        ordered=order.due.dose if order.due else order.line.dose,
        dose=dose,
        unit=unit,
        given_at=at,
    )
    found = rules.refusal(facts)
    if found is not None:
        raise AdministrationRefused(*found)


@transaction.atomic
def administration_record(
    *, actor: User, patient: Patient, data: dict[str, Any], now: datetime.datetime | None = None
) -> MedicationAdministration:
    """Document one dose of an active plan's line: given (the rules of mar_rules, refused with
    the rule named), held, refused or omitted (with a reason). A scheduled line's entry
    documents one due dose, at most once (AlreadyDocumented, 409); a PRN line's stands alone."""
    now = now or timezone.now()
    status = data.get("status")
    if status not in [s.value for s in AdministrationStatus if s != AdministrationStatus.VOID]:
        raise ValidationError({"status": ["Choose given, held, refused or omitted."]})
    reason = _reason(data, status)
    given_at = _given_at(data.get("given_at"), now)
    line, medication, plans = _active_line(patient, data.get("medication"))
    _check_ordered(plans, line, data.get("due_dose"), given_at)
    due = (
        None if schedule.is_prn(line.frequency) else _due_dose(line, data.get("due_dose"), given_at)
    )
    if due is not None:
        _check_not_early(due, given_at)
    order = Order(line, medication, due)
    dose, unit = _dose(data, order)
    due_row = _lock_due(patient, due) if due is not None else None
    if status == AdministrationStatus.GIVEN:
        _check_given(patient, order, dose, unit, given_at)
    entry = MedicationAdministration.objects.create(
        patient=patient,
        plan_id=line.plan_pk,
        medication=medication,
        due_dose_id=due.id if due else None,
        due_at=due.due_at if due else None,
        status=status,
        dose=dose if status == AdministrationStatus.GIVEN else None,
        unit=unit if status == AdministrationStatus.GIVEN else "",
        route=line.route if status == AdministrationStatus.GIVEN else "",
        given_at=given_at,
        reason=reason,
        created_by=actor,
        updated_by=actor,
    )
    if due_row is not None:
        due_row.entry = entry
        due_row.save(update_fields=["entry"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=entry,
        object_type="administration",
        detail={"status": status, "drug": line.drug, "prn": due is None},
    )
    return entry


@transaction.atomic
def administration_void(
    *, actor: User, entry: MedicationAdministration, reason: str
) -> MedicationAdministration:
    """Void an entry made in error: a new `void` entry naming it, with the reason; the due dose
    it documented is undocumented again (and due, or missed). An entry is voided once."""
    reason = _clean_reason(
        reason if isinstance(reason, str) else "", required="Say why this entry was made in error."
    )
    PlanMedication.objects.select_for_update(no_key=True).get(pk=entry.medication_id)
    locked = MedicationAdministration.objects.select_for_update(no_key=True).get(pk=entry.pk)
    if locked.status == AdministrationStatus.VOID:
        raise AlreadyDocumented("A void entry cannot itself be voided.")
    if MedicationAdministration.objects.filter(voids=locked).exists():
        raise AlreadyDocumented("This entry has already been voided.")
    due_row = (
        DueDose.objects.select_for_update(no_key=True).filter(entry=locked).first()
        if locked.due_dose_id
        else None
    )
    void = MedicationAdministration.objects.create(
        patient_id=locked.patient_id,
        plan_id=locked.plan_id,
        medication_id=locked.medication_id,
        due_dose_id=locked.due_dose_id,
        due_at=locked.due_at,
        status=AdministrationStatus.VOID,
        given_at=timezone.now(),
        reason=reason,
        voids=locked,
        created_by=actor,
        updated_by=actor,
    )
    if due_row is not None:
        due_row.entry = None
        due_row.save(update_fields=["entry"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=locked.patient_id,
        obj=locked,
        object_type="administration",
        detail={"change": "voided", "void_entry": str(void.pk)},
    )
    return void
