from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from intake import resolvers
from intake.access import Perm
from intake.forms.episode import EpisodeAdmitForm, EpisodeDischargeForm
from intake.models import AuditAction
from intake.services.episode import episode_admit, episode_discharge
from intake.views.decorators import policy
from intake.views.patient import back_to_chart
from intake.views.service_errors import service_errors


@policy(Perm.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_create(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.EPISODE_MANAGE,
        action=AuditAction.CREATE,
        audit_allowed=False,
        object_type="episode",
    )
    form = EpisodeAdmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as refused:
            episode_admit(actor=request.user, patient=patient, **form.cleaned_data)
        if not refused:
            return back_to_chart(request, patient.pk, "Admission recorded.")
    return render(
        request,
        "intake/episode_form.html",
        {"form": form, "patient": patient, "title": "Admit to a program"},
    )


@policy(Perm.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_discharge_view(
    request: HttpRequest, patient_id: UUID, episode_id: UUID
) -> HttpResponse:
    patient, episode = resolvers.resolve_episode(
        request.user,
        episode_id,
        Perm.EPISODE_MANAGE,
        patient_id=patient_id,
        action=AuditAction.UPDATE,
        audit_allowed=False,
    )
    form = EpisodeDischargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as refused:
            episode_discharge(
                actor=request.user,
                episode=episode,
                discharged_on=form.cleaned_data["discharged_on"],
                reason=form.cleaned_data["reason"],
            )
        if not refused:
            return back_to_chart(request, patient.pk, "Discharge recorded.")
    return render(
        request,
        "intake/episode_form.html",
        {"form": form, "patient": patient, "episode": episode, "title": "Discharge"},
    )
