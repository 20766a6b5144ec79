"""Patient self-report through the API (docs/api.md#patient-self-report): a clinician on the
team issues a link and tablet code for chosen instruments; the answers the patient sends back
wait at the patient's pending assessments until a clinician on the team accepts them (201, an
assessment with `"source": "patient"`) or rejects them with a reason. A second review is 409.

The patient's own page, and the kiosk's JSON POST to it, are not here: they need no staff
sign-in (intake/views/self_report_public.py)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from intake import resolvers
from intake.access import Perm
from intake.api.assessment import AssessmentSerializer
from intake.api.common import PatientListView, patient_for_write, validated
from intake.api.fields import StrictCharField
from intake.models import (
    SELF_REPORT_INSTRUMENTS,
    AuditAction,
    Patient,
    PendingAssessment,
    PendingStatus,
)
from intake.selectors.self_report import pending_assessment_row, pending_assessments
from intake.services.self_report import (
    MAX_REASON,
    pending_assessment_accept,
    pending_assessment_reject,
    self_report_link_issue,
)

_CONFLICT = inline_serializer("SelfReportAlreadyReviewed", {"detail": serializers.CharField()})


class SelfReportLinkInput(serializers.Serializer):
    instruments = serializers.ListField(
        child=StrictCharField(max_length=40),
        allow_empty=True,
        max_length=20,
        help_text=f"Instrument codes among {', '.join(SELF_REPORT_INSTRUMENTS)}.",
    )


class SelfReportLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The patient's page; shown this once.")
    code = serializers.CharField(help_text="The waiting-room tablet code; shown this once.")
    expires_at = serializers.DateTimeField()


class PendingAssessmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    instrument = serializers.ChoiceField(choices=[(c, c) for c in SELF_REPORT_INSTRUMENTS])
    answers = serializers.DictField(child=serializers.CharField())
    submitted_at = serializers.DateTimeField()
    urgent = serializers.BooleanField(help_text="PHQ-9 item 9 above 0 as submitted.")
    status = serializers.ChoiceField(choices=PendingStatus.choices)
    total = serializers.IntegerField(allow_null=True, help_text="What accepting would score.")
    band = serializers.CharField(allow_null=True)
    alerts = serializers.ListField(child=serializers.CharField())
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(allow_null=True)
    rejection_reason = serializers.CharField(allow_blank=True)
    assessment = serializers.UUIDField(allow_null=True)

    def to_representation(self, instance: Any) -> Any:
        row = instance if isinstance(instance, dict) else pending_assessment_row(instance)
        return super().to_representation(row)


class PendingRejectInput(serializers.Serializer):
    reason = StrictCharField(max_length=MAX_REASON, allow_blank=True)


class SelfReportLinkView(GenericAPIView):
    """Issue a one-time self-report link and tablet code for chosen instruments (open
    SELF_REPORT_LINK_HOURS, 24 by default). The token and code are answered this once: only
    their hashes are stored."""

    access_perms = {"POST": Perm.SELF_REPORT_ISSUE}
    serializer_class = SelfReportLinkInput

    @extend_schema(
        operation_id="patient_self_report_link_create",
        request=SelfReportLinkInput,
        responses={201: SelfReportLinkSerializer},
    )
    def post(self, request: Request, patient_id: uuid.UUID) -> Response:
        patient = patient_for_write(
            request, patient_id, Perm.SELF_REPORT_ISSUE, object_type="self-report-link"
        )
        data = validated(SelfReportLinkInput, request)
        issued = self_report_link_issue(
            actor=request.user, patient=patient, instruments=data["instruments"]
        )
        url = request.build_absolute_uri(reverse("intake:self-report-page", args=[issued.token]))
        body = {"url": url, "code": issued.code_display, "expires_at": issued.link.expires_at}
        return Response(SelfReportLinkSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(operation_id="patient_pending_assessments_list"))
class PatientPendingAssessmentsView(PatientListView):
    """A patient's self-report answers: those waiting for review first (urgent first), then
    the reviewed; each with the total, band and alerts accepting would give."""

    access_perms = {"GET": Perm.SELF_REPORT_REVIEW}
    serializer_class = PendingAssessmentSerializer
    list_object_type = "pending-assessment-list"

    def rows(self, patient: Patient) -> QuerySet[PendingAssessment]:
        return pending_assessments(patient=patient)


def _pending(request: Request, pending_id: uuid.UUID) -> PendingAssessment:
    _patient, pending = resolvers.resolve_pending_assessment(
        request.user,
        pending_id,
        Perm.SELF_REPORT_REVIEW,
        action=AuditAction.UPDATE,
        audit_allowed=False,
    )
    return pending


class PendingAssessmentAcceptView(GenericAPIView):
    """Accept the answers into the record: an assessment scored, alerted and trended like a
    clinician's entry, administered when submitted, by the accepting clinician, with
    `"source": "patient"`. Already reviewed: 409."""

    access_perms = {"POST": Perm.SELF_REPORT_REVIEW}
    serializer_class = AssessmentSerializer

    @extend_schema(
        operation_id="pending_assessment_accept",
        request=None,
        responses={201: AssessmentSerializer, 409: _CONFLICT},
    )
    def post(self, request: Request, pending_id: uuid.UUID) -> Response:
        assessment = pending_assessment_accept(
            actor=request.user, pending=_pending(request, pending_id)
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class PendingAssessmentRejectView(GenericAPIView):
    """Keep the answers out of the record, with the reason (required). Already reviewed: 409."""

    access_perms = {"POST": Perm.SELF_REPORT_REVIEW}
    serializer_class = PendingRejectInput

    @extend_schema(
        operation_id="pending_assessment_reject",
        request=PendingRejectInput,
        responses={200: PendingAssessmentSerializer, 409: _CONFLICT},
    )
    def post(self, request: Request, pending_id: uuid.UUID) -> Response:
        pending = _pending(request, pending_id)
        data = validated(PendingRejectInput, request)
        rejected = pending_assessment_reject(
            actor=request.user, pending=pending, reason=data["reason"]
        )
        return Response(PendingAssessmentSerializer(rejected).data)
