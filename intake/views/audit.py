import csv
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from intake import access
from intake.access import Perm
from intake.forms.audit import AuditFilterForm
from intake.local_time import format_local
from intake.models import AuditAction, AuditEvent, BreakGlassGrant
from intake.selectors.audit import (
    AUDIT_EVENT_COLUMNS,
    audit_detail_redacted,
    audit_event_list,
)
from intake.selectors.staff import staff_change_list
from intake.services.audit import audit_patients_shown, audit_record
from intake.views.decorators import policy

EXPORT_COLUMNS = [
    *AUDIT_EVENT_COLUMNS,
    "reason",
    "hash",
    # The same moment as `at`, as pages and the plan PDF print it (clinic zone, named).
    "clinic_time",
]


# Filters that name a patient travel in a POST body, never in the address (README: names never
# appear in URLs, browser history or logs); sent in a query string they are refused.
IDENTIFYING_FILTERS = ("name", "mrn")


def _params(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


def _filter_params(request: HttpRequest) -> QueryDict | None:
    """The filter values sent; `page` alone is not a filter."""
    params = _params(request).copy()
    for key in ("page", "csrfmiddlewaretoken"):
        params.pop(key, None)
    return params or None


def _identifying_in_address(request: HttpRequest) -> bool:
    return request.method == "GET" and any(request.GET.get(k) for k in IDENTIFYING_FILTERS)


def _events(
    request: HttpRequest, form: AuditFilterForm
) -> tuple[dict[str, Any] | None, QuerySet[AuditEvent]]:
    """(filters, events): None and no rows when a value was refused (the report says why),
    never the unfiltered log."""
    filters = None if _identifying_in_address(request) else form.selector_filters()
    if filters is None:
        return None, AuditEvent.objects.none()
    return filters, audit_event_list(**filters)


@policy(Perm.AUDIT_VIEW)
@require_http_methods(["GET", "POST"])
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(_filter_params(request))
    _filters_used, events = _events(request, form)
    page = Paginator(events, 100).get_page(_params(request).get("page"))
    for event in page:
        event.shown_detail = audit_detail_redacted(event.detail)
    # The report names patients (by id): reading it is a read of each.
    audit_patients_shown(
        actor=request.user, patient_ids=[e.patient_id for e in page], object_type="audit-report"
    )
    return render(
        request,
        "intake/audit_list.html",
        {
            "form": form,
            "page": page,
            # Carried by the paging and export buttons (POST forms), so that a name typed in
            # the filter never goes into an address.
            "filter_items": [
                (k, v)
                for k, values in (_filter_params(request) or QueryDict()).lists()
                for v in values
            ],
            "identifying_in_address": _identifying_in_address(request),
            "can_export": access.has_perm(request.user, Perm.AUDIT_EXPORT),
            "can_review": access.has_perm(request.user, Perm.BREAK_GLASS_REVIEW),
            "unreviewed": BreakGlassGrant.objects.filter(reviewed_at__isnull=True).count(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    """Spreadsheet-safe: a cell that starts like a formula is quoted (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@policy(Perm.AUDIT_EXPORT)
@require_http_methods(["GET", "POST"])
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered report as CSV. The export is itself audited (a name filter recorded as
    given, never the name: audit rows are kept for ever)."""
    form = AuditFilterForm(_filter_params(request))
    filters, events = _events(request, form)
    patient = (filters or {}).get("patient")
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        patient_id=patient.pk if patient is not None and patient._state.adding is False else None,
        object_type="audit-report",
        detail={
            "format": "csv",
            "filters": {
                k: ("given" if k == "name" else v)
                for k, v in (_filter_params(request) or {}).items()
                if k in form.fields and v
            },
        },
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(EXPORT_COLUMNS)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    _cell(v)
                    for v in (
                        e.id,
                        # ISO 8601 with the clinic's offset, not UTC: the same wall-clock
                        # time the pages show.
                        timezone.localtime(e.at).isoformat(),
                        e.actor_username,
                        e.role,
                        e.action,
                        e.patient_id or "",
                        e.object_type,
                        e.object_id,
                        e.outcome,
                        "true" if e.break_glass else "false",
                        e.ip_address or "",
                        audit_detail_redacted(e.detail).get("reason", ""),
                        e.hash,
                        format_local(e.at),
                    )
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@policy(Perm.STAFF_CHANGE_REVIEW)
@require_GET
def staff_change_review(request: HttpRequest) -> HttpResponse:
    """Administrators' changes of roles, credentials and care teams, newest first (separation
    of duties). Care-team rows name the patient by MRN: a read of each, audited in one INSERT."""
    changes = staff_change_list()
    audit_patients_shown(
        actor=request.user,
        patient_ids=[c.patient_id for c in changes],
        object_type="staff-change-review",
    )
    return render(request, "intake/staff_change_review.html", {"changes": changes})
