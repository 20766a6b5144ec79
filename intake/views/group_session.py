"""The group pages (docs/clinical-rules.md#group-sessions): "Run a group" (the group's details,
and a roll built from the facilitator's care teams: find, add, present or absent, a note each),
and a group's page (the roll as the reader may see it, and "Sign all notes" for the
facilitator). The roll is kept in the form between searches, so nothing typed is lost."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake import access, resolvers
from intake.access import Perm
from intake.forms.group_session import (
    SUMMARY_WARNING,
    GroupSessionForm,
    GroupSignForm,
    RollFormSet,
    roll_rows,
)
from intake.models import AuditAction, GroupSession
from intake.selectors.group_session import (
    GroupRoll,
    group_roll_candidates,
    group_roll_patients,
)
from intake.services.audit import audit_patients_shown
from intake.services.group_session import Attendee, group_session_create, group_session_sign
from intake.views.decorators import policy
from intake.views.service_errors import service_errors

ROLL_PREFIX = "roll"


def _create(request: HttpRequest, form: GroupSessionForm, roll: Any) -> GroupSession | None:
    """The group stored from the posted form and roll, or None (errors on the form)."""
    if not (form.is_valid() & roll.is_valid()):
        return None
    data = form.cleaned_data
    with service_errors(form) as refused:
        group = group_session_create(
            actor=request.user,
            title=data["title"],
            modality=data["modality"],
            held_on=data["held_on"],
            duration_minutes=data["duration_minutes"],
            summary=data["summary"],
            attendees=[
                Attendee(patient=row["patient"], attended=row["attended"], note=row["note"])
                for row in roll_rows(roll)
            ],
        )
    return None if refused else group


def _roll_with_added(request: HttpRequest, roll: Any) -> Any:
    """A fresh roll: the posted rows not removed, then the patients ticked in the results."""
    rows = roll_rows(roll)
    on_roll = {row["patient"] for row in rows}
    for patient_id in request.POST.getlist("add"):
        if patient_id not in on_roll:
            rows.append({"patient": patient_id, "attended": True, "note": ""})
            on_roll.add(patient_id)
    return RollFormSet(initial=rows, prefix=ROLL_PREFIX)


@policy(Perm.GROUP_SESSION_RUN)
@require_http_methods(["GET", "POST"])
def group_session_run_view(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    action = request.POST.get("action", "")
    form = GroupSessionForm(request.POST if action == "create" else None)
    if posted and action != "create":
        # Finding or adding patients: the details typed so far shown again, not checked yet;
        # once the members found are added, the search box is emptied for the next one.
        form = GroupSessionForm(
            initial=request.POST.dict() | ({"q": ""} if action == "add" else {})
        )
    elif not posted:
        form = GroupSessionForm(initial={"held_on": timezone.localdate(), "duration_minutes": 60})
    roll = RollFormSet(request.POST if posted else None, prefix=ROLL_PREFIX)
    if action == "create":
        group = _create(request, form, roll)
        if group is not None:
            messages.success(request, "Group recorded: a draft note for each member present.")
            return redirect("intake:group-session-detail", group.pk)
    elif posted:
        roll = _roll_with_added(request, roll)
    return _run_page(
        request, form, roll, query=request.POST.get("q", "") if action == "search" else ""
    )


def _run_page(request: HttpRequest, form: GroupSessionForm, roll: Any, *, query: str):
    ids = [str(f["patient"].value()) for f in roll.forms]
    patients = group_roll_patients(user=request.user, patient_ids=ids)
    candidates = group_roll_candidates(user=request.user, q=query, exclude=ids)
    audit_patients_shown(
        actor=request.user,
        patient_ids=[*(p.pk for p in patients.values()), *(c.pk for c in candidates)],
        object_type="group-roll",
    )
    context = {
        "form": form,
        "roll": roll,
        "rows": [(f, patients.get(str(f["patient"].value()))) for f in roll.forms],
        "candidates": candidates,
        "searched": bool(query.strip()),
        "summary_warning": SUMMARY_WARNING,
        "title": "Run a group",
    }
    # Shown again after "Record the group": it was refused (a stored group redirects).
    refused = request.method == "POST" and request.POST.get("action") == "create"
    return render(request, "intake/groups/run.html", context, status=400 if refused else 200)


def _group_page(
    request: HttpRequest, group: GroupSession, roll: GroupRoll, form: GroupSignForm, status=200
) -> HttpResponse:
    context = {
        "group": group,
        "roll": roll,
        "form": form,
        "can_sign": roll.drafts > 0
        and access.can_sign_group_session(request.user, facilitator_id=group.facilitator_id),
        "title": group.title,
    }
    return render(request, "intake/groups/detail.html", context, status=status)


@policy(Perm.SESSION_NOTE_VIEW)
@require_GET
def group_session_detail_view(request: HttpRequest, group_id: UUID) -> HttpResponse:
    group, roll = resolvers.resolve_group_session(request.user, group_id, Perm.SESSION_NOTE_VIEW)
    return _group_page(request, group, roll, GroupSignForm())


@policy(Perm.GROUP_SESSION_RUN)
@require_POST
def group_session_sign_view(request: HttpRequest, group_id: UUID) -> HttpResponse:
    group, roll = resolvers.resolve_group_session(
        request.user, group_id, Perm.GROUP_SESSION_RUN, action=AuditAction.SIGN, audit_allowed=False
    )
    form = GroupSignForm(request.POST)
    if form.is_valid():
        with service_errors(form, forbid=True) as refused:
            notes = group_session_sign(
                actor=request.user,
                group=group,
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"] or None,
            )
        if not refused:
            count = len(notes)
            messages.success(request, f"Signed {count} group note{'' if count == 1 else 's'}.")
            return redirect("intake:group-session-detail", group.pk)
    # The page shown again with the refusal: audited as the read a GET is.
    audit_patients_shown(
        actor=request.user, patient_ids=roll.patient_ids, object_type="group-session"
    )
    return _group_page(request, group, roll, form, status=400)
