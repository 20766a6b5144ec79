"""Lab endpoints (docs/api.md#labs): the catalog, orders and an order with its history, and the
serializers every lab endpoint answers with. Entering, amending and listing results are in
`api/lab_results.py`, a patient's alerts and acknowledging one in `api/lab_alerts.py`.

Order- and alert-level endpoints find the patient through the row and ask
`resolvers.resolve_patient`, so outside the care team they answer 404 like an unknown id."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from intake import resolvers
from intake.access import Perm
from intake.api.common import PatientListView, patient_for_write, validated
from intake.api.fields import StrictCharField
from intake.labs.interpret import RECOLLECT_STATUSES
from intake.models import (
    AuditAction,
    LabAlert,
    LabOrder,
    LabResult,
    LabTest,
    Patient,
    Priority,
)
from intake.selectors.lab import (
    ALERT_LABELS,
    lab_current_results,
    lab_order_history,
    lab_order_list,
    lab_test_catalog,
)
from intake.services.lab import lab_order_create

# Output --------------------------------------------------------------------------------------


def _blank_to_none(value: str):
    return value or None


class LabTestSerializer(serializers.ModelSerializer):
    cutoff = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    critical_low = serializers.FloatField(allow_null=True)
    critical_high = serializers.FloatField(allow_null=True)
    # Data-entry limits: a value outside is refused (docs/clinical-rules.md#plausible-limits).
    plausible_min = serializers.FloatField(allow_null=True)
    plausible_max = serializers.FloatField(allow_null=True)
    panels = serializers.SerializerMethodField()

    class Meta:
        model = LabTest
        fields = [
            "code",
            "name",
            "loinc",
            "unit",
            "kind",
            "method",
            "cutoff",
            "low",
            "high",
            "critical_low",
            "critical_high",
            "plausible_min",
            "plausible_max",
            "qualitative_only",
            "panels",
        ]

    def get_panels(self, obj) -> list[str]:
        return sorted(p.code for p in obj.panels.all())


class LabResultSerializer(serializers.ModelSerializer):
    test = StrictCharField(source="test_id")
    name = StrictCharField(source="test.name")
    value = serializers.FloatField(allow_null=True)
    qualitative = serializers.SerializerMethodField()
    interpretation = serializers.SerializerMethodField()
    flag = serializers.SerializerMethodField()
    order = serializers.UUIDField(source="order_id")
    supersedes = serializers.UUIDField(source="supersedes_id", allow_null=True)

    class Meta:
        model = LabResult
        fields = [
            "id",
            "order",
            "test",
            "name",
            "value",
            "unit",
            "qualitative",
            "interpretation",
            "flag",
            "expected",
            "alerts",
            "method",
            "resulted_at",
            "is_current",
            "supersedes",
            "amendment_reason",
        ]

    def get_qualitative(self, obj) -> str | None:
        return _blank_to_none(obj.qualitative)

    def get_interpretation(self, obj) -> str | None:
        return _blank_to_none(obj.interpretation)

    def get_flag(self, obj) -> str | None:
        return _blank_to_none(obj.flag)


class PatientLabResultSerializer(LabResultSerializer):
    """A result in a patient's list, with what it needs from its order."""

    panel = StrictCharField(source="order.panel_id")
    collected_at = serializers.DateTimeField(source="order.collected_at")
    specimen_status = serializers.SerializerMethodField()

    class Meta(LabResultSerializer.Meta):
        fields = [*LabResultSerializer.Meta.fields, "panel", "collected_at", "specimen_status"]

    def get_specimen_status(self, obj) -> str | None:
        return _blank_to_none(obj.order.specimen_status)


class LabOrderSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient_id")
    panel = StrictCharField(source="panel_id")
    ordered_by = StrictCharField(source="ordered_by.username")
    specimen_status = serializers.SerializerMethodField()
    specimen_type = serializers.SerializerMethodField()
    recollect_observed = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    class Meta:
        model = LabOrder
        fields = [
            "id",
            "patient",
            "panel",
            "priority",
            "status",
            "ordered_at",
            "ordered_by",
            "specimen_type",
            "collected_at",
            "observed",
            "resulted_at",
            "specimen_status",
            "recollect_observed",
            "alerts",
            "results",
        ]

    def get_specimen_status(self, obj) -> str | None:
        return _blank_to_none(obj.specimen_status)

    def get_specimen_type(self, obj) -> str | None:
        return _blank_to_none(obj.specimen_type)

    def get_recollect_observed(self, obj) -> bool:
        return obj.specimen_status in RECOLLECT_STATUSES

    @extend_schema(responses=LabResultSerializer(many=True))
    def get_results(self, obj) -> list[dict]:
        rows = getattr(obj, "current_results", None)
        if rows is None:
            rows = lab_current_results(order=obj)
        return LabResultSerializer(rows, many=True).data


class LabAlertSerializer(serializers.ModelSerializer):
    order = serializers.UUIDField(source="order_id")
    result = serializers.UUIDField(source="result_id", allow_null=True)
    test = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()

    class Meta:
        model = LabAlert
        fields = [
            "id",
            "code",
            "label",
            "order",
            "result",
            "test",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_note",
        ]

    def get_test(self, obj) -> str | None:
        return obj.result.test_id if obj.result_id else None

    def get_label(self, obj) -> str:
        return ALERT_LABELS.get(obj.code, obj.code)

    def get_acknowledged_by(self, obj) -> str | None:
        return obj.acknowledged_by.username if obj.acknowledged_by_id else None


class LabOrderDetailSerializer(LabOrderSerializer):
    """An order as its page shows it (schema): with the superseded results and every alert."""

    history = LabResultSerializer(many=True, read_only=True)
    alert_rows = LabAlertSerializer(many=True, read_only=True)

    class Meta(LabOrderSerializer.Meta):
        fields = [*LabOrderSerializer.Meta.fields, "history", "alert_rows"]


# Input ---------------------------------------------------------------------------------------


class LabOrderInputSerializer(serializers.Serializer):
    panel = StrictCharField(help_text="uds, intake-blood, hcv-confirm, pregnancy, ecg")
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.ROUTINE)


# Views ---------------------------------------------------------------------------------------


def order_for(
    request: Request,
    order_id: uuid.UUID,
    perm: Perm,
    *,
    action: AuditAction = AuditAction.READ,
    audit_allowed: bool = True,
) -> tuple[LabOrder, Patient]:
    """The order and its patient, access checked and the read audited (resolvers)."""
    patient, order = resolvers.resolve_lab_order(
        request.user, order_id, perm, action=action, audit_allowed=audit_allowed
    )
    return order, patient


class LabTestListView(GenericAPIView):
    access_perm = Perm.LAB_CATALOG
    serializer_class = LabTestSerializer

    @extend_schema(operation_id="lab_tests_list")
    def get(self, request):
        page = self.paginate_queryset(lab_test_catalog())
        return self.get_paginated_response(LabTestSerializer(page, many=True).data)


@extend_schema_view(get=extend_schema(operation_id="patient_lab_orders_list"))
class PatientLabOrderListView(PatientListView):
    access_perms = {"GET": Perm.LAB_VIEW, "POST": Perm.LAB_ORDER}
    serializer_class = LabOrderSerializer
    list_object_type = "lab-orders"

    def rows(self, patient: Patient) -> QuerySet[LabOrder]:
        return lab_order_list(patient=patient)

    @extend_schema(request=LabOrderInputSerializer, responses={201: LabOrderSerializer})
    def post(self, request, patient_id):
        patient = patient_for_write(request, patient_id, Perm.LAB_ORDER, object_type="lab-order")
        values = validated(LabOrderInputSerializer, request)
        order = lab_order_create(actor=request.user, patient=patient, **values)
        return Response(LabOrderSerializer(order).data, status=status.HTTP_201_CREATED)


class LabOrderDetailView(GenericAPIView):
    access_perm = Perm.LAB_VIEW
    serializer_class = LabOrderDetailSerializer

    def get(self, request, order_id):
        order, _patient = order_for(request, order_id, Perm.LAB_VIEW)
        history = lab_order_history(order=order)
        order.current_results = history.current
        body = LabOrderSerializer(order).data
        body["history"] = LabResultSerializer(history.superseded, many=True).data
        body["alert_rows"] = LabAlertSerializer(history.alerts, many=True).data
        return Response(body)
