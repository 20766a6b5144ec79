from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.forms.audit import AuditApiFilterForm
from intake.models import AuditAction, AuditEvent
from intake.selectors.audit import (
    AUDIT_EVENT_COLUMNS,
    audit_detail_redacted,
    audit_event_list,
)
from intake.services.audit import audit_patients_shown


class AuditEventSerializer(serializers.ModelSerializer):
    actor = StrictCharField(source="actor_username")
    patient = serializers.UUIDField(source="patient_id", allow_null=True)
    detail = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [*AUDIT_EVENT_COLUMNS, "detail"]

    def get_detail(self, obj: AuditEvent) -> dict:
        return audit_detail_redacted(obj.detail)


class AuditEventListView(GenericAPIView):
    """The audit trail, for privacy officers. Filters: patient (id), actor (username), action,
    since, until, break_glass, outcome."""

    access_perm = Perm.AUDIT_VIEW
    serializer_class = AuditEventSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("patient", str, description="A patient id (UUID)"),
            OpenApiParameter("actor", str, description="A username"),
            OpenApiParameter("action", str, enum=AuditAction.values),
            OpenApiParameter("since", str, description="YYYY-MM-DD or an ISO 8601 date-time"),
            OpenApiParameter("until", str, description="YYYY-MM-DD or an ISO 8601 date-time"),
            OpenApiParameter("break_glass", bool, description="Only emergency access (or not)"),
            OpenApiParameter("outcome", str, description="An outcome code"),
        ]
    )
    def get(self, request: Request) -> Response:
        # The page's parser with the API's fields: no name or MRN, which would travel in the URL.
        form = AuditApiFilterForm(request.query_params)
        filters = form.selector_filters()
        if filters is None:
            raise ValidationError(
                {
                    field: [e["message"] for e in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        page = self.paginate_queryset(audit_event_list(**filters))
        audit_patients_shown(
            actor=request.user,
            patient_ids=[e.patient_id for e in page],
            object_type="audit-report",
        )
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)
