"""Lab endpoints (docs/api.md#labs): the catalog, orders, entering and amending results, a
patient's results and alerts, acknowledging an alert.

Order- and alert-level endpoints find the patient through the row and ask
`resolvers.resolve_patient`, so outside the care team they answer 404 like an unknown id."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from intake import limits, resolvers
from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.labs.interpret import RECOLLECT_STATUSES
from intake.models import (
    AuditAction,
    LabAlert,
    LabOrder,
    LabResult,
    LabTest,
    OrderStatus,
    Priority,
    SpecimenType,
)
from intake.selectors.lab import (
    ALERT_LABELS,
    lab_order_history,
    lab_order_list,
    lab_result_list,
    lab_test_catalog,
)
from intake.services.lab import (
    LabRecording,
    lab_alert_acknowledge,
    lab_order_create,
    lab_results_record,
)
from intake.services.lab_amend import lab_results_amend

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
            rows = obj.results.filter(is_current=True).select_related("test")
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


class LabRecordingSerializer(serializers.Serializer):
    """What entering or amending results answers (_recording_body), for the schema."""

    id = serializers.UUIDField()
    order = serializers.UUIDField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    panel = StrictCharField()
    collected_at = serializers.DateTimeField(allow_null=True)
    observed = serializers.BooleanField(allow_null=True)
    specimen_type = serializers.ChoiceField(choices=SpecimenType.choices, allow_null=True)
    specimen_status = StrictCharField(allow_blank=True)
    recollect_observed = serializers.BooleanField()
    results = LabResultSerializer(many=True)
    alerts = serializers.ListField(child=StrictCharField())
    new_alerts = LabAlertSerializer(many=True)
    superseded = serializers.ListField(child=serializers.UUIDField())


def _recording_body(recording: LabRecording) -> dict:
    order = recording.order
    return {
        "id": str(order.pk),
        "order": str(order.pk),
        "status": order.status,
        "panel": order.panel_id,
        "collected_at": serializers.DateTimeField().to_representation(order.collected_at),
        "observed": order.observed,
        "specimen_type": order.specimen_type or None,
        "specimen_status": order.specimen_status,
        "recollect_observed": recording.recollect_observed,
        "results": LabResultSerializer(recording.results, many=True).data,
        "alerts": recording.alerts,
        "new_alerts": LabAlertSerializer(recording.new_alerts, many=True).data,
        "superseded": [str(r.pk) for r in recording.superseded],
    }


# Input ---------------------------------------------------------------------------------------


class LabOrderInputSerializer(serializers.Serializer):
    panel = StrictCharField(help_text="uds, intake-blood, hcv-confirm, pregnancy, ecg")
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.ROUTINE)


class LabResultsInputSerializer(serializers.Serializer):
    collected_at = serializers.DateTimeField()
    observed = serializers.BooleanField()
    specimen_type = serializers.ChoiceField(choices=SpecimenType.choices, required=False)
    # Entries go to the service as sent (numbers stay exact): it names each bad test.
    results = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=limits.MAX_LAB_RESULTS
    )


class LabAmendInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=300)
    results = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=limits.MAX_LAB_RESULTS
    )


class LabAlertAcknowledgeInputSerializer(serializers.Serializer):
    note = StrictCharField(max_length=2000)


# Views ---------------------------------------------------------------------------------------


def _order_for(request, order_id, perm: Perm, *, action=AuditAction.READ, audit_allowed=True):
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


class PatientLabOrderListView(GenericAPIView):
    access_perms = {"GET": Perm.LAB_VIEW, "POST": Perm.LAB_ORDER}
    serializer_class = LabOrderSerializer

    @extend_schema(operation_id="patient_lab_orders_list")
    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.LAB_VIEW, object_type="lab-orders"
        )
        page = self.paginate_queryset(lab_order_list(patient=patient))
        return self.get_paginated_response(LabOrderSerializer(page, many=True).data)

    @extend_schema(request=LabOrderInputSerializer, responses={201: LabOrderSerializer})
    def post(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.LAB_ORDER,
            action=AuditAction.CREATE,
            audit_allowed=False,
            object_type="lab-order",
        )
        data = LabOrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = lab_order_create(actor=request.user, patient=patient, **data.validated_data)
        return Response(LabOrderSerializer(order).data, status=status.HTTP_201_CREATED)


class LabOrderDetailView(GenericAPIView):
    access_perm = Perm.LAB_VIEW
    serializer_class = LabOrderDetailSerializer

    def get(self, request, order_id):
        order, _patient = _order_for(request, order_id, Perm.LAB_VIEW)
        history = lab_order_history(order=order)
        order.current_results = history.current
        body = LabOrderSerializer(order).data
        body["history"] = LabResultSerializer(history.superseded, many=True).data
        body["alert_rows"] = LabAlertSerializer(history.alerts, many=True).data
        return Response(body)


class LabOrderResultsView(GenericAPIView):
    access_perms = {"POST": Perm.LAB_RESULT_ENTER}
    serializer_class = LabResultsInputSerializer

    @extend_schema(request=LabResultsInputSerializer, responses={201: LabRecordingSerializer})
    def post(self, request, order_id):
        order, _patient = _order_for(
            request,
            order_id,
            Perm.LAB_RESULT_ENTER,
            action=AuditAction.CREATE,
            audit_allowed=False,
        )
        data = LabResultsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recording = lab_results_record(
            actor=request.user,
            order=order,
            collected_at=data.validated_data["collected_at"],
            observed=data.validated_data["observed"],
            specimen_type=data.validated_data.get("specimen_type", ""),
            # The raw entries: JSON numbers reach the interpretation rules unrounded.
            entries=request.data.get("results"),
        )
        return Response(_recording_body(recording), status=status.HTTP_201_CREATED)


class LabOrderAmendView(GenericAPIView):
    access_perms = {"POST": Perm.LAB_RESULT_ENTER}
    serializer_class = LabAmendInputSerializer

    @extend_schema(request=LabAmendInputSerializer, responses={201: LabRecordingSerializer})
    def post(self, request, order_id):
        order, _patient = _order_for(
            request,
            order_id,
            Perm.LAB_RESULT_ENTER,
            action=AuditAction.UPDATE,
            audit_allowed=False,
        )
        data = LabAmendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recording = lab_results_amend(
            actor=request.user,
            order=order,
            corrections=request.data.get("results"),
            reason=data.validated_data["reason"],
        )
        return Response(_recording_body(recording), status=status.HTTP_201_CREATED)


def _since(raw: str) -> datetime.datetime | None:
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        day = parse_date(raw)
        if day is None:
            raise ValueError
        moment = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class PatientLabResultListView(GenericAPIView):
    access_perm = Perm.LAB_VIEW
    serializer_class = PatientLabResultSerializer

    @extend_schema(
        operation_id="patient_lab_results_list",
        parameters=[
            OpenApiParameter("test", str, description="A test code"),
            OpenApiParameter("since", str, description="Collected at or after (date or datetime)"),
        ],
    )
    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.LAB_VIEW, object_type="lab-results"
        )
        test = request.query_params.get("test", "").strip()
        errors = {}
        if test and not LabTest.objects.filter(code=test).exists():
            errors["test"] = ["Unknown test."]
        try:
            since = _since(request.query_params.get("since", "").strip())
        except ValueError:
            errors["since"] = ["Give a date (YYYY-MM-DD) or an ISO 8601 datetime."]
            since = None
        if errors:
            raise DRFValidationError(errors)
        page = self.paginate_queryset(lab_result_list(patient=patient, test=test, since=since))
        return self.get_paginated_response(PatientLabResultSerializer(page, many=True).data)


class PatientLabAlertListView(GenericAPIView):
    access_perm = Perm.LAB_VIEW
    serializer_class = LabAlertSerializer

    @extend_schema(
        operation_id="patient_lab_alerts_list",
        parameters=[OpenApiParameter("open", bool, description="Only unacknowledged (default)")],
    )
    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.LAB_VIEW, object_type="lab-alerts"
        )
        qs = LabAlert.objects.filter(patient=patient)
        if request.query_params.get("open", "true").lower() not in ("false", "0", "no"):
            qs = qs.filter(acknowledged_at__isnull=True)
        qs = qs.select_related("result", "acknowledged_by").order_by("-created_at", "id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(LabAlertSerializer(page, many=True).data)


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
        data = LabAlertAcknowledgeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        acknowledged = lab_alert_acknowledge(
            actor=request.user, alert=alert, note=data.validated_data["note"]
        )
        return Response({"acknowledged": LabAlertSerializer(acknowledged, many=True).data})
