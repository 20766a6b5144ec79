from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from intake import access, resolvers
from intake.access import Perm
from intake.forms.disclosure import DisclosureForm
from intake.models import AuditAction
from intake.selectors.consent import consent_active_list
from intake.selectors.disclosure import ACCOUNTING_YEARS, accounting_since, disclosure_accounting
from intake.services.disclosure import DisclosureRefused, disclosure_make
from intake.views.decorators import policy
from intake.views.service_errors import service_errors


@policy(Perm.DISCLOSURE_VIEW)
@require_GET
def disclosure_list(request: HttpRequest, patient_id) -> HttpResponse:
    """The accounting of disclosures (§2.25): what, to whom, why, when, under which consent."""
    patient = resolvers.resolve_patient(
        request.user, patient_id, Perm.DISCLOSURE_VIEW, object_type="disclosure-accounting"
    )
    disclosures = list(disclosure_accounting(patient=patient))
    return render(
        request,
        "intake/disclosure_list.html",
        {
            "patient": patient,
            "disclosures": disclosures,
            # A copy of SUD counseling notes opens for its discloser only.
            "openable": {
                d.pk for d in disclosures if access.can_view_disclosure_document(request.user, d)
            },
            "since": accounting_since(),
            "years": ACCOUNTING_YEARS,
            "can_disclose": access.can(request.user, Perm.DISCLOSURE_MAKE, patient),
        },
    )


@policy(Perm.DISCLOSURE_MAKE)
@require_http_methods(["GET", "POST"])
def disclosure_create(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.DISCLOSURE_MAKE,
        action=AuditAction.EXPORT,
        audit_allowed=False,
        object_type="disclosure",
    )
    consents = consent_active_list(patient=patient)
    initial = {}
    if consents and request.method == "GET":
        chosen = next((c for c in consents if str(c.pk) == request.GET.get("consent")), consents[0])
        initial = {
            "consent": str(chosen.pk),
            "recipient": "" if chosen.recipient_is_general_designation else chosen.recipient,
            "purpose": chosen.purpose,
            "content": chosen.content_kinds[0] if chosen.content_kinds else "",
        }
    form = DisclosureForm(request.POST or None, initial=initial, consents=consents)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # No consent covers it: said in the refusal panel, not as a mistake in the form.
        with service_errors(form, apart=(DisclosureRefused,)) as refused:
            disclosure = disclosure_make(
                actor=request.user,
                patient=patient,
                consent_id=data["consent"],
                recipient=data["recipient"],
                purpose=data["purpose"],
                content=data["content"],
            )
        if refused.was(DisclosureRefused):
            refusal = refused.message
        elif not refused:
            messages.success(request, "Disclosure recorded. Print it or save it as PDF below.")
            return redirect(
                "intake:disclosure-detail", patient_id=patient.pk, disclosure_id=disclosure.pk
            )
    return render(
        request,
        "intake/disclosure_form.html",
        {"form": form, "patient": patient, "consents": consents, "refusal": refusal},
        status=403 if refusal else 200,
    )


@policy(Perm.DISCLOSURE_MAKE)
@require_GET
def disclosure_detail(request: HttpRequest, patient_id, disclosure_id) -> HttpResponse:
    """The printable copy of what was disclosed, with the redisclosure notice (§2.32)."""
    patient, disclosure = resolvers.resolve_disclosure(
        request.user, disclosure_id, Perm.DISCLOSURE_MAKE, patient_id=patient_id
    )
    return render(
        request,
        "intake/disclosure_detail.html",
        {"patient": patient, "disclosure": disclosure, "doc": disclosure.document},
    )
