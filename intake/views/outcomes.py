"""Program outcomes for clinic leadership (docs/clinical-rules.md#outcomes): the figures over the
episodes admitted in a period, as a table and charts, and as CSV. Aggregates only: no patient is
named, so the audit events (a read for the page, an export for the CSV) name none either."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from intake.access import Perm
from intake.forms.outcomes import OutcomesFilterForm
from intake.models import AuditAction
from intake.selectors.outcomes import outcomes_report
from intake.services.audit import audit_record
from intake.services.outcomes_summary import request_refresh_if_stale
from intake.views.decorators import policy

CSV_COLUMNS = ["measure", "period", "rate", "numerator", "denominator", "value"]


def _row(measure: str, rate: float | None, numerator: int, denominator: int) -> dict[str, Any]:
    return {
        "measure": measure,
        "period": "",
        "rate": rate,
        "numerator": numerator,
        "denominator": denominator,
        "value": None,
    }


def _value_row(measure: str, value: float | int | None, denominator: int | None = None) -> dict:
    return {
        **_row(measure, None, 0, 0),
        "numerator": None,
        "denominator": denominator,
        "value": value,
    }


def outcome_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report as the table and the CSV list it, one measure a row, in clinical words."""
    counts = report["counts"]
    rows = [
        _value_row("Patients", report["patients"]),
        _value_row("Episodes", counts["episodes"]),
    ]
    for days, rate in report["retention"].items():
        c = counts["retention"][days]
        rows.append(_row(f"Retention at {days} days", rate, c["retained"], c["measured"]))
    c = counts["continuity"]
    rows.append(
        _row(
            "Continuity of pharmacotherapy (180 days)",
            report["continuity_180"],
            c["continuous"],
            c["patients"],
        )
    )
    rows.append(
        _value_row(
            "Days from admission to first OUD medication dose (median)",
            report["days_to_first_dose_median"],
            counts["first_dose"]["episodes"],
        )
    )
    for month in report["uds_negative_rate"]:
        row = _row(
            "Urine screens negative for unprescribed opioids",
            month["rate"],
            month["negative"],
            month["specimens"],
        )
        rows.append({**row, "period": month["month"]})
    p = counts["phq9"]
    rows.append(_row("PHQ-9 response", report["phq9_response"], p["response"], p["measured"]))
    rows.append(_row("PHQ-9 remission", report["phq9_remission"], p["remission"], p["measured"]))
    return rows


def _shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's rows: each rate also as a percentage, "not measured" where nothing was."""
    return [
        {**r, "percent": None if r["rate"] is None else f"{r['rate'] * 100:.1f}%"} for r in rows
    ]


def _charts(report: dict[str, Any]) -> dict[str, Any]:
    """What the page's charts draw (intake/static/intake/outcomes_charts.js)."""
    return {
        "retention": [
            {"label": f"{days} days", "rate": rate} for days, rate in report["retention"].items()
        ],
        "uds": [{"label": m["month"], "rate": m["rate"]} for m in report["uds_negative_rate"]],
        "other": [
            {"label": "Continuity (180 days)", "rate": report["continuity_180"]},
            {"label": "PHQ-9 response", "rate": report["phq9_response"]},
            {"label": "PHQ-9 remission", "rate": report["phq9_remission"]},
        ],
    }


def _audit(
    request: HttpRequest, action: AuditAction, form: OutcomesFilterForm, **more: Any
) -> None:
    audit_record(
        actor=request.user,
        action=action,
        object_type="outcomes-report",
        detail={"filters": form.used_filters(), **more},
    )


def _when(report: dict[str, Any] | None, key: str) -> datetime.datetime | None:
    value = report.get(key) if report else None
    return datetime.datetime.fromisoformat(value) if value else None


@policy(Perm.OUTCOMES_VIEW)
@require_GET
def outcomes_page(request: HttpRequest) -> HttpResponse:
    form = OutcomesFilterForm(request.GET)
    filters = form.outcome_filters()
    report = outcomes_report(filters=filters) if filters is not None else None
    _audit(request, AuditAction.READ, form)
    if report is not None:
        request_refresh_if_stale(report["as_of"])
    # Never refreshed: the page says so, and shows no figure.
    pending = report is not None and report["as_of"] is None
    if pending:
        report = None
    return render(
        request,
        "intake/outcomes.html",
        {
            "form": form,
            "report": report,
            "rows": _shown(outcome_rows(report)) if report else [],
            "charts": _charts(report) if report else None,
            "export_query": urlencode(form.used_filters()),
            "computed_at": _when(report, "computed_at"),
            "as_of": _when(report, "as_of"),
            "summary_pending": pending,
        },
    )


@policy(Perm.OUTCOMES_VIEW)
@require_GET
def outcomes_export(request: HttpRequest) -> HttpResponse:
    """The page's figures as CSV, same filters; a refused filter is a 400 naming it."""
    form = OutcomesFilterForm(request.GET)
    filters = form.outcome_filters()
    if filters is None:
        fields = ", ".join(sorted(form.errors))
        return HttpResponse(
            f"Refused filter: {fields}.", status=400, content_type="text/plain; charset=utf-8"
        )
    report = outcomes_report(filters=filters)
    if report["as_of"] is None:
        return HttpResponse(
            "The outcome summary has not been computed yet: try again in a few minutes.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    rows = outcome_rows(report)
    _audit(request, AuditAction.EXPORT, form, format="csv")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{stamp}.csv"'
    return response
