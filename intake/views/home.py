from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from intake import access
from intake.access import Perm
from intake.models import AuditAction, Patient
from intake.selectors.patient import patient_list, patient_list_with_status
from intake.selectors.treatment_plan import plans_needing_author, review_queue
from intake.services.audit import audit_record_many
from intake.views.decorators import policy


@policy(Perm.HOME)
def home(request: HttpRequest) -> HttpResponse:
    ctx: dict = {}
    if access.has_perm(request.user, Perm.PATIENT_VIEW):
        # A clinician's own caseload: their care teams' patients.
        ctx["patients"] = list(
            patient_list_with_status(patient_list(user=request.user, perm=Perm.PATIENT_VIEW))[:100]
        )
    if access.has_perm(request.user, Perm.REVIEW_QUEUE):
        ctx["review_queue"] = list(review_queue(user=request.user)[:50])
        ctx["now"] = timezone.now()
    if access.has_perm(request.user, Perm.PLAN_WRITE):
        ctx["my_plans"] = list(plans_needing_author(user=request.user)[:50])
    _audit_patients_shown(request.user, ctx)
    ctx["is_admin"] = access.has_perm(request.user, Perm.STAFF_MANAGE)
    ctx["is_privacy"] = access.has_perm(request.user, Perm.AUDIT_VIEW)
    return render(request, "intake/home.html", ctx)


def _audit_patients_shown(user, ctx: dict) -> None:
    """The home page lists names, dates of birth and MRNs (caseload, plans to review, drafts):
    a read of each patient shown, audited like a search result list, in one INSERT."""
    shown = {p.pk for p in ctx.get("patients", [])}
    for key in ("review_queue", "my_plans"):
        shown.update(plan.patient_id for plan in ctx.get(key, []))
    if shown:
        audit_record_many(
            actor=user,
            action=AuditAction.READ,
            patients=[Patient(pk=pk) for pk in sorted(shown, key=str)],
            object_type="home",
        )
