"""The patient's own pages (docs/clinical-rules.md#self-report): no staff sign-in.

`@public` tells AccessPolicyMiddleware these pages need no staff account: the link's token (or
the tablet code) is what authorizes them, and it opens one questionnaire of one patient, once.
The session-idle middleware only renews signed-in sessions, and the no-store and CSP headers
apply here as on every page. The pages show the patient's first name (the name they go by)
and the questions, nothing else of the record; they load nothing but /static/, and carry no
staff navigation (templates/self_report/, not base.html).

An unknown or malformed token is 404 and a used or expired one 410, each a plain page that says
nothing about any patient. Wrong tablet codes are counted per client address (each one is
audited); past SELF_REPORT_MAX_ATTEMPTS in 15 minutes the tablet page answers 429."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from intake.exceptions import InvalidAnswers, SelfReportLinkGone
from intake.forms.self_report import SelfReportAnswerForm, TabletCodeForm
from intake.models import AuditAction, SelfReportLink
from intake.request_context import client_address
from intake.selectors.self_report import (
    LinkState,
    code_failures,
    first_name,
    link_by_code,
    link_by_token,
    link_instruments,
    link_state,
)
from intake.services.audit import audit_record
from intake.services.self_report import GONE, self_report_code_refused, self_report_submit
from intake.views.decorators import public
from intake.views.service_errors import service_errors

# What each questionnaire asks, in the patient's words (the items are the instrument's own).
PROMPTS = {
    "phq9": "Over the last 2 weeks, how often have you been bothered by each of these?",
    "gad7": "Over the last 2 weeks, how often have you been bothered by each of these?",
    "sows": "How do you feel right now? Choose how strongly you feel each of these.",
    "dast10": "These questions are about drug use (not alcohol) in the past 12 months.",
    "auditc": "These questions are about drinking alcohol.",
}
MAX_JSON_BYTES = 64 * 1024
WRONG_CODE = "This code is not recognised. Check it, or ask at the front desk for a new one."
USED_CODE = "This code has already been used or has expired. Ask at the front desk for a new one."
TOO_MANY = "Too many wrong codes were typed on this device. Please ask at the front desk."


def _plain(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    return render(request, f"self_report/{template}", context, status=status)


def _answer(
    request: HttpRequest, link: SelfReportLink, *, via: str, code: str = ""
) -> HttpResponse:
    """The questionnaires of the link; their answers once sent (`answering` marks a sent form:
    the tablet's first POST carries only the code)."""
    sent = request.method == "POST" and request.POST.get("answering") == "1"
    form = SelfReportAnswerForm(
        request.POST if sent else None, instruments=link_instruments(link), prompts=PROMPTS
    )
    if sent and form.is_valid():
        with service_errors(form, apart=(SelfReportLinkGone,)) as refused:
            self_report_submit(link=link, answers=form.answers(), via=via)
        if refused.was(SelfReportLinkGone):
            return _plain(request, "gone.html", 410)
        if not refused:
            return _plain(request, "thanks.html", 200, name=first_name(link.patient), via=via)
    if not sent:
        audit_record(
            actor=None,
            action=AuditAction.READ,
            patient_id=link.patient_id,
            obj=link,
            detail={"via": via},
        )
    return _plain(
        request,
        "answer.html",
        400 if sent else 200,
        name=first_name(link.patient),
        form=form,
        code=code,
        via=via,
    )


_answer_form = csrf_protect(_answer)


def _kiosk(request: HttpRequest, link: SelfReportLink) -> JsonResponse:
    if len(request.body) > MAX_JSON_BYTES:
        return JsonResponse({"detail": "The request body is too large."}, status=400)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"detail": "The body is not valid JSON."}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        return JsonResponse({"answers": ['Send {"answers": {code: {item: value}}}.']}, status=400)
    with service_errors(apart=(SelfReportLinkGone, InvalidAnswers)) as refused:
        stored = self_report_submit(link=link, answers=body["answers"], via="kiosk")
    if refused.was(SelfReportLinkGone):
        return JsonResponse({"detail": GONE}, status=410)
    if isinstance(refused.error, InvalidAnswers):
        return JsonResponse({"answers": refused.error.errors}, status=400)
    if refused:
        return JsonResponse({"detail": refused.message}, status=400)
    return JsonResponse({"submitted": [p.instrument for p in stored]}, status=201)


# CSRF: the kiosk's JSON POST carries the URL token, which is its only credential (no cookie
# or session authenticates it), so a forged cross-site request would need the token itself;
# it is exempt on purpose. The HTML form of the same page keeps its CSRF check
# (`_answer_form` is csrf_protect'ed), as does the tablet page.
@public
@csrf_exempt
@require_http_methods(["GET", "POST"])
def self_report_page(request: HttpRequest, token: str) -> HttpResponse:
    link = link_by_token(token)
    state = link_state(link)
    as_json = request.content_type == "application/json"
    if link is None or state is LinkState.UNKNOWN:
        if as_json:
            return JsonResponse({"detail": "Not found."}, status=404)
        return _plain(request, "not_found.html", 404)
    if state is LinkState.GONE:
        if as_json:
            return JsonResponse({"detail": GONE}, status=410)
        return _plain(request, "gone.html", 410)
    if request.method == "POST" and as_json:
        return _kiosk(request, link)
    return _answer_form(request, link, via="link")


@public
@require_http_methods(["GET", "POST"])
def self_report_tablet(request: HttpRequest) -> HttpResponse:
    """The waiting-room tablet: the patient types the code, then answers."""
    limit = settings.SELF_REPORT_MAX_ATTEMPTS
    if code_failures(client_address(request)) >= limit:
        return _plain(request, "tablet.html", 429, form=None, refused=TOO_MANY)
    form = TabletCodeForm(request.POST if request.method == "POST" else None)
    # A code left empty or too long to be one is refused as a wrong one is (400), not counted.
    status = 400 if form.is_bound and not form.is_valid() else 200
    if request.method == "POST" and form.is_valid():
        link = link_by_code(form.cleaned_data["code"])
        state = link_state(link)
        if link is not None and state is LinkState.OPEN:
            return _answer(request, link, via="tablet", code=form.cleaned_data["code"])
        self_report_code_refused(reason=str(state))
        if code_failures(client_address(request)) >= limit:
            return _plain(request, "tablet.html", 429, form=None, refused=TOO_MANY)
        gone = state is LinkState.GONE
        form.add_error("code", USED_CODE if gone else WRONG_CODE)
        status = 410 if gone else 400
    return _plain(request, "tablet.html", status, form=form, refused="")
