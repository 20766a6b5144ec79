from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from intake import access
from intake.access import Perm
from intake.models import AuditAction, Patient
from intake.selectors.patient import patient_list, patient_list_with_status
from intake.selectors.worklist import home_worklist
from intake.selectors.worklist_pending import patients_with_open_critical_alerts
from intake.services.audit import audit_record_many
from intake.views.decorators import policy


@policy(Perm.HOME)
def home(request: HttpRequest) -> HttpResponse:
    ctx: dict = {}
    counts, ctx["worklist"] = home_worklist(user=request.user)
    # The top bar shows the same counts: read once per request (context_processors.staff).
    request.worklist_counts = counts
    if access.has_perm(request.user, Perm.PATIENT_VIEW):
        # A clinician's own caseload: their care teams' patients, flagged when a critical
        # result is still unacknowledged.
        ctx["patients"] = list(
            patients_with_open_critical_alerts(
                patient_list_with_status(patient_list(user=request.user, perm=Perm.PATIENT_VIEW))
            )[:100]
        )
    _audit_patients_shown(request.user, ctx)
    ctx["is_admin"] = access.has_perm(request.user, Perm.STAFF_MANAGE)
    ctx["is_privacy"] = access.has_perm(request.user, Perm.AUDIT_VIEW)
    return render(request, "intake/home.html", ctx)


def _audit_patients_shown(user, ctx: dict) -> None:
    """The home page lists names, dates of birth and MRNs (caseload and every worklist row): a
    read of each patient shown, audited like a search result list, in one INSERT."""
    shown = {p.pk for p in ctx.get("patients", [])}
    for section in ctx.get("worklist", []):
        shown.update(row.patient.pk for row in section.rows)
    if shown:
        audit_record_many(
            actor=user,
            action=AuditAction.READ,
            patients=[Patient(pk=pk) for pk in sorted(shown, key=str)],
            object_type="home",
        )
