from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from intake import resolvers
from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.models import Assessment, AuditAction, Diagnosis, InstrumentCode, Remission
from intake.services.assessment import assessment_record, diagnosis_record


class AssessmentSerializer(serializers.ModelSerializer):
    administered_by = StrictCharField(source="administered_by.username")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "instrument",
            "version",
            "total",
            "band",
            "alerts",
            "answers",
            "item_notes",
            "recommended_level",
            "details",
            "administered_at",
            "administered_by",
            "safety_assessed_at",
        ]


class AssessmentInput(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=InstrumentCode.choices)
    answers = serializers.DictField(child=serializers.JSONField(), allow_empty=True)
    administered_at = serializers.DateTimeField(required=False)
    item_notes = serializers.DictField(child=StrictCharField(allow_blank=True), required=False)
    recommended_level = StrictCharField(required=False, allow_blank=True)


class AssessmentListView(GenericAPIView):
    access_perms = {"GET": Perm.ASSESSMENT_VIEW, "POST": Perm.ASSESSMENT_RECORD}
    serializer_class = AssessmentSerializer

    @extend_schema(
        parameters=[OpenApiParameter("instrument", str, description="An instrument code")]
    )
    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.ASSESSMENT_VIEW, object_type="assessment-list"
        )
        qs = Assessment.objects.filter(patient=patient).select_related("administered_by")
        if request.query_params.get("instrument"):
            qs = qs.filter(instrument=request.query_params["instrument"])
        page = self.paginate_queryset(qs.order_by("-administered_at"))
        return self.get_paginated_response(AssessmentSerializer(page, many=True).data)

    @extend_schema(request=AssessmentInput, responses={201: AssessmentSerializer})
    def post(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.ASSESSMENT_RECORD,
            action=AuditAction.CREATE,
            audit_allowed=False,
            object_type="assessment",
        )
        data = AssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = assessment_record(
            actor=request.user,
            patient=patient,
            instrument=data.validated_data["instrument"],
            answers=data.validated_data["answers"],
            administered_at=data.validated_data.get("administered_at"),
            item_notes=data.validated_data.get("item_notes"),
            recommended_level=data.validated_data.get("recommended_level", ""),
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class DiagnosisSerializer(serializers.ModelSerializer):
    diagnosed_by = StrictCharField(source="diagnosed_by.username")

    class Meta:
        model = Diagnosis
        fields = [
            "id",
            "assessment",
            "severity",
            "remission",
            "on_maintenance_therapy",
            "controlled_environment",
            "icd10",
            "diagnosed_by",
            "diagnosed_by_license",
            "diagnosed_on",
        ]


class DiagnosisInput(serializers.Serializer):
    assessment = serializers.UUIDField()
    remission = serializers.ChoiceField(choices=Remission.choices, default=Remission.NONE)
    on_maintenance_therapy = serializers.BooleanField(default=False)
    controlled_environment = serializers.BooleanField(default=False)
    diagnosed_on = serializers.DateField(required=False)


class DiagnosisListView(GenericAPIView):
    access_perms = {"GET": Perm.DIAGNOSIS_VIEW, "POST": Perm.DIAGNOSIS_RECORD}
    serializer_class = DiagnosisSerializer

    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.DIAGNOSIS_VIEW, object_type="diagnosis-list"
        )
        qs = Diagnosis.objects.filter(patient=patient).select_related("diagnosed_by")
        page = self.paginate_queryset(qs.order_by("-diagnosed_on", "-created_at"))
        return self.get_paginated_response(DiagnosisSerializer(page, many=True).data)

    @extend_schema(request=DiagnosisInput, responses={201: DiagnosisSerializer})
    def post(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.DIAGNOSIS_RECORD,
            action=AuditAction.CREATE,
            audit_allowed=False,
            object_type="diagnosis",
        )
        data = DiagnosisInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        assessment = Assessment.objects.filter(pk=values.pop("assessment"), patient=patient).first()
        if assessment is None:
            raise serializers.ValidationError(
                {"assessment": ["No such assessment of this patient."]}
            )
        diagnosis = diagnosis_record(
            actor=request.user, patient=patient, assessment=assessment, **values
        )
        return Response(DiagnosisSerializer(diagnosis).data, status=status.HTTP_201_CREATED)
