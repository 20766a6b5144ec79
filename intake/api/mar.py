"""The medication administration record through the API (docs/api.md#medication-administration):
a patient's MAR for a day, documenting a dose, voiding an entry made in error.

A dose the rules refuse is 400 `{"rule", "detail"}` (intake/mar_rules.py); a due dose already
documented is 409; a malformed body is 400 naming the field. The service decides all of it,
for the medication pass page and the API alike."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import mar_schedule as schedule
from intake import resolvers
from intake.access import Perm
from intake.api.common import patient_for_write, validated
from intake.api.fields import StrictCharField
from intake.formulary import amount_text
from intake.models import (
    AdministrationRule,
    AdministrationStatus,
    AuditAction,
    DueDoseStatus,
    MedicationAdministration,
)
from intake.selectors.mar import DoseRow, MarDay, PrnRow, mar_day
from intake.services.medication_administration import administration_record, administration_void


def _amount(value: Any) -> str | None:
    return None if value is None else amount_text(value)


class AdministrationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    medication = serializers.SerializerMethodField()
    drug = serializers.CharField(source="medication.drug")
    status = serializers.ChoiceField(choices=AdministrationStatus.choices)
    dose = serializers.SerializerMethodField()
    unit = serializers.CharField()
    route = serializers.CharField()
    given_at = serializers.DateTimeField()
    due_dose = serializers.UUIDField(source="due_dose_id", allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    voids = serializers.UUIDField(source="voids_id", allow_null=True)
    recorded_by = serializers.CharField(source="created_by.username", allow_null=True)
    recorded_at = serializers.DateTimeField(source="created_at")

    def get_medication(self, entry: MedicationAdministration) -> str:
        return str(schedule.line_uid(entry.medication_id))

    def get_dose(self, entry: MedicationAdministration) -> str | None:
        return _amount(entry.dose)


class DueDoseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    medication = serializers.UUIDField()
    drug = serializers.CharField()
    dose = serializers.CharField()
    unit = serializers.CharField()
    route = serializers.CharField()
    due_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=DueDoseStatus.choices)
    entry = AdministrationSerializer(allow_null=True)


class PrnSerializer(serializers.Serializer):
    medication = serializers.UUIDField()
    drug = serializers.CharField()
    dose = serializers.CharField()
    unit = serializers.CharField()
    frequency = serializers.CharField()
    indication = serializers.CharField()
    given_today = serializers.CharField()
    daily_max = serializers.CharField()
    next_allowed_at = serializers.DateTimeField(allow_null=True)


class MarSerializer(serializers.Serializer):
    date = serializers.DateField()
    scheduled = DueDoseSerializer(many=True)
    prn = PrnSerializer(many=True)


def _due(row: DoseRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "medication": schedule.line_uid(row.line.pk),
        "drug": row.line.drug,
        "dose": _amount(row.dose),
        "unit": row.line.unit,
        "route": row.line.route,
        "due_at": row.due_at,
        "status": row.status,
        "entry": AdministrationSerializer(row.entry).data if row.entry else None,
    }


def _prn(row: PrnRow) -> dict[str, Any]:
    return {
        "medication": schedule.line_uid(row.line.pk),
        "drug": row.line.drug,
        "dose": _amount(row.line.dose),
        "unit": row.line.unit,
        "frequency": row.line.frequency,
        "indication": row.indication,
        "given_today": _amount(row.given_today),
        "daily_max": _amount(row.daily_max),
        "next_allowed_at": row.next_allowed_at,
    }


def mar_json(day: MarDay) -> dict[str, Any]:
    return {
        "date": day.date.isoformat(),
        "scheduled": [_due(r) for r in day.scheduled],
        "prn": [_prn(r) for r in day.prn],
    }


class PatientMarView(APIView):
    """A patient's medication administration record for one day (today by default): each dose
    the signed plans order that day with its status, and the active plan's PRN lines."""

    access_perms = {"GET": Perm.MAR_VIEW}

    @extend_schema(
        operation_id="patient_mar",
        parameters=[OpenApiParameter("date", str, description="YYYY-MM-DD (default: today)")],
        responses={200: MarSerializer},
    )
    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.MAR_VIEW, object_type="mar"
        )
        now = timezone.now()
        text = request.query_params.get("date")
        try:
            day = datetime.date.fromisoformat(text) if text else schedule.local_date(now)
        except ValueError:
            raise DRFValidationError({"date": ["Give a date as YYYY-MM-DD."]}) from None
        if not datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 12, 31):
            raise DRFValidationError({"date": ["Give a date from 2000 to 2100."]})
        return Response(mar_json(mar_day(patient, day, now)))


class AdministrationInputSerializer(serializers.Serializer):
    medication = serializers.UUIDField()
    status = serializers.ChoiceField(
        choices=[s for s in AdministrationStatus.values if s != "void"]
    )
    dose = serializers.DecimalField(
        max_digits=8, decimal_places=3, required=False, allow_null=True, coerce_to_string=False
    )
    unit = StrictCharField(max_length=10, required=False, allow_blank=True)
    given_at = serializers.DateTimeField(required=False, allow_null=True)
    due_dose = serializers.UUIDField(required=False, allow_null=True)
    reason = StrictCharField(max_length=500, required=False, allow_blank=True)


class PatientAdministrationsView(GenericAPIView):
    """Document a dose of the active plan: given, held, refused or omitted (nurses, physicians).
    A dose the rules refuse is 400 with the rule; a due dose already documented is 409."""

    access_perms = {"POST": Perm.MAR_RECORD}
    serializer_class = AdministrationInputSerializer

    @extend_schema(
        operation_id="patient_administration_create",
        request=AdministrationInputSerializer,
        responses={
            201: AdministrationSerializer,
            # A refusal by rule is {"rule", "detail"}; a malformed body names its fields.
            400: inline_serializer(
                "AdministrationRefused",
                {
                    "rule": serializers.ChoiceField(
                        choices=AdministrationRule.choices, required=False
                    ),
                    "detail": serializers.CharField(required=False),
                },
            ),
            409: inline_serializer("AlreadyDocumented", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request: Request, patient_id: uuid.UUID) -> Response:
        patient = patient_for_write(
            request, patient_id, Perm.MAR_RECORD, object_type="administration"
        )
        data = dict(validated(AdministrationInputSerializer, request))
        entry = administration_record(actor=request.user, patient=patient, data=data)
        return Response(AdministrationSerializer(entry).data, status=status.HTTP_201_CREATED)


class AdministrationVoidInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500)


class AdministrationVoidView(GenericAPIView):
    """Void an entry made in error, with the reason: a new entry that names it (never an
    edit). The due dose it documented is undocumented again."""

    access_perms = {"POST": Perm.MAR_RECORD}
    serializer_class = AdministrationVoidInputSerializer

    @extend_schema(
        operation_id="administration_void",
        request=AdministrationVoidInputSerializer,
        responses={
            201: AdministrationSerializer,
            409: inline_serializer(
                "AdministrationAlreadyVoided", {"detail": serializers.CharField()}
            ),
        },
    )
    def post(self, request: Request, entry_id: uuid.UUID) -> Response:
        _patient, entry = resolvers.resolve_administration(
            request.user, entry_id, Perm.MAR_RECORD, action=AuditAction.UPDATE, audit_allowed=False
        )
        reason = validated(AdministrationVoidInputSerializer, request)["reason"]
        void = administration_void(actor=request.user, entry=entry, reason=reason)
        return Response(AdministrationSerializer(void).data, status=status.HTTP_201_CREATED)
