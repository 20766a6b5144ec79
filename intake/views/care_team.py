from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from intake import access, resolvers
from intake.access import Perm
from intake.forms.care_team import CareTeamAddForm
from intake.models import AuditAction, CareTeamMember
from intake.services.care_team import care_team_add, care_team_remove
from intake.views.decorators import policy
from intake.views.service_errors import service_errors


@policy(Perm.CARE_TEAM_VIEW)
@require_http_methods(["GET", "POST"])
def care_team(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    if request.method == "POST":
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.CARE_TEAM_MANAGE,
            action=AuditAction.UPDATE,
            audit_allowed=False,
            object_type="care-team",
        )
    else:
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.CARE_TEAM_VIEW, object_type="care-team"
        )
    can_manage = access.can(request.user, Perm.CARE_TEAM_MANAGE, patient)
    form = CareTeamAddForm(request.POST or None) if can_manage else None
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as refused:
            care_team_add(
                actor=request.user,
                patient=patient,
                user=form.cleaned_data["user"],
                team_role=form.cleaned_data["team_role"],
            )
        if not refused:
            messages.success(request, "Added to the care team.")
            return redirect("intake:care-team", patient_id=patient.pk)
    members = (
        CareTeamMember.objects.filter(patient=patient)
        .select_related("user", "created_by")
        .order_by("ended_at", "team_role", "created_at")
    )
    return render(
        request,
        "intake/care_team.html",
        {
            "patient": patient,
            "members": members,
            "form": form,
            "can_manage": can_manage,
            "can_open_chart": access.can(request.user, Perm.PATIENT_VIEW, patient),
        },
    )


@policy(Perm.CARE_TEAM_MANAGE)
@require_POST
def care_team_remove_view(request: HttpRequest, patient_id, member_id) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.CARE_TEAM_MANAGE,
        action=AuditAction.UPDATE,
        audit_allowed=False,
        object_type="care-team",
    )
    try:
        member = CareTeamMember.objects.get(pk=member_id, patient=patient)
    except CareTeamMember.DoesNotExist:
        raise Http404("No such care team member.") from None
    care_team_remove(actor=request.user, member=member)
    messages.success(request, "Removed from the care team.")
    return redirect("intake:care-team", patient_id=patient.pk)
