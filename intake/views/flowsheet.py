"""The withdrawal flowsheet page (docs/api.md#withdrawal-flowsheet for the same data through the
API): day by day, the withdrawal scales, the vital signs and the doses of the MAR of one
patient, printable on A4 landscape. The table is an include
(templates/intake/withdrawal/_flowsheet_table.html) other pages show beside a plan."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from intake import mar_schedule as schedule
from intake import resolvers
from intake.access import Perm
from intake.forms.flowsheet import FlowsheetRangeForm
from intake.selectors.flowsheet import MAX_DAYS, default_first_day, withdrawal_flowsheet
from intake.views.decorators import policy


@policy(Perm.MAR_VIEW)
@require_http_methods(["GET"])
def withdrawal_flowsheet_view(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = resolvers.resolve_patient(
        request.user, patient_id, Perm.MAR_VIEW, object_type="withdrawal-flowsheet"
    )
    now = timezone.now()
    today = schedule.local_date(now)
    form = FlowsheetRangeForm(
        request.GET,
        today=today,
        default_first=lambda: default_first_day(patient=patient, now=now),
    )
    first, last = form.span()
    sheet = withdrawal_flowsheet(patient=patient, first=first, last=last, now=now)
    return render(
        request,
        "intake/withdrawal/flowsheet.html",
        {
            "patient": patient,
            "flowsheet": sheet,
            "form": form,
            "today": today,
            "max_days": MAX_DAYS,
            "title": "Withdrawal flowsheet",
        },
    )
