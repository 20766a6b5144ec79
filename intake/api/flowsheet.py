"""The withdrawal flowsheet through the API (docs/api.md#withdrawal-flowsheet): day by day, the
withdrawal scales, the vital signs and the doses of the medication administration record of
one patient. A read of the team's (Perm.MAR_VIEW), audited; at most 31 days at a time."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import mar_schedule as schedule
from intake import resolvers
from intake.access import Perm
from intake.formulary import amount_text
from intake.models import DueDoseStatus
from intake.selectors.flowsheet import (
    DoseEntry,
    Flowsheet,
    ScaleEntry,
    VitalSet,
    default_first_day,
    flowsheet_range,
    withdrawal_flowsheet,
)


class FlowsheetAssessmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    instrument = serializers.ChoiceField(choices=["cows", "sows", "ciwa-ar"])
    at = serializers.DateTimeField()
    total = serializers.IntegerField()
    band = serializers.CharField()
    band_label = serializers.CharField()


class FlowsheetMeasureSerializer(serializers.Serializer):
    measure = serializers.CharField()
    value = serializers.CharField()
    unit = serializers.CharField()
    flag = serializers.ChoiceField(choices=["", "normal", "low", "high", "critical"])


class FlowsheetVitalsSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    taken_at = serializers.DateTimeField()
    measures = FlowsheetMeasureSerializer(many=True)
    recorded_by = serializers.CharField()


class FlowsheetAdministrationSerializer(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True, help_text="The documenting entry; null if none.")
    due_dose = serializers.UUIDField(allow_null=True, help_text="Null for a PRN dose.")
    medication = serializers.UUIDField()
    drug = serializers.CharField()
    prn = serializers.BooleanField()
    due_at = serializers.DateTimeField(allow_null=True)
    given_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=DueDoseStatus.choices)
    ordered_dose = serializers.CharField()
    dose = serializers.CharField(allow_null=True, help_text="The dose given; null otherwise.")
    unit = serializers.CharField()
    route = serializers.CharField()
    reason = serializers.CharField()
    recorded_by = serializers.CharField()


class FlowsheetDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    assessments = FlowsheetAssessmentSerializer(many=True)
    vitals = FlowsheetVitalsSerializer(many=True)
    administrations = FlowsheetAdministrationSerializer(many=True)


class FlowsheetSerializer(serializers.Serializer):
    to = serializers.DateField()
    days = FlowsheetDaySerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        # `from` is a Python keyword, so it cannot be declared as an attribute.
        return {"from": serializers.DateField(), **super().get_fields()}


def _scale(a: ScaleEntry) -> dict[str, Any]:
    return {
        "id": a.id,
        "instrument": a.instrument,
        "at": a.at,
        "total": a.total,
        "band": a.band,
        "band_label": a.band_label,
    }


def _vitals(v: VitalSet) -> dict[str, Any]:
    return {
        "id": v.id,
        "taken_at": v.taken_at,
        "measures": [
            {"measure": r.code, "value": str(r.value), "unit": r.unit, "flag": r.flag}
            for r in v.readings
        ],
        "recorded_by": v.recorded_by,
    }


def _dose(d: DoseEntry) -> dict[str, Any]:
    return {
        "id": d.entry,
        "due_dose": d.due_dose,
        "medication": d.medication,
        "drug": d.drug,
        "prn": d.prn,
        "due_at": d.due_at,
        "given_at": d.given_at,
        "status": d.status,
        "ordered_dose": amount_text(d.ordered_dose),
        "dose": amount_text(d.dose) if d.dose is not None else None,
        "unit": d.unit,
        "route": d.route,
        "reason": d.reason,
        "recorded_by": d.recorded_by,
    }


def flowsheet_json(sheet: Flowsheet) -> dict[str, Any]:
    return {
        "from": sheet.first.isoformat(),
        "to": sheet.last.isoformat(),
        "days": [
            {
                "date": day.date.isoformat(),
                "assessments": [_scale(a) for a in day.assessments],
                "vitals": [_vitals(v) for v in day.vitals],
                "administrations": [_dose(d) for d in day.administrations],
            }
            for day in sheet.days
        ],
    }


class PatientWithdrawalFlowsheetView(APIView):
    """A patient's withdrawal flowsheet, day by day: the withdrawal scales (total and band),
    the vital signs with their flags and the doses of the MAR (given, held, refused, omitted,
    missed, due; PRN doses given). From the first dose given to today unless asked; at most
    31 days (400 naming `to`); a malformed date is 400 naming its field."""

    access_perms = {"GET": Perm.MAR_VIEW}

    @extend_schema(
        operation_id="patient_withdrawal_flowsheet",
        parameters=[
            OpenApiParameter("from", str, description="YYYY-MM-DD (default: the first dose)"),
            OpenApiParameter("to", str, description="YYYY-MM-DD (default: today)"),
        ],
        responses={200: FlowsheetSerializer},
    )
    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.MAR_VIEW, object_type="withdrawal-flowsheet"
        )
        now = timezone.now()
        first, last = flowsheet_range(
            request.query_params.get("from"),
            request.query_params.get("to"),
            today=schedule.local_date(now),
            default_first=lambda: default_first_day(patient=patient, now=now),
        )
        sheet = withdrawal_flowsheet(patient=patient, first=first, last=last, now=now)
        return Response(flowsheet_json(sheet))
