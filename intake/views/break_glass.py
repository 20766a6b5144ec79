from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake.access import Perm
from intake.forms.break_glass import (
    BreakGlassForm,
    BreakGlassReviewForm,
    EmergencyAccessByIdentityForm,
)
from intake.models import BreakGlassGrant, ReviewOutcome
from intake.services.audit import audit_patients_shown
from intake.services.break_glass import (
    NoSingleMatch,
    break_glass_open,
    break_glass_open_by_identity,
    break_glass_review,
)
from intake.views.decorators import policy
from intake.views.service_errors import service_errors


@policy(Perm.BREAK_GLASS)
@require_POST
def break_glass_open_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Posted from the 404 page of a patient URL. Unknown patient: the same 404 again."""
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        with service_errors(form) as refused:
            grant, extended = break_glass_open(
                actor=request.user,
                patient_id=patient_id,
                reason=form.cleaned_data["reason"],
                category=form.cleaned_data["category"],
            )
        if not refused:
            opening = (
                "Your emergency access was extended" if extended else "Emergency access is open"
            )
            messages.warning(
                request,
                f"{opening} until {timezone.localtime(grant.expires_at):%H:%M %Z}. Every page you "
                "open is recorded and reviewed by the privacy officer.",
            )
            return redirect("intake:patient-detail", patient_id=grant.patient_id)
    return render(
        request,
        "intake/break_glass_form.html",
        {"form": form, "patient_id": patient_id},
        status=400,
    )


# What a clinician gives to ask for emergency access to a patient no search of theirs shows.
_IDENTITY = ("given_name", "family_name", "birth_date", "mrn", "reason", "category")


@policy(Perm.BREAK_GLASS)
@require_http_methods(["GET", "POST"])
def emergency_access_search(request: HttpRequest) -> HttpResponse:
    """Emergency access from the search page, for a patient no search of the clinician's shows.
    Every response before the grant is the same whether or not such a patient exists: the form
    is checked before any record is looked up, and a name that matches nobody is answered only
    once the request (with its reason) has been recorded for the privacy officer. A POST, so
    the name never lands in a URL."""
    form = EmergencyAccessByIdentityForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            # No record and several records read the same (NoSingleMatch): saying "several"
            # would tell the clinician that this person is a patient here before any grant.
            with service_errors(form) as refused:
                grant, patient = break_glass_open_by_identity(
                    actor=request.user, **{name: form.cleaned_data[name] for name in _IDENTITY}
                )
            if refused.was(NoSingleMatch):
                status = 404
            elif not refused:
                if grant is None:
                    messages.info(
                        request,
                        "You are on this patient's care team: no emergency access is needed.",
                    )
                else:
                    messages.warning(
                        request,
                        f"Emergency access is open until "
                        f"{timezone.localtime(grant.expires_at):%H:%M}. Every page you open is "
                        "recorded and reviewed by the privacy officer.",
                    )
                return redirect("intake:patient-detail", patient_id=patient.pk)
    return render(request, "intake/emergency_access_search.html", {"form": form}, status=status)


@policy(Perm.BREAK_GLASS_REVIEW)
@require_GET
def break_glass_review_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    grants = BreakGlassGrant.objects.select_related("user", "reviewed_by", "ended_by").order_by(
        "started_at"
    )
    if not show_all:
        grants = grants.filter(reviewed_at__isnull=True)
    shown = list(grants[:500])
    audit_patients_shown(
        actor=request.user,
        patient_ids=[g.patient_id for g in shown],
        object_type="break-glass-review",
    )
    return render(
        request,
        "intake/break_glass_review.html",
        {
            "grants": shown,
            "show_all": show_all,
            "now": timezone.now(),
            "form": BreakGlassReviewForm(),
            "outcomes": ReviewOutcome.choices,
        },
    )


@policy(Perm.BREAK_GLASS_REVIEW)
@require_POST
def break_glass_review_mark(request: HttpRequest, grant_id) -> HttpResponse:
    grant = BreakGlassGrant.objects.filter(pk=grant_id).first()
    if grant is None:
        raise Http404("No such emergency access.")
    form = BreakGlassReviewForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Choose the outcome of the review: appropriate, inappropriate or needs follow-up.",
        )
        return redirect("intake:break-glass-review")
    reviewed = break_glass_review(
        actor=request.user,
        grant=grant,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["note"],
        end_access=form.cleaned_data["end_access"],
    )
    ended = " The emergency access was ended." if reviewed.ended_by_id else ""
    messages.success(request, f"Marked as reviewed.{ended}")
    return redirect("intake:break-glass-review")
