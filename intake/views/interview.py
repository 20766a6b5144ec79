"""Intake interview pages: start, save and resume a draft, review and sign, read, add addenda."""

import functools
from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from intake import access, resolvers
from intake.access import Perm
from intake.exceptions import RecordSigned, StaleVersion
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
from intake.models import AuditAction, DraftKind, Interview, InterviewStatus, Patient
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
from intake.views.service_errors import (
    INTERVIEW_CHANGED_BEFORE_SIGNING,
    INTERVIEW_SIGNED_WHILE_EDITING,
    Place,
    interview_saved_elsewhere,
    service_errors,
)

SUBSTANCE_PREFIX = "substances"


InterviewView = Callable[[HttpRequest, Patient, Interview], HttpResponse]


def _interview_page(
    perm: Perm, writing: AuditAction
) -> Callable[[InterviewView], Callable[..., HttpResponse]]:
    """A page of one interview: who may open it (`policy`), and the patient and interview
    behind its URL, access checked (resolvers); a GET is audited as a read, a POST as
    `writing`. The view gets them in place of the ids."""

    def decorate(view: InterviewView) -> Callable[..., HttpResponse]:
        @policy(perm)
        @functools.wraps(view)
        def page(request: HttpRequest, patient_id: UUID, interview_id: UUID) -> HttpResponse:
            action = AuditAction.READ if request.method == "GET" else writing
            patient, interview = resolvers.resolve_interview(
                request.user, interview_id, perm, patient_id=patient_id, action=action
            )
            return view(request, patient, interview)

        return page

    return decorate


def _author_name(interview: Interview) -> str:
    return interview.author.get_full_name() or interview.author.get_username()


def _form_page(
    request: HttpRequest,
    *,
    patient: Patient,
    form: InterviewForm,
    formset: SubstanceUseFormSet,
    interview: Interview | None = None,
    status: int = 200,
    conflict: bool = False,
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


def _on_interview_fields(form: InterviewForm) -> Place:
    """A service's ValidationError on the form's fields where it names one; the substance
    rows' errors above the form, saying they are about substance use."""

    def place(errors: dict[str, list[str]]) -> None:
        for field, msgs in errors.items():
            if field in form.fields:
                form.add_error(field, msgs)
            elif field == "substances":
                form.add_error(None, [f"Substance use: {m}" for m in msgs])
            else:
                form.add_error(None, msgs)

    return place


def _saved_redirect(request: HttpRequest, patient: Patient, interview: Interview) -> HttpResponse:
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
def interview_create_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
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
        with service_errors(form, place=_on_interview_fields(form)) as refused:
            interview = interview_create(
                actor=request.user,
                patient=patient,
                data=form.service_data(),
                substances=formset.rows(),
            )
        if not refused:
            forget_saved_draft(request, patient, DraftKind.INTERVIEW)
            return _saved_redirect(request, patient, interview)
    return _form_page(request, patient=patient, form=form, formset=formset)


@require_http_methods(["GET", "POST"])
@_interview_page(Perm.INTERVIEW_WRITE, AuditAction.UPDATE)
def interview_update_view(
    request: HttpRequest, patient: Patient, interview: Interview
) -> HttpResponse:
    """GET: the author's draft in the form, to continue. POST: save it (_save_draft)."""
    if interview.status != InterviewStatus.DRAFT and request.method == "GET":
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
    if request.method == "GET":
        form = InterviewForm(
            instance=interview, patient=patient, initial={"revision": interview.revision}
        )
        formset = SubstanceUseFormSet(initial=substance_initial(interview), prefix=SUBSTANCE_PREFIX)
        return _form_page(request, patient=patient, form=form, formset=formset, interview=interview)
    return _save_draft(request, patient, interview)


def _save_draft(request: HttpRequest, patient: Patient, interview: Interview) -> HttpResponse:
    """The author's save of their draft; refused, what they typed comes back with why."""
    form = InterviewForm(request.POST, instance=interview, patient=patient)
    formset = SubstanceUseFormSet(request.POST, prefix=SUBSTANCE_PREFIX)
    status, conflict = 200, False
    if form.is_valid() and formset.is_valid():
        with service_errors(
            form,
            place=_on_interview_fields(form),
            say={
                StaleVersion: interview_saved_elsewhere,
                RecordSigned: INTERVIEW_SIGNED_WHILE_EDITING,
            },
            apart=(StaleVersion,),
            forbid=True,
        ) as refused:
            saved = interview_update(
                actor=request.user,
                interview=interview,
                data=form.service_data(),
                substances=formset.rows(),
                revision=form.cleaned_data["revision"],
            )
        if isinstance(refused.error, StaleVersion):
            # Keep what was typed; the next save is a deliberate overwrite of the newer draft.
            data = request.POST.copy()
            data["revision"] = str(refused.error.current.revision)
            form = InterviewForm(data, instance=interview, patient=patient)
            form.is_valid()
            form.add_error(None, refused.message)
            status, conflict = 409, True
        elif refused.was(RecordSigned):
            status = 409
        elif not refused:
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


def _read_context(request: HttpRequest, patient: Patient, interview: Interview) -> dict:
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


@require_http_methods(["GET"])
@_interview_page(Perm.INTERVIEW_VIEW, AuditAction.READ)
def interview_detail_view(
    request: HttpRequest, patient: Patient, interview: Interview
) -> HttpResponse:
    context = _read_context(request, patient, interview)
    context["addendum_form"] = InterviewAddendumForm() if context["can_add_addendum"] else None
    return render(request, "intake/interview_detail.html", context)


@require_http_methods(["GET", "POST"])
@_interview_page(Perm.INTERVIEW_WRITE, AuditAction.SIGN)
def interview_sign_view(
    request: HttpRequest, patient: Patient, interview: Interview
) -> HttpResponse:
    """GET: the whole interview to review, with the signing statement. POST: sign."""
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
        with service_errors(
            form, say={StaleVersion: INTERVIEW_CHANGED_BEFORE_SIGNING}, forbid=True
        ) as refused:
            interview_sign(
                actor=request.user, interview=interview, revision=form.cleaned_data["revision"]
            )
        if refused.was(StaleVersion):
            messages.warning(request, refused.message)
            return redirect(
                "intake:interview-sign", patient_id=patient.pk, interview_id=interview.pk
            )
        if refused.was(RecordSigned):
            messages.info(request, refused.message)
            return detail
        if not refused:
            messages.success(request, "Interview signed. It can no longer be edited; use addenda.")
            return detail
    if form.errors:
        status = 400
    context = _read_context(request, patient, interview)
    context["sign_form"] = form
    return render(request, "intake/interview_sign.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_interview_page(Perm.INTERVIEW_WRITE, AuditAction.CREATE)
def interview_addendum_view(
    request: HttpRequest, patient: Patient, interview: Interview
) -> HttpResponse:
    """GET: the addenda and, on a signed interview, the form. POST: add a signed addendum."""
    signed = interview.status == InterviewStatus.SIGNED
    form = InterviewAddendumForm(request.POST or None) if signed else None
    if request.method == "POST":
        if not signed:
            raise PermissionDenied(
                "Addenda are for signed interviews; the author edits a draft directly."
            )
        if form.is_valid():
            with service_errors(form, place=_on_interview_fields(form), forbid=True) as refused:
                interview_add_addendum(
                    actor=request.user,
                    interview=interview,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                )
            if not refused:
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
