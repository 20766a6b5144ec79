"""Intake interview pages: start, save and resume a draft, review and sign, read, add addenda."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from intake import access, resolvers
from intake.access import Perm
from intake.exceptions import RecordSigned, RuleViolation, StaleVersion
from intake.forms.interview import (
    SECTIONS,
    InterviewAddendumForm,
    InterviewForm,
    InterviewSignForm,
    SubstanceUseFormSet,
    interview_display_sections,
    substance_display_rows,
    substance_initial,
)
from intake.models import AuditAction, DraftKind, Interview, InterviewStatus
from intake.selectors.patient import episode_current
from intake.services.interview import (
    addendum_verify_hash,
    interview_add_addendum,
    interview_create,
    interview_editable_by,
    interview_sign,
    interview_signable_by,
    interview_update,
    interview_verify_hash,
)
from intake.views.decorators import policy
from intake.views.form_draft import forget_saved_draft

SUBSTANCE_PREFIX = "substances"


def _load(request: HttpRequest, patient_id, interview_id, perm: Perm, *, action: AuditAction):
    """The patient and their interview, access checked (resolvers)."""
    return resolvers.resolve_interview(
        request.user, interview_id, perm, patient_id=patient_id, action=action
    )


def _author_name(interview: Interview) -> str:
    return interview.author.get_full_name() or interview.author.get_username()


def _form_page(
    request, *, patient, form, formset, interview=None, status=200, conflict=False
) -> HttpResponse:
    return render(
        request,
        "intake/interview_form.html",
        {
            "patient": patient,
            "interview": interview,
            "form": form,
            "formset": formset,
            "sections": SECTIONS,
            "conflict": conflict,
            "title": "Continue intake interview" if interview else "New intake interview",
        },
        status=status,
    )


def _add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields where it names one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        elif field == "substances":
            form.add_error(None, [f"Substance use: {m}" for m in errors])
        else:
            form.add_error(None, errors)


def _saved_redirect(request, patient, interview) -> HttpResponse:
    saved_at = f"{timezone.localtime():%H:%M %Z}"
    if "review" in request.POST:
        messages.success(request, f"Draft saved at {saved_at}. Review it, then sign.")
        return redirect("intake:interview-sign", patient_id=patient.pk, interview_id=interview.pk)
    messages.success(
        request,
        f"Draft saved at {saved_at}. You can leave and resume it later from the chart.",
    )
    return redirect("intake:interview-update", patient_id=patient.pk, interview_id=interview.pk)


@policy(Perm.INTERVIEW_WRITE)
@require_http_methods(["GET", "POST"])
def interview_create_view(request: HttpRequest, patient_id) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.INTERVIEW_WRITE,
        action=AuditAction.READ if request.method == "GET" else AuditAction.CREATE,
        audit_allowed=request.method == "GET",
        object_type="interview",
    )
    active = episode_current(patient=patient)
    form = InterviewForm(
        request.POST or None,
        patient=patient,
        initial={"interviewed_on": timezone.localdate(), "episode": active},
    )
    formset = SubstanceUseFormSet(request.POST or None, prefix=SUBSTANCE_PREFIX)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            interview = interview_create(
                actor=request.user,
                patient=patient,
                data=form.service_data(),
                substances=formset.rows(),
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            forget_saved_draft(request, patient, DraftKind.INTERVIEW)
            return _saved_redirect(request, patient, interview)
    return _form_page(request, patient=patient, form=form, formset=formset)


@policy(Perm.INTERVIEW_WRITE)
@require_http_methods(["GET", "POST"])
def interview_update_view(request: HttpRequest, patient_id, interview_id) -> HttpResponse:
    is_get = request.method == "GET"
    patient, interview = _load(
        request,
        patient_id,
        interview_id,
        Perm.INTERVIEW_WRITE,
        action=AuditAction.READ if is_get else AuditAction.UPDATE,
    )
    if interview.status != InterviewStatus.DRAFT and is_get:
        messages.info(
            request,
            "This interview is signed and can no longer be edited. "
            "Add an addendum to correct or complete it.",
        )
        return redirect("intake:interview-detail", patient_id=patient.pk, interview_id=interview.pk)
    if interview.status == InterviewStatus.DRAFT and interview.author_id != request.user.pk:
        raise PermissionDenied(
            f"Only the author, {_author_name(interview)}, can edit this draft interview."
        )
    if is_get:
        form = InterviewForm(
            instance=interview, patient=patient, initial={"revision": interview.revision}
        )
        formset = SubstanceUseFormSet(initial=substance_initial(interview), prefix=SUBSTANCE_PREFIX)
        return _form_page(request, patient=patient, form=form, formset=formset, interview=interview)

    form = InterviewForm(request.POST, instance=interview, patient=patient)
    formset = SubstanceUseFormSet(request.POST, prefix=SUBSTANCE_PREFIX)
    status, conflict = 200, False
    if form.is_valid() and formset.is_valid():
        try:
            saved = interview_update(
                actor=request.user,
                interview=interview,
                data=form.service_data(),
                substances=formset.rows(),
                revision=form.cleaned_data["revision"],
            )
        except StaleVersion as exc:
            # Keep what was typed; the next save is a deliberate overwrite of the newer draft.
            data = request.POST.copy()
            data["revision"] = str(exc.current.revision)
            form = InterviewForm(data, instance=interview, patient=patient)
            form.is_valid()
            saved_at = f"{timezone.localtime(exc.current.updated_at):%H:%M %Z}"
            form.add_error(
                None,
                f"Not saved: this draft was saved from another window or device at {saved_at}, "
                "after you opened it. What you typed is still below. Check the saved version "
                "(link below, opens in a new tab); saving again replaces it with what is below.",
            )
            conflict = True
            status = 409
        except RecordSigned:
            form.add_error(
                None,
                "Not saved: this interview has been signed, so it can no longer be edited. "
                "What you typed is still below: copy what is missing into an addendum.",
            )
            status = 409
        except RuleViolation as exc:
            raise PermissionDenied(str(exc)) from None
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            forget_saved_draft(request, patient, DraftKind.INTERVIEW, interview)
            return _saved_redirect(request, patient, saved)
    return _form_page(
        request,
        patient=patient,
        form=form,
        formset=formset,
        interview=interview,
        status=status,
        conflict=conflict,
    )


def _read_context(request, patient, interview) -> dict:
    signed = interview.status == InterviewStatus.SIGNED
    addenda = [
        {"addendum": a, "verified": addendum_verify_hash(addendum=a, interview=interview)}
        for a in interview.addenda.all()
    ]
    sections = interview_display_sections(interview)
    substances = substance_display_rows(interview)
    empty = [
        s["legend"]
        for s in sections
        if all(r["kind"] == "empty" for r in s["rows"])
        and not (s["anchor"] == "substance-use" and substances)
    ]
    return {
        "patient": patient,
        "interview": interview,
        "author_name": _author_name(interview),
        "display_sections": sections,
        "empty_sections": empty,
        "substances": substances,
        "addenda": addenda,
        "hash_verified": interview_verify_hash(interview=interview) if signed else None,
        "can_edit": interview_editable_by(interview=interview, user=request.user),
        "can_sign": interview_signable_by(interview=interview, user=request.user),
        "can_add_addendum": signed and access.can(request.user, Perm.INTERVIEW_WRITE, patient),
        "can_discard": access.can_discard_interview(request.user, interview),
    }


@policy(Perm.INTERVIEW_VIEW)
@require_http_methods(["GET"])
def interview_detail_view(request: HttpRequest, patient_id, interview_id) -> HttpResponse:
    patient, interview = _load(
        request, patient_id, interview_id, Perm.INTERVIEW_VIEW, action=AuditAction.READ
    )
    context = _read_context(request, patient, interview)
    context["addendum_form"] = InterviewAddendumForm() if context["can_add_addendum"] else None
    return render(request, "intake/interview_detail.html", context)


@policy(Perm.INTERVIEW_WRITE)
@require_http_methods(["GET", "POST"])
def interview_sign_view(request: HttpRequest, patient_id, interview_id) -> HttpResponse:
    """GET: the whole interview to review, with the signing statement. POST: sign."""
    patient, interview = _load(
        request,
        patient_id,
        interview_id,
        Perm.INTERVIEW_WRITE,
        action=AuditAction.READ if request.method == "GET" else AuditAction.SIGN,
    )
    detail = redirect("intake:interview-detail", patient_id=patient.pk, interview_id=interview.pk)
    if interview.status == InterviewStatus.SIGNED:
        messages.info(request, "This interview is already signed.")
        return detail
    if not interview_signable_by(interview=interview, user=request.user):
        raise PermissionDenied(
            f"Only the author, {_author_name(interview)}, can sign this interview."
        )
    form = InterviewSignForm(request.POST or None, initial={"revision": interview.revision})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            interview_sign(
                actor=request.user, interview=interview, revision=form.cleaned_data["revision"]
            )
        except StaleVersion:
            messages.warning(
                request,
                "Not signed: the draft was changed in another window after you opened this "
                "review. Review the current version below, then sign.",
            )
            return redirect(
                "intake:interview-sign", patient_id=patient.pk, interview_id=interview.pk
            )
        except RecordSigned:
            messages.info(request, "This interview is already signed.")
            return detail
        except RuleViolation as exc:
            raise PermissionDenied(str(exc)) from None
        messages.success(request, "Interview signed. It can no longer be edited; use addenda.")
        return detail
    if form.errors:
        status = 400
    context = _read_context(request, patient, interview)
    context["sign_form"] = form
    return render(request, "intake/interview_sign.html", context, status=status)


@policy(Perm.INTERVIEW_WRITE)
@require_http_methods(["GET", "POST"])
def interview_addendum_view(request: HttpRequest, patient_id, interview_id) -> HttpResponse:
    """GET: the addenda and, on a signed interview, the form. POST: add a signed addendum."""
    patient, interview = _load(
        request,
        patient_id,
        interview_id,
        Perm.INTERVIEW_WRITE,
        action=AuditAction.READ if request.method == "GET" else AuditAction.CREATE,
    )
    signed = interview.status == InterviewStatus.SIGNED
    form = InterviewAddendumForm(request.POST or None) if signed else None
    if request.method == "POST":
        if not signed:
            raise PermissionDenied(
                "Addenda are for signed interviews; the author edits a draft directly."
            )
        if form.is_valid():
            try:
                interview_add_addendum(
                    actor=request.user,
                    interview=interview,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                )
            except RuleViolation as exc:
                raise PermissionDenied(str(exc)) from None
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, "Addendum signed and added.")
                url = reverse(
                    "intake:interview-detail",
                    kwargs={"patient_id": patient.pk, "interview_id": interview.pk},
                )
                return redirect(f"{url}#addenda")
    context = _read_context(request, patient, interview)
    context["addendum_form"] = form
    return render(
        request,
        "intake/interview_addenda.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )
