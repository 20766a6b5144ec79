from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from intake import access, resolvers
from intake.access import Perm
from intake.exceptions import StaleVersion
from intake.forms.patient import PatientForm, PatientSearchForm
from intake.models import AuditAction
from intake.selectors.chart import chart_sections
from intake.selectors.patient import (
    merge_candidate_list,
    patient_chart,
    patient_list,
    patient_list_with_status,
)
from intake.selectors.self_report import self_report_chart_section
from intake.selectors.withdrawal_review import withdrawal_chart_section
from intake.selectors.worklist_pending import patients_with_open_critical_alerts
from intake.services.audit import audit_record_many
from intake.services.patient import (
    patient_possible_duplicates,
    patient_register,
    patient_update,
)
from intake.views.decorators import policy
from intake.views.service_errors import PATIENT_SAVED_MEANWHILE, service_errors

SEARCH_LIMIT = 50


def back_to_chart(request: HttpRequest, patient_id: UUID, saved: str) -> HttpResponse:
    """After a save from a page of the chart: back to the chart, saying what was saved."""
    messages.success(request, saved)
    return redirect("intake:patient-detail", patient_id=patient_id)


@policy(Perm.PATIENT_SEARCH)
@require_http_methods(["GET", "POST"])
def patient_search(request: HttpRequest) -> HttpResponse:
    """Search is a POST so that names never land in URLs, browser history or access logs."""
    form = PatientSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid() and form.cleaned_data["q"].strip():
        qs = patient_list_with_status(patient_list(user=request.user, q=form.cleaned_data["q"]))
        if access.has_perm(request.user, Perm.LAB_VIEW):
            # Lab results are clinical: the flag only for those who may read them.
            qs = patients_with_open_critical_alerts(qs)
        results = list(qs[:SEARCH_LIMIT])
        audit_record_many(
            actor=request.user,
            action=AuditAction.READ,
            patients=results,
            object_type="patient-search-result",
        )
    return render(
        request,
        "intake/patient_search.html",
        {
            "form": form,
            "results": results,
            "limit": SEARCH_LIMIT,
            "can_open_chart": access.has_perm(request.user, Perm.PATIENT_VIEW),
            # Programs are clinical: the header only for those who may not see more.
            "show_demographics": access.can_view_patient_demographics(request.user),
            # Offered after every search, whatever it found: its presence says nothing about
            # patients outside the clinician's teams.
            "can_ask_emergency_access": access.has_perm(request.user, Perm.BREAK_GLASS),
        },
    )


@policy(Perm.MERGE_REVIEW)
@require_GET
def merge_candidates(request: HttpRequest) -> HttpResponse:
    """The clinic administrators' queue of possible duplicates registered on other teams. The
    names, dates of birth and MRNs shown are a read of each patient, audited in one INSERT."""
    candidates = merge_candidate_list()
    shown = {c.new.pk: c.new for c in candidates} | {c.existing.pk: c.existing for c in candidates}
    audit_record_many(
        actor=request.user,
        action=AuditAction.READ,
        patients=list(shown.values()),
        object_type="merge-candidates",
    )
    return render(request, "intake/merge_candidates.html", {"candidates": candidates})


@policy(Perm.PATIENT_REGISTER)
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    duplicates = []
    show_confirm = "confirm_not_duplicate" in request.POST or request.POST.get("checked_duplicates")
    form = PatientForm(request.POST or None, show_duplicate_confirm=bool(show_confirm))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates, hidden = patient_possible_duplicates(
            actor=request.user,
            given_name=data["given_name"],
            family_name=data["family_name"],
            birth_date=data["birth_date"],
        )
        if duplicates and not data.get("confirm_not_duplicate"):
            form = PatientForm(request.POST, show_duplicate_confirm=True)
            form.is_valid()
            form.add_error(
                "confirm_not_duplicate" if "confirm_not_duplicate" in form.fields else None,
                "A patient with the same date of birth and a similar name is already registered. "
                "Check before registering a second record.",
            )
        else:
            with service_errors(form) as refused:
                patient = patient_register(actor=request.user, data=data, hidden_duplicates=hidden)
            if not refused:
                return back_to_chart(
                    request, patient.pk, f"Patient registered with MRN {patient.mrn}."
                )
    return render(
        request,
        "intake/patient_form.html",
        {
            "form": form,
            "duplicates_visible": duplicates,
            "title": "Register a patient",
        },
    )


@policy(Perm.PATIENT_VIEW)
def patient_detail(request: HttpRequest, patient_id) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user, patient_id, Perm.PATIENT_VIEW, object_type="chart"
    )
    chart = patient_chart(patient=patient)
    sections = chart_sections(patient=patient, user=request.user, chart=chart)
    sections["withdrawal"] = withdrawal_chart_section(
        user=request.user, chart=chart, plans=sections["plans"]
    )
    sections["self_report"] = self_report_chart_section(user=request.user, chart=chart)
    return render(
        request,
        "intake/patient_detail.html",
        {
            "chart": chart,
            "sections": sections,
            "patient": patient,
            "can_manage_team": access.can(request.user, Perm.CARE_TEAM_MANAGE, patient),
            "can_manage_episodes": access.can(request.user, Perm.EPISODE_MANAGE, patient),
            "can_edit": access.can(request.user, Perm.PATIENT_UPDATE, patient),
        },
    )


@policy(Perm.PATIENT_UPDATE)
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.PATIENT_UPDATE,
        action=AuditAction.READ if request.method == "GET" else AuditAction.UPDATE,
        audit_allowed=request.method == "GET",
        object_type="patient",
    )
    form = PatientForm(request.POST or None, instance=patient, initial={"version": patient.version})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        with service_errors(form, say={StaleVersion: PATIENT_SAVED_MEANWHILE}) as refused:
            patient_update(
                actor=request.user, patient=patient, data=data, version=form.cleaned_data["version"]
            )
        if not refused:
            return back_to_chart(request, patient.pk, "Patient details saved.")
    return render(
        request,
        "intake/patient_form.html",
        {"form": form, "patient": patient, "title": "Edit patient details"},
    )
