"""A patient's lab alerts through the API, and acknowledging one (docs/api.md#labs)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from intake import resolvers
from intake.access import Perm
from intake.api.common import PatientListView, open_only, validated
from intake.api.fields import StrictCharField
from intake.api.lab import LabAlertSerializer
from intake.models import AuditAction, LabAlert, Patient
from intake.selectors.lab import lab_alert_list
from intake.services.lab import lab_alert_acknowledge


class LabAlertAcknowledgeInputSerializer(serializers.Serializer):
    note = StrictCharField(max_length=2000)


@extend_schema_view(
    get=extend_schema(
        operation_id="patient_lab_alerts_list",
        parameters=[OpenApiParameter("open", bool, description="Only unacknowledged (default)")],
    )
)
class PatientLabAlertListView(PatientListView):
    access_perm = Perm.LAB_VIEW
    serializer_class = LabAlertSerializer
    list_object_type = "lab-alerts"

    def rows(self, patient: Patient) -> QuerySet[LabAlert]:
        return lab_alert_list(patient=patient, open_only=open_only(self.request))


class LabAlertAcknowledgeView(GenericAPIView):
    access_perms = {"POST": Perm.LAB_ALERT_ACK}
    serializer_class = LabAlertAcknowledgeInputSerializer

    @extend_schema(
        request=LabAlertAcknowledgeInputSerializer,
        responses={
            200: inline_serializer(
                "LabAlertsAcknowledged", {"acknowledged": LabAlertSerializer(many=True)}
            )
        },
    )
    def post(self, request, alert_id):
        _patient, alert = resolvers.resolve_lab_alert(
            request.user,
            alert_id,
            Perm.LAB_ALERT_ACK,
            action=AuditAction.UPDATE,
            audit_allowed=False,
        )
        note = validated(LabAlertAcknowledgeInputSerializer, request)["note"]
        acknowledged = lab_alert_acknowledge(actor=request.user, alert=alert, note=note)
        return Response({"acknowledged": LabAlertSerializer(acknowledged, many=True).data})
