"""The endpoints a form page calls by itself (intake/static/intake/drafts.js): keep what is
being typed, bring it back, discard it; and how long the session has left, or renew it.

JSON in and out, CSRF-checked like any POST; a signed-out caller gets 401, not the sign-in
page. Saving a draft and asking how long the session has left do not count as activity: they
are `session_passive` (intake/middleware.py, docs/drafts.md)."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from rest_framework.exceptions import ParseError

from intake import resolvers
from intake.access import Perm
from intake.api.fields import strict_json_loads
from intake.middleware import renew_session, session_seconds_left
from intake.models import AuditAction, Patient
from intake.services.form_draft import (
    draft_key,
    form_draft_discard,
    form_draft_load,
    form_draft_save,
    form_drafts_listed,
    parse_draft_key,
)
from intake.views.decorators import policy
from intake.views.service_errors import refusals_as_json, service_errors


def forget_saved_draft(request: HttpRequest, patient, kind, record=None) -> None:
    """The form was saved: the typing kept for it is in the record now, and goes."""
    form_draft_discard(actor=request.user, patient=patient, key=draft_key(kind, record))


def _background(view):
    """A request the page makes by itself: JSON 401 when signed out, no session renewal."""
    view.access_json = True
    view.session_passive = True
    return view


def _reachable(request: HttpRequest, patient_id, action):
    """Before a refusal of what was sent, the patient check: someone outside the care team
    gets the one 404 whatever they send, as for every patient URL."""
    return resolvers.resolve_patient(
        request.user,
        patient_id,
        Perm.PATIENT_VIEW,
        action=action,
        audit_allowed=False,
        object_type="form-draft",
    )


def _body(request: HttpRequest, patient_id, action) -> dict:
    """The JSON object sent, read with the API's rules (depth, NUL, surrogates: api/fields.py)."""
    body, problem = None, "Send a JSON object."
    if request.content_type == "application/json":
        try:
            body = strict_json_loads((request.body or b"null").decode("utf-8"))
        except ParseError as exc:
            body, problem = None, str(exc.detail)
        except (UnicodeDecodeError, RawPostDataException):
            body = None
    if not isinstance(body, dict):
        _reachable(request, patient_id, action)
        # The parser names where it stopped ("fields.a: ..."): report it under that key.
        where = problem.split(":")[0].split(".")[0].split("[")[0]
        raise ValidationError({where if where in ("key", "fields") else "body": problem})
    return body


def _patient_for(
    request: HttpRequest, patient_id: UUID, key: object, *, action: AuditAction
) -> Patient:
    with service_errors() as refused:
        kind, record_id = parse_draft_key(key)
    if refused:
        _reachable(request, patient_id, action)
        refused.raise_again()
    return resolvers.resolve_draft_patient(request.user, patient_id, kind, record_id, action=action)


def _saved(draft) -> dict:
    saved_at = timezone.localtime(draft.updated_at)
    return {"saved_at": saved_at.isoformat(), "saved_at_label": f"{saved_at:%H:%M}"}


@policy(Perm.HOME)  # the form's own permission is checked for the patient (resolvers)
@_background
@refusals_as_json
def form_draft_view(request: HttpRequest, patient_id: UUID) -> JsonResponse:
    """GET ?key=<form>: the caller's draft of that form, or null; GET alone: which forms of
    this patient they have drafts for. POST {key, fields}: keep it."""
    if request.method == "GET" and "key" not in request.GET:
        # Which forms of this patient the caller has unsaved typing for (no content).
        patient = _reachable(request, patient_id, AuditAction.READ)
        return JsonResponse({"drafts": form_drafts_listed(actor=request.user, patient=patient)})
    if request.method == "GET":
        key = request.GET["key"]
        patient = _patient_for(request, patient_id, key, action=AuditAction.READ)
        draft = form_draft_load(actor=request.user, patient=patient, key=key)
        if draft is None:
            return JsonResponse({"draft": None})
        return JsonResponse({"draft": {"fields": draft.fields, **_saved(draft)}})
    if request.method != "POST":
        return JsonResponse({"detail": "Use GET or POST."}, status=405)
    body = _body(request, patient_id, AuditAction.UPDATE)
    key = body.get("key")
    patient = _patient_for(request, patient_id, key, action=AuditAction.UPDATE)
    draft = form_draft_save(actor=request.user, patient=patient, key=key, fields=body.get("fields"))
    return JsonResponse(_saved(draft))


@policy(Perm.HOME)
@_background
@require_POST
@refusals_as_json
def form_draft_discard_view(request: HttpRequest, patient_id: UUID) -> JsonResponse:
    key = _body(request, patient_id, AuditAction.DELETE).get("key")
    patient = _patient_for(request, patient_id, key, action=AuditAction.DELETE)
    return JsonResponse(
        {"discarded": form_draft_discard(actor=request.user, patient=patient, key=key)}
    )


def _session_state(request: HttpRequest) -> dict:
    return {
        "seconds_left": session_seconds_left(request),
        "warning_seconds": settings.SESSION_WARNING_SECONDS,
    }


@policy(Perm.HOME)
@_background
@require_GET
def session_status_view(request: HttpRequest) -> JsonResponse:
    """How long the session has left, without renewing it (another tab may have)."""
    return JsonResponse(_session_state(request))


@policy(Perm.HOME)
@_background
@require_POST
def session_keep_alive_view(request: HttpRequest) -> JsonResponse:
    """The person pressed "Stay signed in": that is activity, the idle timeout starts again."""
    renew_session(request, force=True)
    return JsonResponse(_session_state(request))
