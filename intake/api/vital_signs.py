"""Vital signs through the API (docs/api.md#vital-signs): recording a set, a patient's sets
newest first (`?since=`), the open critical values, and acknowledging one.

A measure is a JSON number: a string, a boolean or an object is a 400 naming the field, as is
a value outside the plausible limits of docs/clinical-rules.md#vital-signs (the service
decides that, for page and API alike)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from intake import resolvers
from intake import vital_signs_rules as rules
from intake.access import Perm
from intake.api.common import (
    SINCE_INVALID,
    PatientListView,
    open_only,
    patient_for_write,
    since_param,
    validated,
)
from intake.api.fields import StrictCharField
from intake.models import AuditAction, Patient, VitalFlag, VitalMeasure, VitalSignAlert, VitalSigns
from intake.selectors.vital_signs import vital_sign_alert_list, vital_signs_list
from intake.services.vital_signs import (
    vital_sign_alert_acknowledge,
    vital_signs_record,
    vital_signs_void,
)


@extend_schema_field({"type": "number"})
class MeasureField(serializers.Field):
    """A JSON number, kept exact (a float goes through its shortest decimal spelling)."""

    default_error_messages = {"invalid": "Give a number."}

    def to_internal_value(self, data: object) -> Decimal | int:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return data if isinstance(data, int) else Decimal(repr(data))

    def to_representation(self, value: Any) -> Any:
        return value


class VitalSignsInputSerializer(serializers.Serializer):
    taken_at = serializers.DateTimeField()
    systolic = MeasureField(required=False, allow_null=True)
    diastolic = MeasureField(required=False, allow_null=True)
    heart_rate = MeasureField(required=False, allow_null=True)
    respiratory_rate = MeasureField(required=False, allow_null=True)
    temperature_c = MeasureField(required=False, allow_null=True)
    spo2 = MeasureField(required=False, allow_null=True)
    weight_kg = MeasureField(required=False, allow_null=True)
    height_cm = MeasureField(required=False, allow_null=True)
    pain = MeasureField(required=False, allow_null=True)


class VitalSignAlertSerializer(serializers.ModelSerializer):
    vital_signs = serializers.UUIDField(source="vital_signs_id")
    acknowledged_by = serializers.SerializerMethodField()

    class Meta:
        model = VitalSignAlert
        fields = [
            "id",
            "code",
            "measure",
            "vital_signs",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_note",
        ]

    def get_acknowledged_by(self, obj: VitalSignAlert) -> str | None:
        user = obj.acknowledged_by
        return (user.get_full_name() or user.get_username()) if user else None


class OpenAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = VitalSignAlert
        fields = ["id", "code", "measure"]


class VitalSignsSerializer(serializers.ModelSerializer):
    temperature_c = serializers.FloatField(allow_null=True)
    weight_kg = serializers.FloatField(allow_null=True)
    height_cm = serializers.FloatField(allow_null=True)
    flags = serializers.DictField(child=serializers.ChoiceField(choices=VitalFlag.choices))
    alerts = serializers.SerializerMethodField()
    open_alerts = OpenAlertSerializer(many=True)

    class Meta:
        model = VitalSigns
        fields = [
            "id",
            "taken_at",
            *VitalMeasure.values,
            "flags",
            "alerts",
            "open_alerts",
            "created_at",
            "voided_at",
            "void_reason",
        ]

    def get_alerts(self, obj: VitalSigns) -> list[str]:
        """The alert codes the set raised: one `critical-vital` per critical measure."""
        return [rules.CRITICAL_VITAL for _ in rules.alerts(obj.flags)]


@extend_schema_view(
    get=extend_schema(
        operation_id="patient_vital_signs_list",
        parameters=[
            OpenApiParameter("since", str, description="Taken at or after (date or datetime)")
        ],
    )
)
class PatientVitalSignsView(PatientListView):
    """A patient's vital signs, taken newest first; recording a set (nurses, physicians)."""

    access_perms = {"GET": Perm.VITAL_SIGNS_VIEW, "POST": Perm.VITAL_SIGNS_RECORD}
    serializer_class = VitalSignsSerializer
    list_object_type = "vital-signs"

    def rows(self, patient: Patient) -> QuerySet[VitalSigns]:
        try:
            since = since_param(self.request)
        except ValueError:
            raise DRFValidationError({"since": [SINCE_INVALID]}) from None
        return vital_signs_list(patient=patient, since=since)

    @extend_schema(request=VitalSignsInputSerializer, responses={201: VitalSignsSerializer})
    def post(self, request: Request, patient_id: uuid.UUID) -> Response:
        patient = patient_for_write(
            request, patient_id, Perm.VITAL_SIGNS_RECORD, object_type="vital-signs"
        )
        values = validated(VitalSignsInputSerializer, request)
        taken_at = values.pop("taken_at")
        vitals = vital_signs_record(
            actor=request.user, patient=patient, taken_at=taken_at, values=values
        )
        return Response(VitalSignsSerializer(vitals).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        operation_id="patient_vital_sign_alerts_list",
        parameters=[OpenApiParameter("open", bool, description="Only unacknowledged (default)")],
    )
)
class PatientVitalSignAlertListView(PatientListView):
    """A patient's critical vital signs, newest first."""

    access_perm = Perm.VITAL_SIGNS_VIEW
    serializer_class = VitalSignAlertSerializer
    list_object_type = "vital-sign-alerts"

    def rows(self, patient: Patient) -> QuerySet[VitalSignAlert]:
        return vital_sign_alert_list(patient=patient, open_only=open_only(self.request))


class VitalSignAlertAcknowledgeInputSerializer(serializers.Serializer):
    note = StrictCharField(max_length=2000)


class VitalSignAlertAcknowledgeView(GenericAPIView):
    """A nurse or a physician acknowledges a critical vital sign, with what was done."""

    access_perms = {"POST": Perm.VITAL_SIGNS_ALERT_ACK}
    serializer_class = VitalSignAlertAcknowledgeInputSerializer

    @extend_schema(
        request=VitalSignAlertAcknowledgeInputSerializer,
        responses={
            200: inline_serializer(
                "VitalSignAlertAcknowledged", {"acknowledged": VitalSignAlertSerializer()}
            )
        },
    )
    def post(self, request: Request, vital_alert_id: uuid.UUID) -> Response:
        _patient, alert = resolvers.resolve_vital_sign_alert(
            request.user,
            vital_alert_id,
            Perm.VITAL_SIGNS_ALERT_ACK,
            action=AuditAction.UPDATE,
            audit_allowed=False,
        )
        note = validated(VitalSignAlertAcknowledgeInputSerializer, request)["note"]
        done = vital_sign_alert_acknowledge(actor=request.user, alert=alert, note=note)
        return Response({"acknowledged": VitalSignAlertSerializer(done).data})


class VitalSignsVoidInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=300)


class VitalSignsVoidView(GenericAPIView):
    """Mark a set of vital signs as entered in error, with the reason (nurses, physicians):
    it stays listed, marked, and its open alerts close. Record the right reading anew."""

    access_perms = {"POST": Perm.VITAL_SIGNS_RECORD}
    serializer_class = VitalSignsVoidInputSerializer

    @extend_schema(request=VitalSignsVoidInputSerializer, responses={200: VitalSignsSerializer})
    def post(self, request: Request, vitals_id: uuid.UUID) -> Response:
        _patient, vitals = resolvers.resolve_vital_signs(
            request.user,
            vitals_id,
            Perm.VITAL_SIGNS_RECORD,
            action=AuditAction.UPDATE,
            audit_allowed=False,
        )
        reason = validated(VitalSignsVoidInputSerializer, request)["reason"]
        voided = vital_signs_void(actor=request.user, vitals=vitals, reason=reason)
        return Response(VitalSignsSerializer(voided).data)
