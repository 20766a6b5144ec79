from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView

from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.models import AuditAction, AuditEvent, Patient
from intake.selectors.audit import audit_detail_redacted, audit_event_list
from intake.services.audit import audit_patients_shown


class AuditEventSerializer(serializers.ModelSerializer):
    actor = StrictCharField(source="actor_username")
    patient = serializers.UUIDField(source="patient_id", allow_null=True)
    detail = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "role",
            "action",
            "patient",
            "object_type",
            "object_id",
            "outcome",
            "break_glass",
            "ip_address",
            "detail",
        ]

    def get_detail(self, obj) -> dict:
        return audit_detail_redacted(obj.detail)


def _parse_moment(name: str, raw: str):
    """A date (midnight, clinic time) or an ISO 8601 date-time; one without an offset is read
    in the clinic's time zone."""
    try:
        value = parse_datetime(raw) or (
            datetime.combine(parse_date(raw), time.min) if parse_date(raw) else None
        )
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({name: ["Use YYYY-MM-DD or an ISO 8601 date-time."]})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


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
    def get(self, request):
        params = request.query_params
        filters: dict = {}
        if params.get("patient"):
            try:
                filters["patient"] = Patient(
                    pk=serializers.UUIDField().to_internal_value(params["patient"])
                )
            except serializers.ValidationError:
                raise ValidationError({"patient": ["Must be a patient id (UUID)."]}) from None
        if params.get("actor"):
            filters["actor"] = get_user_model().objects.filter(
                username=params["actor"]
            ).first() or get_user_model()(pk=-1)
        if params.get("action"):
            if params["action"] not in AuditAction.values:
                raise ValidationError(
                    {"action": [f"Choose one of {', '.join(AuditAction.values)}."]}
                )
            filters["action"] = params["action"]
        if params.get("since"):
            filters["since"] = _parse_moment("since", params["since"])
        if params.get("until"):
            filters["until"] = _parse_moment("until", params["until"])
        if params.get("break_glass") in ("true", "1"):
            filters["break_glass"] = True
        elif params.get("break_glass") in ("false", "0"):
            filters["break_glass"] = False
        if params.get("outcome"):
            filters["outcome"] = params["outcome"]
        page = self.paginate_queryset(audit_event_list(**filters))
        audit_patients_shown(
            actor=request.user,
            patient_ids=[e.patient_id for e in page],
            object_type="audit-report",
        )
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)
