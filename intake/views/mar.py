"""Medication administration pages (docs/clinical-rules.md#medication-administration): the
nurse's medication pass over their care teams' patients, and one patient's MAR by day, where a
dose is documented (given, held, refused, omitted), a PRN dose given and an entry voided.

Every decision is the service's: a dose the rules refuse shows its reason beside its row with
what was typed kept; a dose someone documented meanwhile (409) says so. No name or MRN ever goes
into a URL: the row's form names its patient by id in the body."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from intake import access, resolvers
from intake import mar_schedule as schedule
from intake.access import Perm
from intake.exceptions import AdministrationRefused, AlreadyDocumented
from intake.forms.medication_administration import AdministrationForm, AdministrationVoidForm
from intake.formulary import amount_text
from intake.labels import label
from intake.models import AuditAction, DueDoseStatus, MedicationAdministration, Patient
from intake.selectors.mar import mar_day
from intake.selectors.medication_pass import DEFAULT_HOURS, HOURS_CHOICES, medication_pass
from intake.services.audit import audit_record, audit_record_many
from intake.services.medication_administration import administration_record, administration_void
from intake.views.decorators import policy
from intake.views.service_errors import service_errors

ALREADY_DOCUMENTED = (
    "{who}: not recorded — someone has already documented this dose. The pass below shows "
    "their entry; to correct it, void it on the patient's MAR."
)

# The row's status choices, in the MAR's short words ("Refused", not "Refused by the patient").
STATUSES = [
    (s.value, s.label)
    for s in (DueDoseStatus.GIVEN, DueDoseStatus.HELD, DueDoseStatus.REFUSED, DueDoseStatus.OMITTED)
]


@dataclass
class Failed:
    """A row's form that the service refused, shown again beside that row."""

    key: str
    form: AdministrationForm | AdministrationVoidForm
    rule: str = ""


def _who(patient: Patient) -> str:
    """Initials and MRN: enough to find the row, little to overhear."""
    initials = f"{patient.given_name[:1]}{patient.family_name[:1]}".upper()
    return f"{initials} (MRN {patient.mrn})"


def _recorded(entry: MedicationAdministration, patient: Patient) -> str:
    drug = label(entry.medication.drug, "DrugCode")
    status = label(entry.status, "AdministrationStatus")
    amount = f" {amount_text(entry.dose)} {entry.unit}" if entry.dose is not None else ""
    return f"{status}: {drug}{amount} — {_who(patient)}."


def _hours(request: HttpRequest) -> int:
    # Matched as text: "²".isdigit() is true but int("²") raises (a 500 from a query string).
    text = request.POST.get("hours") or request.GET.get("hours") or ""
    return next((h for h in HOURS_CHOICES if str(h) == text), DEFAULT_HOURS)


def _pass_url(hours: int) -> str:
    return f"{reverse('intake:medication-pass')}?hours={hours}"


def _record(
    request: HttpRequest, patient: Patient, form: AdministrationForm
) -> tuple[MedicationAdministration | None, Failed | None]:
    """Document the row's dose; (entry, None) when stored, else what refused it (a 409 is a
    message and no row error: the page shows the entry someone else made)."""
    key = str(form.cleaned_data.get("due_dose") or form.cleaned_data["medication"])
    with service_errors(form, apart=(AlreadyDocumented,)) as refused:
        entry = administration_record(actor=request.user, patient=patient, data=form.service_data())
    if refused.was(AlreadyDocumented):
        messages.warning(request, ALREADY_DOCUMENTED.format(who=_who(patient)))
        return None, None
    if refused:
        rule = refused.error.rule if isinstance(refused.error, AdministrationRefused) else ""
        return None, Failed(key, form, rule)
    messages.success(request, _recorded(entry, patient))
    return entry, None


@policy(Perm.MAR_RECORD)
@require_http_methods(["GET", "POST"])
def medication_pass_view(request: HttpRequest) -> HttpResponse:
    hours = _hours(request)
    failed = None
    if request.method == "POST":
        form = AdministrationForm(request.POST)
        patient = resolvers.resolve_patient(
            request.user,
            request.POST.get("patient"),
            Perm.MAR_RECORD,
            action=AuditAction.CREATE,
            audit_allowed=False,
            object_type="administration",
        )
        if form.is_valid():
            _entry, failed = _record(request, patient, form)
        else:
            failed = Failed(str(request.POST.get("due_dose", "")), form)
        if failed is None:
            return redirect(_pass_url(hours))
    found = medication_pass(user=request.user, now=timezone.now(), hours=hours)
    if found.patients:
        # Names and MRNs of every patient of the round: a read of each, in one INSERT.
        audit_record_many(
            actor=request.user,
            action=AuditAction.READ,
            patients=[w.patient for w in found.patients],
            object_type="medication-pass",
        )
    return render(
        request,
        "intake/medication_pass.html",
        {
            "title": "Medication pass",
            "mp": found,
            "hours_choices": HOURS_CHOICES,
            "failed": failed,
            "statuses": STATUSES,
        },
    )


# One patient's MAR -----------------------------------------------------------------------


def _day(text: str | None, today: datetime.date) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text) if text else today
    except ValueError:
        return today
    return day if datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 12, 31) else today


def _mar_url(patient: Patient, day: datetime.date) -> str:
    return f"{reverse('intake:patient-mar', args=[patient.pk])}?date={day.isoformat()}"


def _render_mar(
    request: HttpRequest, patient: Patient, day: datetime.date, failed: Failed | None = None
) -> HttpResponse:
    if failed is not None:
        # A refused record or void shows the whole day's MAR again: a read like a GET's, which
        # the resolver left unaudited (the write it expected was refused and rolled back).
        audit_record(
            actor=request.user, action=AuditAction.READ, patient=patient, object_type="mar"
        )
    now = timezone.now()
    today = schedule.local_date(now)
    return render(
        request,
        "intake/mar/patient_mar.html",
        {
            "title": "Medication administration record",
            "patient": patient,
            "mar": mar_day(patient, day, now),
            "day": day,
            "today": today,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "can_record": access.can(request.user, Perm.MAR_RECORD, patient),
            "failed": failed,
            "statuses": STATUSES,
        },
    )


@policy(Perm.MAR_VIEW)
@require_http_methods(["GET"])
def patient_mar_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = resolvers.resolve_patient(request.user, patient_id, Perm.MAR_VIEW, object_type="mar")
    day = _day(request.GET.get("date"), schedule.local_date(timezone.now()))
    return _render_mar(request, patient, day)


@policy(Perm.MAR_RECORD)
@require_http_methods(["POST"])
def patient_mar_record_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.MAR_RECORD,
        action=AuditAction.CREATE,
        audit_allowed=False,
        object_type="administration",
    )
    day = _day(request.POST.get("date"), schedule.local_date(timezone.now()))
    form = AdministrationForm(request.POST)
    failed = None
    if form.is_valid():
        _entry, failed = _record(request, patient, form)
    else:
        failed = Failed(str(request.POST.get("due_dose") or request.POST.get("medication")), form)
    if failed is None:
        return redirect(_mar_url(patient, day))
    return _render_mar(request, patient, day, failed)


@policy(Perm.MAR_RECORD)
@require_http_methods(["POST"])
def patient_mar_void_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.MAR_RECORD,
        action=AuditAction.UPDATE,
        audit_allowed=False,
        object_type="administration",
    )
    day = _day(request.POST.get("date"), schedule.local_date(timezone.now()))
    form = AdministrationVoidForm(request.POST)
    if not form.is_valid():
        return _render_mar(request, patient, day, Failed(str(request.POST.get("entry")), form))
    _patient, entry = resolvers.resolve_administration(
        request.user,
        form.cleaned_data["entry"],
        Perm.MAR_RECORD,
        patient_id=patient.pk,
        action=AuditAction.UPDATE,
        audit_allowed=False,
    )
    with service_errors(form, field="reason") as refused:
        administration_void(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
    if refused:
        return _render_mar(request, patient, day, Failed(str(entry.pk), form))
    messages.success(
        request,
        f"Entry voided: {label(entry.medication.drug, 'DrugCode')} — {_who(patient)}. "
        "The dose is undocumented again.",
    )
    return redirect(_mar_url(patient, day))
