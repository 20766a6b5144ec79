from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from intake import access, resolvers
from intake.access import Perm
from intake.forms.consent import ConsentForm, ConsentRevokeForm
from intake.models import AuditAction, DraftKind
from intake.models.consent import CONSENT_STATEMENTS
from intake.services.audit import audit_record
from intake.services.consent import CONTENT_TYPES, consent_create, consent_revoke
from intake.views.decorators import policy
from intake.views.form_draft import forget_saved_draft
from intake.views.service_errors import service_errors


@policy(Perm.CONSENT_VIEW)
@require_GET
def consent_list(request: HttpRequest, patient_id) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user, patient_id, Perm.CONSENT_VIEW, object_type="consent-list"
    )
    return render(
        request,
        "intake/consent_list.html",
        {
            "patient": patient,
            "consents": list(patient.consents.select_related("revoked_by")),
            "can_manage": access.can(request.user, Perm.CONSENT_MANAGE, patient),
            "can_disclose": access.can(request.user, Perm.DISCLOSURE_MAKE, patient),
        },
    )


@policy(Perm.CONSENT_MANAGE)
@require_http_methods(["GET", "POST"])
def consent_create_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.CONSENT_MANAGE,
        action=AuditAction.CREATE,
        audit_allowed=False,
        object_type="consent",
    )
    form = ConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("signed_copy", None) or None
        with service_errors(form) as refused:
            consent_create(actor=request.user, patient=patient, data=data, signed_copy=upload)
        if not refused:
            forget_saved_draft(request, patient, DraftKind.CONSENT)
            messages.success(request, "Consent recorded.")
            return redirect("intake:consent-list", patient_id=patient.pk)
    if request.method == "POST" and request.FILES.get("signed_copy") and form.errors:
        # A browser cannot keep a chosen file across a redisplay: say so, never drop it silently.
        if "signed_copy" not in form.errors:
            form.add_error(
                "signed_copy",
                "The file you chose was not saved because of the errors above: choose it again.",
            )
    return render(
        request,
        "intake/consent_form.html",
        {
            "form": form,
            "patient": patient,
            "title": "Record a consent to disclose",
            "statements": CONSENT_STATEMENTS,
        },
    )


@policy(Perm.CONSENT_MANAGE)
@require_http_methods(["GET", "POST"])
def consent_revoke_view(request: HttpRequest, patient_id: UUID, consent_id: UUID) -> HttpResponse:
    patient, consent = resolvers.resolve_consent(
        request.user,
        consent_id,
        Perm.CONSENT_MANAGE,
        patient_id=patient_id,
        action=AuditAction.UPDATE,
        audit_allowed=request.method == "GET",
    )
    form = ConsentRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as refused:
            consent_revoke(
                actor=request.user, consent=consent, revoked_on=form.cleaned_data["revoked_on"]
            )
        if not refused:
            messages.success(request, "Consent revoked. No further disclosures can use it.")
            return redirect("intake:consent-list", patient_id=patient.pk)
    return render(
        request,
        "intake/consent_revoke.html",
        {"form": form, "patient": patient, "consent": consent},
    )


@policy(Perm.CONSENT_VIEW)
@require_GET
def consent_signed_copy(request: HttpRequest, patient_id, consent_id) -> HttpResponse:
    patient, consent = resolvers.resolve_consent(
        request.user, consent_id, Perm.CONSENT_VIEW, patient_id=patient_id, audit_allowed=False
    )
    if not consent.signed_copy:
        raise Http404("No signed copy was uploaded.")
    kind = consent.signed_copy.name.rsplit(".", 1)[-1]
    audit_record(
        actor=request.user,
        action=AuditAction.READ,
        patient=patient,
        obj=consent,
        detail={"file": "signed-copy"},
    )
    return FileResponse(
        consent.signed_copy.open("rb"),
        as_attachment=True,
        filename=f"consent-{consent.pk}.{kind}",
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
