from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from intake import access, resolvers
from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.models import AuditAction, Patient
from intake.models.patient import REGISTRATION_FIELDS
from intake.selectors.patient import patient_list
from intake.services.audit import audit_record_many
from intake.services.patient import (
    patient_possible_duplicates,
    patient_register,
    patient_update,
)

PATIENT_FIELDS = ["id", "mrn", *REGISTRATION_FIELDS, "version", "created_at", "updated_at"]


class PatientSerializer(serializers.ModelSerializer):
    # Clinic administrators get the header fields only (PatientHeaderSerializer).
    schema_always_present = access.PATIENT_HEADER_FIELDS

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="On PATCH, the version you read: a stale one gets 409 and nothing is saved.",
    )

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        read_only_fields = ["id", "mrn", "created_at", "updated_at"]

    def validate_birth_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("Date of birth cannot be in the future.")
        return value


class PatientHeaderSerializer(serializers.ModelSerializer):
    """A patient as a clinic administrator sees one: the registration header only."""

    class Meta:
        model = Patient
        fields = list(access.PATIENT_HEADER_FIELDS)
        read_only_fields = fields


def _output_serializer(user, patient: Patient | None = None):
    """The full record for those who may see demographics; the header for everyone else."""
    if access.can_view_patient_demographics(user, patient):
        return PatientSerializer
    return PatientHeaderSerializer


def _search_response(view: GenericAPIView, request, q: str) -> Response:
    qs = patient_list(user=request.user, q=q)
    page = view.paginate_queryset(qs)
    audit_record_many(
        actor=request.user,
        action=AuditAction.READ,
        patients=page,
        object_type="patient-search-result",
    )
    serializer = _output_serializer(request.user)
    return view.get_paginated_response(serializer(page, many=True).data)


class WarningSerializer(serializers.Serializer):
    code = StrictCharField()
    message = StrictCharField()


class PatientCreatedSerializer(PatientSerializer):
    """The new patient, with `warnings` (a possible duplicate) for the registrar (schema)."""

    warnings = WarningSerializer(many=True, read_only=True)

    class Meta(PatientSerializer.Meta):
        fields = [*PATIENT_FIELDS, "warnings"]


class PatientSearchInput(serializers.Serializer):
    q = StrictCharField(max_length=200, required=False, allow_blank=True, default="")


class PatientSearchView(GenericAPIView):
    """The recommended search: the name travels in the body, so it never reaches a proxy's or
    server's access log as a URL would. Same answer as GET /patients/?q=."""

    access_perms = {"POST": Perm.PATIENT_SEARCH}
    serializer_class = PatientSerializer

    @extend_schema(
        operation_id="patients_search",
        request=PatientSearchInput,
        responses=PatientSerializer(many=True),
    )
    def post(self, request):
        data = PatientSearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _search_response(self, request, data.validated_data["q"])


class PatientListView(GenericAPIView):
    access_perms = {"GET": Perm.PATIENT_SEARCH, "POST": Perm.PATIENT_REGISTER}
    serializer_class = PatientSerializer

    @extend_schema(
        operation_id="patients_list",
        parameters=[OpenApiParameter("q", str, description="Name, date of birth or MRN")],
    )
    def get(self, request):
        return _search_response(self, request, request.query_params.get("q", ""))

    @extend_schema(request=PatientSerializer, responses={201: PatientCreatedSerializer})
    def post(self, request):
        serializer = PatientSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        duplicates, hidden = patient_possible_duplicates(
            actor=request.user,
            given_name=data["given_name"],
            family_name=data["family_name"],
            birth_date=data["birth_date"],
        )
        patient = patient_register(actor=request.user, data=data, hidden_duplicates=hidden)
        body = PatientSerializer(patient).data
        body["warnings"] = (
            [
                {
                    "code": "possible-duplicate",
                    "message": "A patient with the same date of birth and a similar name was "
                    "already registered; check before treating these as different people.",
                }
            ]
            if duplicates
            else []
        )
        return Response(body, status=status.HTTP_201_CREATED)


class PatientDetailView(GenericAPIView):
    access_perms = {"GET": Perm.PATIENT_VIEW, "PATCH": Perm.PATIENT_UPDATE}
    serializer_class = PatientSerializer

    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(request.user, patient_id, Perm.PATIENT_VIEW)
        return Response(_output_serializer(request.user, patient)(patient).data)

    def patch(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.PATIENT_UPDATE,
            action=AuditAction.UPDATE,
            audit_allowed=False,
        )
        serializer = PatientSerializer(patient, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        patient = patient_update(actor=request.user, patient=patient, data=data, version=version)
        return Response(PatientSerializer(patient).data)
