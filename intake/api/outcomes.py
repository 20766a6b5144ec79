"""Program outcomes through the API (docs/api.md#outcomes): counts and rates over the episodes
admitted in a period, never a patient. Physicians and clinic administrators."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.access import Perm
from intake.forms.outcomes import OutcomesFilterForm
from intake.models import AuditAction, Program
from intake.selectors.outcomes import outcomes_report
from intake.services.audit import audit_record
from intake.services.outcomes_summary import request_refresh_if_stale


def _rate() -> serializers.FloatField:
    return serializers.FloatField(min_value=0, max_value=1, allow_null=True)


def _count() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0)


def _by_days(name: str, field: Any) -> type[serializers.Serializer]:
    """A serializer with the fields "30", "90", "180" (not Python names)."""
    return type(name, (serializers.Serializer,), {n: field() for n in ("30", "90", "180")})


class _RetentionCountSerializer(serializers.Serializer):
    measured = _count()
    retained = _count()


class _UdsMonthSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM (collection month)")
    rate = _rate()
    specimens = _count()
    negative = _count()


class _ContinuityCountSerializer(serializers.Serializer):
    patients = _count()
    continuous = _count()


class _FirstDoseCountSerializer(serializers.Serializer):
    episodes = _count()


class _Phq9CountSerializer(serializers.Serializer):
    measured = _count()
    response = _count()
    remission = _count()


class _OutcomeCountsSerializer(serializers.Serializer):
    episodes = _count()
    retention = _by_days("OutcomeRetentionCounts", _RetentionCountSerializer)()
    continuity = _ContinuityCountSerializer()
    first_dose = _FirstDoseCountSerializer()
    phq9 = _Phq9CountSerializer()


class OutcomesSerializer(serializers.Serializer):
    patients = serializers.IntegerField(
        min_value=0, allow_null=True, help_text="null while the summary was never refreshed"
    )
    retention = _by_days("OutcomeRetention", _rate)()
    continuity_180 = _rate()
    days_to_first_dose_median = serializers.FloatField(allow_null=True)
    uds_negative_rate = _UdsMonthSerializer(many=True)
    phq9_response = _rate()
    phq9_remission = _rate()
    counts = _OutcomeCountsSerializer(allow_null=True)
    computed_at = serializers.DateTimeField(help_text="When the figures were computed")
    as_of = serializers.DateTimeField(
        allow_null=True,
        help_text="When the summary they come from was refreshed; null: never yet (every "
        "figure null)",
    )


class OutcomesView(APIView):
    """Program outcomes over the episodes admitted in a period (docs/api.md#outcomes): retention
    at 30, 90 and 180 days, continuity of pharmacotherapy, median days to the first dose, the
    valid urine screens negative for unprescribed opioids by month, PHQ-9 response and remission;
    with the counts behind each rate. Aggregates only, from the summary as of `as_of`
    (docs/clinical-rules.md#outcomes-summary). A malformed filter is a 400 naming it."""

    access_perm = Perm.OUTCOMES_VIEW

    @extend_schema(
        operation_id="outcomes",
        parameters=[
            OpenApiParameter("program", str, enum=Program.values),
            OpenApiParameter("admitted_from", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("admitted_to", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter(
                "clinician", int, description="A staff user id on the patients' care teams"
            ),
        ],
        responses={200: OutcomesSerializer},
    )
    def get(self, request: Request) -> Response:
        form = OutcomesFilterForm(request.query_params)
        filters = form.outcome_filters()
        if filters is None:
            raise ValidationError(
                {
                    field: [e["message"] for e in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        report = outcomes_report(filters=filters)
        audit_record(
            actor=request.user,
            action=AuditAction.READ,
            object_type="outcomes-report",
            detail={"filters": form.used_filters()},
        )
        request_refresh_if_stale(report["as_of"])
        return Response(report)
