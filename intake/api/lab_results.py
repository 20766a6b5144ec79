"""Lab results through the API (docs/api.md#labs): entering an order's results, amending them
(the superseded rows are kept), and a patient's current results."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from intake import limits, resolvers
from intake.access import Perm
from intake.api.common import SINCE_INVALID, since_param, validated
from intake.api.fields import StrictCharField
from intake.api.lab import (
    LabAlertSerializer,
    LabResultSerializer,
    PatientLabResultSerializer,
    order_for,
)
from intake.models import AuditAction, LabOrder, OrderStatus, SpecimenType
from intake.selectors.lab import lab_result_list, lab_test_exists
from intake.services.lab import LabRecording, lab_results_record
from intake.services.lab_amend import lab_results_amend


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


# Entering or amending an order's results: the order access checked (the allowed write audited
# by the service), the body (`serializer_class`) validated, `record` saved; 201 with what was
# recorded. (Comments, not a docstring: the schema would show it for both endpoints.)
class _RecordingView(GenericAPIView):
    access_perms = {"POST": Perm.LAB_RESULT_ENTER}
    audit_action: AuditAction = AuditAction.CREATE

    def record(self, order: LabOrder, values: dict) -> LabRecording:
        raise NotImplementedError

    # The request body is the view's serializer_class (drf-spectacular reads it from there).
    @extend_schema(responses={201: LabRecordingSerializer})
    def post(self, request: Request, order_id: uuid.UUID) -> Response:
        order, _patient = order_for(
            request,
            order_id,
            Perm.LAB_RESULT_ENTER,
            action=self.audit_action,
            audit_allowed=False,
        )
        values = validated(self.get_serializer_class(), request)
        return Response(_recording_body(self.record(order, values)), status=status.HTTP_201_CREATED)


class LabOrderResultsView(_RecordingView):
    serializer_class = LabResultsInputSerializer
    audit_action = AuditAction.CREATE

    def record(self, order: LabOrder, values: dict) -> LabRecording:
        return lab_results_record(
            actor=self.request.user,
            order=order,
            collected_at=values["collected_at"],
            observed=values["observed"],
            specimen_type=values.get("specimen_type", ""),
            # The raw entries: JSON numbers reach the interpretation rules unrounded.
            entries=self.request.data.get("results"),
        )


class LabOrderAmendView(_RecordingView):
    serializer_class = LabAmendInputSerializer
    audit_action = AuditAction.UPDATE

    def record(self, order: LabOrder, values: dict) -> LabRecording:
        return lab_results_amend(
            actor=self.request.user,
            order=order,
            corrections=self.request.data.get("results"),
            reason=values["reason"],
        )


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
        if test and not lab_test_exists(code=test):
            errors["test"] = ["Unknown test."]
        try:
            since = since_param(request)
        except ValueError:
            errors["since"] = [SINCE_INVALID]
            since = None
        if errors:
            raise DRFValidationError(errors)
        page = self.paginate_queryset(lab_result_list(patient=patient, test=test, since=since))
        return self.get_paginated_response(PatientLabResultSerializer(page, many=True).data)
