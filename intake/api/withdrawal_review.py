"""The physician's daily withdrawal review through the API (docs/api.md#withdrawal-reviews):
recording one (physicians on the care team), and a patient's reviews newest first (the team).

A bad decision, outcome or note is 400 naming the field; a patient not in withdrawal management
(or whose withdrawal management was completed) is 409. The service decides all of it, for the
review page and the API alike."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from intake.access import Perm
from intake.api.common import PatientListView, patient_for_write, validated
from intake.api.fields import StrictCharField
from intake.models import Patient, ReviewDecision, WithdrawalOutcome, WithdrawalReview
from intake.selectors.withdrawal_review import withdrawal_reviews
from intake.services.withdrawal_review import withdrawal_review_record
from intake.withdrawal_rules import MAX_NOTE


class WithdrawalReviewSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    # "" unless the review completed or transferred.
    outcome = serializers.ChoiceField(choices=WithdrawalOutcome.choices, allow_blank=True)
    note = serializers.CharField()
    plan = serializers.UUIDField(source="plan_id")
    amendment = serializers.UUIDField(source="amendment_id", allow_null=True)
    episode = serializers.UUIDField(source="episode_id")
    reviewed_at = serializers.DateTimeField()
    reviewed_by = serializers.SerializerMethodField()

    def get_reviewed_by(self, review: WithdrawalReview) -> str | None:
        user = review.created_by
        return (user.get_full_name() or user.get_username()) if user else None


class WithdrawalReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    note = StrictCharField(max_length=MAX_NOTE)
    outcome = serializers.ChoiceField(
        choices=WithdrawalOutcome.choices, required=False, allow_null=True, allow_blank=True
    )


@extend_schema_view(get=extend_schema(operation_id="patient_withdrawal_reviews_list"))
class PatientWithdrawalReviewsView(PatientListView):
    """A patient's daily withdrawal reviews, newest first (the care team); recording one
    (physicians on the care team): continue, amend-plan (the response's `amendment` is the
    amendment draft to edit), complete (with an outcome) or transfer, with a note."""

    access_perms = {"GET": Perm.MAR_VIEW, "POST": Perm.WITHDRAWAL_REVIEW}
    serializer_class = WithdrawalReviewSerializer
    list_object_type = "withdrawal-review"

    def rows(self, patient: Patient) -> QuerySet[WithdrawalReview]:
        return withdrawal_reviews(patient=patient)

    @extend_schema(
        operation_id="patient_withdrawal_review_create",
        request=WithdrawalReviewInputSerializer,
        responses={
            201: WithdrawalReviewSerializer,
            409: inline_serializer(
                "NotInWithdrawalManagement", {"detail": serializers.CharField()}
            ),
        },
    )
    def post(self, request: Request, patient_id: uuid.UUID) -> Response:
        patient = patient_for_write(
            request, patient_id, Perm.WITHDRAWAL_REVIEW, object_type="withdrawal-review"
        )
        data = validated(WithdrawalReviewInputSerializer, request)
        review = withdrawal_review_record(
            actor=request.user,
            patient=patient,
            decision=data["decision"],
            note=data["note"],
            outcome=data.get("outcome") or None,
        )
        return Response(WithdrawalReviewSerializer(review).data, status=status.HTTP_201_CREATED)
