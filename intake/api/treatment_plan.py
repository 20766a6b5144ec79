import uuid
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import limits, resolvers
from intake.access import Perm
from intake.api.common import PatientListView, patient_for_write, validated
from intake.api.fields import StrictCharField
from intake.exceptions import StaleVersion
from intake.formulary import MEDICATION_FIELDS
from intake.mar_schedule import line_uid
from intake.models import (
    AsamLevel,
    AuditAction,
    BehavioralSetting,
    DrugCode,
    Frequency,
    Modality,
    Patient,
    PlanBehavioral,
    PlanMedication,
    PlanSetting,
    Target,
    TreatmentPlan,
)
from intake.selectors.treatment_plan import plan_list, review_queue
from intake.services.audit import audit_record_many
from intake.services.treatment_plan import (
    BEHAVIORAL_FIELDS,
    PLAN_FIELDS,
    treatment_plan_amend,
    treatment_plan_approve,
    treatment_plan_create,
    treatment_plan_request_changes,
    treatment_plan_submit,
    treatment_plan_update,
)
from intake.signing import json_ready


class TaperStepSerializer(serializers.Serializer):
    day = serializers.IntegerField(min_value=1, max_value=365)
    dose = serializers.DecimalField(max_digits=8, decimal_places=3, min_value=Decimal("0.001"))


class MedicationSerializer(serializers.ModelSerializer):
    drug = serializers.ChoiceField(choices=DrugCode.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    dose = serializers.DecimalField(max_digits=8, decimal_places=3, min_value=Decimal("0.001"))
    unit = StrictCharField(required=False, allow_blank=True)
    route = StrictCharField(required=False, allow_blank=True)
    taper = TaperStepSerializer(many=True, required=False, max_length=limits.MAX_TAPER_STEPS)

    class Meta:
        model = PlanMedication
        fields = list(MEDICATION_FIELDS)
        extra_kwargs = {"indication": {"required": False}, "end_date": {"required": False}}


class GoalSerializer(serializers.Serializer):
    text = StrictCharField(max_length=500)
    target_date = serializers.DateField(required=False, allow_null=True)


class BehavioralSerializer(serializers.ModelSerializer):
    modality = serializers.ChoiceField(choices=Modality.choices)
    setting = serializers.ChoiceField(choices=BehavioralSetting.choices)
    targets = serializers.ListField(
        child=serializers.ChoiceField(choices=Target.choices),
        allow_empty=False,
        max_length=len(Target.choices),
    )
    goals = GoalSerializer(many=True, required=False, max_length=limits.MAX_GOALS)

    class Meta:
        model = PlanBehavioral
        fields = list(BEHAVIORAL_FIELDS)


class ObjectiveSerializer(serializers.Serializer):
    text = StrictCharField(max_length=500)
    target_date = serializers.DateField(required=False, allow_null=True)


class InterventionSerializer(serializers.Serializer):
    text = StrictCharField(max_length=500)
    responsible = StrictCharField(max_length=150, required=False, allow_blank=True)


class ProblemGoalSerializer(serializers.Serializer):
    text = StrictCharField(max_length=500)
    objectives = ObjectiveSerializer(many=True, required=False, max_length=limits.MAX_OBJECTIVES)
    interventions = InterventionSerializer(
        many=True, required=False, max_length=limits.MAX_OBJECTIVES
    )


class ProblemSerializer(serializers.Serializer):
    code = StrictCharField(max_length=40)
    description = StrictCharField(max_length=500)
    goals = ProblemGoalSerializer(many=True, required=False, max_length=limits.MAX_GOALS)


class WithdrawalMonitoringSerializer(serializers.Serializer):
    """The monitoring schedule of a detox plan; `{}` (or omitted) for none."""

    instrument = serializers.ChoiceField(choices=list(limits.MONITORING_INSTRUMENTS))
    every_hours = serializers.IntegerField(
        min_value=limits.MONITORING_HOURS[0], max_value=limits.MONITORING_HOURS[1]
    )
    notes = StrictCharField(
        max_length=limits.MAX_MONITORING_NOTES, required=False, allow_blank=True
    )
    # The COWS total the first buprenorphine dose waits for
    # (docs/clinical-rules.md#buprenorphine-induction-dose).
    induction_threshold = serializers.IntegerField(
        required=False,
        min_value=limits.INDUCTION_THRESHOLD_RANGE[0],
        max_value=limits.INDUCTION_THRESHOLD_RANGE[1],
    )

    def to_internal_value(self, data):
        if data == {}:
            return {}
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(f"Unknown key(s): {', '.join(unknown)}.")
        return dict(super().to_internal_value(data))


class PlanInputSerializer(serializers.Serializer):
    setting = serializers.ChoiceField(choices=PlanSetting.choices)
    asam_level = serializers.ChoiceField(
        choices=AsamLevel.choices, required=False, allow_blank=True
    )
    medically_supervised_detox = serializers.BooleanField(required=False, default=False)
    hospitalize_for_detox = serializers.BooleanField(required=False, default=False)
    withdrawal_monitoring = WithdrawalMonitoringSerializer(required=False)
    problems = ProblemSerializer(many=True, required=False, max_length=limits.MAX_PROBLEMS)
    review_date = serializers.DateField()
    medications = MedicationSerializer(many=True, required=False, max_length=limits.MAX_MEDICATIONS)
    behavioral = BehavioralSerializer(many=True, required=False, max_length=limits.MAX_BEHAVIORAL)
    revision = serializers.IntegerField(required=False, min_value=1)

    def to_service_data(self) -> dict:
        data = dict(self.validated_data)
        data.pop("revision", None)
        for key in ("problems", "medications", "behavioral"):
            if key in data:
                data[key] = [dict(item) for item in data[key]]
        return data


class PlanMedicationSerializer(MedicationSerializer):
    """A line of a stored plan, with the opaque id the MAR documents doses against."""

    id = serializers.SerializerMethodField()

    class Meta(MedicationSerializer.Meta):
        fields = ["id", *MEDICATION_FIELDS]

    @extend_schema_field(OpenApiTypes.UUID)
    def get_id(self, med: PlanMedication) -> uuid.UUID:
        return line_uid(med.pk)


class PlanSerializer(serializers.ModelSerializer):
    medications = PlanMedicationSerializer(many=True, read_only=True)
    behavioral = BehavioralSerializer(many=True, read_only=True)
    signed_by = StrictCharField(source="signed_by.username", read_only=True, allow_null=True)
    submitted_by = StrictCharField(source="submitted_by.username", read_only=True, allow_null=True)
    patient = serializers.UUIDField(source="patient_id", read_only=True)
    previous = serializers.UUIDField(source="previous_id", read_only=True, allow_null=True)

    class Meta:
        model = TreatmentPlan
        fields = [
            "id",
            "patient",
            "version",
            "revision",
            "status",
            "previous",
            "amendment_reason",
            *PLAN_FIELDS,
            "medications",
            "behavioral",
            "warnings",
            "review_comment",
            "submitted_at",
            "submitted_by",
            "signed_at",
            "signed_by",
            "signed_role",
            "signed_credentials",
            "content_hash",
            "acknowledged_warnings",
            "created_at",
            "updated_at",
        ]


def _service_data(serializer: PlanInputSerializer) -> dict[str, Any]:
    """Problems and goals are stored as JSON: their target dates as text."""
    data = serializer.to_service_data()
    if "problems" in data:
        data["problems"] = json_ready(data["problems"])
    for comp in data.get("behavioral", []):
        comp["goals"] = json_ready(comp.get("goals", []))
    return data


class PlanWarningSerializer(serializers.Serializer):
    code = StrictCharField()
    message = StrictCharField()


class WorkflowResultSerializer(serializers.Serializer):
    """The plan's new status; approve adds the signature, request-changes the comment."""

    id = serializers.UUIDField()
    status = StrictCharField()
    warnings = PlanWarningSerializer(many=True, required=False)
    version = serializers.IntegerField(required=False)
    signed_at = serializers.DateTimeField(required=False)
    content_hash = StrictCharField(required=False)
    review_comment = StrictCharField(required=False)


class SubmitInput(serializers.Serializer):
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Optional: the revision you read; a stale one gets 409.",
    )


# Blank is refused by the rules (400 naming the field), after the plan's state is checked (409):
# the serializers check only that what comes is text.
class RequestChangesInput(serializers.Serializer):
    comment = StrictCharField(
        required=False, allow_blank=True, default="", help_text="What should change (required)."
    )


class AmendInput(serializers.Serializer):
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the plan is amended (required).",
    )


class PatientPlanListView(PatientListView):
    access_perms = {"GET": Perm.PLAN_VIEW, "POST": Perm.PLAN_WRITE}
    serializer_class = PlanSerializer

    list_object_type = "treatment-plan-list"

    def rows(self, patient: Patient) -> QuerySet[TreatmentPlan]:
        return plan_list(patient=patient, with_lines=True)

    @extend_schema(request=PlanInputSerializer, responses={201: PlanSerializer})
    def post(self, request, patient_id):
        patient = patient_for_write(
            request, patient_id, Perm.PLAN_WRITE, object_type="treatment-plan"
        )
        data = PlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = treatment_plan_create(actor=request.user, patient=patient, data=_service_data(data))
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


def plan_for(
    request, plan_id, perm: Perm, *, action=AuditAction.READ, audit_allowed=True
) -> TreatmentPlan:
    """The plan behind a URL, with its patient's access checked (resolvers)."""
    _patient, plan = resolvers.resolve_plan(
        request.user, plan_id, perm, action=action, audit_allowed=audit_allowed
    )
    return plan


def plan_for_write(
    request: Request,
    plan_id: uuid.UUID,
    perm: Perm,
    action: AuditAction,
    body: type[serializers.Serializer],
) -> tuple[TreatmentPlan, dict]:
    """The plan behind a URL checked for a write (the allowed write is audited by the service
    that makes it), and the request body validated by `body`."""
    plan = plan_for(request, plan_id, perm, action=action, audit_allowed=False)
    return plan, validated(body, request)


class PlanDetailView(GenericAPIView):
    access_perms = {"GET": Perm.PLAN_VIEW, "PATCH": Perm.PLAN_WRITE}
    serializer_class = PlanSerializer

    def get(self, request, plan_id):
        return Response(PlanSerializer(plan_for(request, plan_id, Perm.PLAN_VIEW)).data)

    @extend_schema(request=PlanInputSerializer, responses={200: PlanSerializer})
    def patch(self, request, plan_id):
        plan = plan_for(
            request, plan_id, Perm.PLAN_WRITE, action=AuditAction.UPDATE, audit_allowed=False
        )
        data = PlanInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            plan = treatment_plan_update(
                actor=request.user,
                plan=plan,
                data=_service_data(data),
                revision=data.validated_data.get("revision"),
            )
        except StaleVersion as exc:
            return Response(
                {"detail": str(exc), "current": PlanSerializer(exc.current).data},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(PlanSerializer(plan).data)


class PlanSubmitView(APIView):
    access_perm = Perm.PLAN_WRITE

    @extend_schema(request=SubmitInput, responses={200: WorkflowResultSerializer})
    def post(self, request, plan_id):
        plan, values = plan_for_write(
            request, plan_id, Perm.PLAN_WRITE, AuditAction.UPDATE, SubmitInput
        )
        plan = treatment_plan_submit(actor=request.user, plan=plan, revision=values.get("revision"))
        return Response({"id": str(plan.pk), "status": plan.status, "warnings": plan.warnings})


class AckSerializer(serializers.Serializer):
    code = StrictCharField()
    reason = StrictCharField(allow_blank=True)


class ApproveSerializer(serializers.Serializer):
    password = StrictCharField(trim_whitespace=False)
    # A code is digits: a client may send it as a JSON number.
    otp = serializers.CharField(required=False, allow_blank=True)
    acknowledged_warnings = AckSerializer(many=True, required=False)


class PlanApproveView(APIView):
    access_perm = Perm.PLAN_APPROVE

    @extend_schema(request=ApproveSerializer, responses={200: WorkflowResultSerializer})
    def post(self, request, plan_id):
        plan, values = plan_for_write(
            request, plan_id, Perm.PLAN_APPROVE, AuditAction.SIGN, ApproveSerializer
        )
        # Unacknowledged warnings: 400 {"unacknowledged_warnings": [...]} (api/errors.py).
        plan = treatment_plan_approve(
            actor=request.user,
            plan=plan,
            password=values["password"],
            otp=values.get("otp"),
            acknowledged_warnings=values.get("acknowledged_warnings", []),
        )
        return Response(
            {
                "id": str(plan.pk),
                "status": plan.status,
                "version": plan.version,
                "signed_at": plan.signed_at,
                "content_hash": plan.content_hash,
                "warnings": plan.warnings,
            }
        )


class PlanRequestChangesView(APIView):
    access_perm = Perm.PLAN_APPROVE

    @extend_schema(request=RequestChangesInput, responses={200: WorkflowResultSerializer})
    def post(self, request, plan_id):
        plan, values = plan_for_write(
            request, plan_id, Perm.PLAN_APPROVE, AuditAction.UPDATE, RequestChangesInput
        )
        plan = treatment_plan_request_changes(
            actor=request.user, plan=plan, comment=values["comment"]
        )
        return Response(
            {"id": str(plan.pk), "status": plan.status, "review_comment": plan.review_comment}
        )


class PlanAmendView(APIView):
    access_perm = Perm.PLAN_WRITE

    @extend_schema(request=AmendInput, responses={201: PlanSerializer})
    def post(self, request, plan_id):
        plan, values = plan_for_write(
            request, plan_id, Perm.PLAN_WRITE, AuditAction.CREATE, AmendInput
        )
        draft = treatment_plan_amend(actor=request.user, plan=plan, reason=values["reason"])
        return Response(PlanSerializer(draft).data, status=status.HTTP_201_CREATED)


class ReviewQueueView(GenericAPIView):
    """Physicians: submitted plans of their patients, oldest first."""

    access_perm = Perm.REVIEW_QUEUE
    serializer_class = PlanSerializer

    def get(self, request):
        page = self.paginate_queryset(review_queue(user=request.user, with_lines=True))
        # Plans with their medications, per patient: a read of each patient in the page.
        shown = sorted({plan.patient_id for plan in page}, key=str)
        if shown:
            audit_record_many(
                actor=request.user,
                action=AuditAction.READ,
                patients=[Patient(pk=pk) for pk in shown],
                object_type="review-queue",
            )
        return self.get_paginated_response(PlanSerializer(page, many=True).data)
