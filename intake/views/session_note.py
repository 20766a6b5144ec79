"""Session note pages (docs/clinical-rules.md#session-notes): write a draft, edit it, read a note,
sign it, add addenda. The private SUD counseling notes show to their author only
(docs/clinical-rules.md#counseling-notes)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from intake import access, resolvers
from intake.access import Perm
from intake.exceptions import RecordSigned, StaleVersion
from intake.forms.session_note import (
    SessionNoteAddendumForm,
    SessionNoteForm,
    SessionNoteSignForm,
    note_initial,
    plan_targets,
)
from intake.models import AuditAction, Patient, SessionNote, SessionNoteStatus
from intake.selectors.session_note import active_plan_for_notes
from intake.services.audit import audit_record
from intake.services.session_note import (
    session_note_addendum_verify_hash,
    session_note_create,
    session_note_update,
    session_note_verify_hash,
)
from intake.services.session_note_sign import session_note_add_addendum, session_note_sign
from intake.views.decorators import policy
from intake.views.service_errors import service_errors

NoteView = Callable[[HttpRequest, Patient, SessionNote], HttpResponse]
SAVED_ELSEWHERE = (
    "Not saved: this draft was saved from another window or device after you opened it. What "
    "you typed is still below; saving again replaces the saved version with it."
)
SIGNED_WHILE_EDITING = (
    "Not saved: this note has been signed, so it can no longer be edited. What you typed is "
    "still below: copy what is missing into an addendum."
)


def _note_page(
    perm: Perm, writing: AuditAction
) -> Callable[[NoteView], Callable[..., HttpResponse]]:
    """A page of one note: the patient and note behind its URL, access checked (resolvers); a
    GET is audited as a read, a POST by the service as `writing`."""

    def decorate(view: NoteView) -> Callable[..., HttpResponse]:
        @policy(perm)
        @functools.wraps(view)
        def page(request: HttpRequest, patient_id: UUID, session_note_id: UUID) -> HttpResponse:
            reading = request.method == "GET"
            patient, note = resolvers.resolve_session_note(
                request.user,
                session_note_id,
                perm,
                patient_id=patient_id,
                action=AuditAction.READ if reading else writing,
                audit_allowed=reading,
            )
            return view(request, patient, note)

        return page

    return decorate


def _detail_url(note: SessionNote) -> str:
    return reverse("intake:session-note-detail", args=[note.patient_id, note.pk])


def _form_page(
    request: HttpRequest,
    patient: Patient,
    form: SessionNoteForm,
    note: SessionNote | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "intake/session_notes/form.html",
        {
            "patient": patient,
            "note": note,
            "form": form,
            "title": "Continue session note" if note else "New session note",
        },
        status=status,
    )


@policy(Perm.SESSION_NOTE_WRITE)
@require_http_methods(["GET", "POST"])
def session_note_create_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    patient = resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.SESSION_NOTE_WRITE,
        action=AuditAction.CREATE if writing else AuditAction.READ,
        audit_allowed=not writing,
        object_type="session-note",
    )
    targets = plan_targets(active_plan_for_notes(patient=patient))
    form = SessionNoteForm(request.POST or None, targets=targets, initial=note_initial(None, None))
    if writing and form.is_valid():
        with service_errors(form) as refused:
            note = session_note_create(
                actor=request.user,
                patient=patient,
                data=form.service_data(),
                progress=form.progress(),
                counseling_notes=form.cleaned_data["counseling_notes"],
            )
        if not refused:
            messages.success(request, "Draft saved. Review it, then sign.")
            return redirect(_detail_url(note))
    return _form_page(request, patient, form, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@_note_page(Perm.SESSION_NOTE_WRITE, AuditAction.UPDATE)
def session_note_update_view(
    request: HttpRequest, patient: Patient, note: SessionNote
) -> HttpResponse:
    if note.status != SessionNoteStatus.DRAFT:
        messages.info(request, "This note is signed and can no longer be edited; add an addendum.")
        return redirect(_detail_url(note))
    if not access.can_edit_session_note(request.user, note):
        raise PermissionDenied(access.session_note_edit_refusal(request.user, note))
    targets = plan_targets(active_plan_for_notes(patient=patient))
    initial = note_initial(note, getattr(note, "viewer_counseling_notes", None))
    form = SessionNoteForm(request.POST or None, targets=targets, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        with service_errors(
            form,
            say={StaleVersion: SAVED_ELSEWHERE, RecordSigned: SIGNED_WHILE_EDITING},
            forbid=True,
        ) as refused:
            session_note_update(
                actor=request.user,
                note=note,
                data=form.service_data(),
                revision=form.cleaned_data["revision"],
                progress=form.progress(),
                counseling_notes=form.cleaned_data["counseling_notes"],
            )
        if refused.was(StaleVersion, RecordSigned):
            status = 409
        elif not refused:
            messages.success(request, "Draft saved. Review it, then sign.")
            return redirect(_detail_url(note))
    if form.errors and status == 200:
        status = 400
    return _form_page(request, patient, form, note, status=status)


def _detail_page(
    request: HttpRequest,
    patient: Patient,
    note: SessionNote,
    *,
    sign_form: SessionNoteSignForm | None = None,
    addendum_form: SessionNoteAddendumForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_edit = access.can_edit_session_note(request.user, note)
    can_add_addendum = access.can_add_session_note_addendum(request.user, note)
    addenda = list(note.addenda.all())
    for addendum in addenda:
        addendum.note = note
    return render(
        request,
        "intake/session_notes/detail.html",
        {
            "patient": patient,
            "note": note,
            "author_name": note.author.get_full_name() or note.author.get_username(),
            "is_author": access.can_view_counseling_notes(request.user, note),
            "counseling_notes": getattr(note, "viewer_counseling_notes", None),
            "hash_verified": session_note_verify_hash(note=note),
            "addenda": [
                {
                    "addendum": a,
                    "verified": session_note_addendum_verify_hash(addendum=a, note=note),
                }
                for a in addenda
            ],
            "can_edit": can_edit,
            "sign_form": (sign_form or SessionNoteSignForm()) if can_edit else None,
            "addendum_form": (addendum_form or SessionNoteAddendumForm())
            if can_add_addendum
            else None,
        },
        status=status,
    )


@require_http_methods(["GET"])
@_note_page(Perm.SESSION_NOTE_VIEW, AuditAction.READ)
def session_note_detail_view(
    request: HttpRequest, patient: Patient, note: SessionNote
) -> HttpResponse:
    return _detail_page(request, patient, note)


def _read_again(request: HttpRequest, patient: Patient, note: SessionNote) -> None:
    """A refused signature shows the note again: audited as the read a GET is."""
    audit_record(actor=request.user, action=AuditAction.READ, patient=patient, obj=note)


@require_POST
@_note_page(Perm.SESSION_NOTE_WRITE, AuditAction.SIGN)
def session_note_sign_view(
    request: HttpRequest, patient: Patient, note: SessionNote
) -> HttpResponse:
    form = SessionNoteSignForm(request.POST)
    if form.is_valid():
        with service_errors(form, forbid=True) as refused:
            session_note_sign(
                actor=request.user,
                note=note,
                password=form.cleaned_data["password"],
                otp=form.cleaned_data.get("otp"),
            )
        if refused.was(RecordSigned):
            messages.info(request, refused.message)
            return redirect(_detail_url(note))
        if not refused:
            messages.success(
                request, "Session note signed. It can no longer be edited; use addenda."
            )
            return redirect(_detail_url(note))
    _read_again(request, patient, note)
    return _detail_page(request, patient, note, sign_form=form, status=400)


@require_POST
@_note_page(Perm.SESSION_NOTE_WRITE, AuditAction.CREATE)
def session_note_addendum_view(
    request: HttpRequest, patient: Patient, note: SessionNote
) -> HttpResponse:
    form = SessionNoteAddendumForm(request.POST)
    if form.is_valid():
        with service_errors(form, forbid=True) as refused:
            session_note_add_addendum(
                actor=request.user,
                note=note,
                text=form.cleaned_data["text"],
                password=form.cleaned_data["password"],
                otp=form.cleaned_data.get("otp"),
            )
        if refused.was(RecordSigned):
            messages.info(request, refused.message)
            return redirect(_detail_url(note))
        if not refused:
            messages.success(request, "Addendum signed and added.")
            return redirect(f"{_detail_url(note)}#addenda")
    _read_again(request, patient, note)
    return _detail_page(request, patient, note, addendum_form=form, status=400)
