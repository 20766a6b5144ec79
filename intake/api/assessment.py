from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from intake.access import Perm
from intake.api.common import PatientListView, patient_for_write, validated
from intake.api.fields import StrictCharField
from intake.models import Assessment, Diagnosis, InstrumentCode, Patient, Remission
from intake.selectors.assessment import assessment_get, assessment_list, diagnosis_list
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
            "source",
            "safety_assessed_at",
        ]


class AssessmentInput(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=InstrumentCode.choices)
    answers = serializers.DictField(child=serializers.JSONField(), allow_empty=True)
    administered_at = serializers.DateTimeField(required=False)
    item_notes = serializers.DictField(child=StrictCharField(allow_blank=True), required=False)
    recommended_level = StrictCharField(required=False, allow_blank=True)


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("instrument", str, description="An instrument code")]
    )
)
class AssessmentListView(PatientListView):
    access_perms = {"GET": Perm.ASSESSMENT_VIEW, "POST": Perm.ASSESSMENT_RECORD}
    serializer_class = AssessmentSerializer
    list_object_type = "assessment-list"

    def rows(self, patient: Patient) -> QuerySet[Assessment]:
        instrument = self.request.query_params.get("instrument") or ""
        return assessment_list(patient=patient, instrument=instrument)

    @extend_schema(request=AssessmentInput, responses={201: AssessmentSerializer})
    def post(self, request, patient_id):
        patient = patient_for_write(
            request, patient_id, Perm.ASSESSMENT_RECORD, object_type="assessment"
        )
        values = validated(AssessmentInput, request)
        assessment = assessment_record(
            actor=request.user,
            patient=patient,
            instrument=values["instrument"],
            answers=values["answers"],
            administered_at=values.get("administered_at"),
            item_notes=values.get("item_notes"),
            recommended_level=values.get("recommended_level", ""),
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


class DiagnosisListView(PatientListView):
    access_perms = {"GET": Perm.DIAGNOSIS_VIEW, "POST": Perm.DIAGNOSIS_RECORD}
    serializer_class = DiagnosisSerializer

    list_object_type = "diagnosis-list"

    def rows(self, patient: Patient) -> QuerySet[Diagnosis]:
        return diagnosis_list(patient=patient)

    @extend_schema(request=DiagnosisInput, responses={201: DiagnosisSerializer})
    def post(self, request, patient_id):
        patient = patient_for_write(
            request, patient_id, Perm.DIAGNOSIS_RECORD, object_type="diagnosis"
        )
        values = dict(validated(DiagnosisInput, request))
        assessment = assessment_get(patient=patient, assessment_id=values.pop("assessment"))
        if assessment is None:
            raise serializers.ValidationError(
                {"assessment": ["No such assessment of this patient."]}
            )
        diagnosis = diagnosis_record(
            actor=request.user, patient=patient, assessment=assessment, **values
        )
        return Response(DiagnosisSerializer(diagnosis).data, status=status.HTTP_201_CREATED)
