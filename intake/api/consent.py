from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from intake import resolvers
from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.models import AuditAction, Consent
from intake.services.consent import consent_create, consent_revoke


class ConsentSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient_id", read_only=True)
    status = serializers.SerializerMethodField()
    has_signed_copy = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "patient",
            "disclosing_party",
            "recipient",
            "recipient_is_general_designation",
            "information",
            "content_kinds",
            "purpose",
            "expires_on",
            "expiry_event",
            "right_to_revoke_acknowledged",
            "statements",
            "signed_on",
            "signed_by",
            "has_signed_copy",
            "status",
            "revoked_on",
            "created_at",
        ]
        read_only_fields = ["statements"]

    def get_status(self, obj) -> str:
        return obj.status.value

    def get_has_signed_copy(self, obj) -> bool:
        return bool(obj.signed_copy)


class ConsentInput(serializers.Serializer):
    """Shapes only; every §2.31 element is optional here so that the service can name each
    one that is missing (400 {"field": ["Missing element ..."]})."""

    disclosing_party = StrictCharField(max_length=200, required=False, allow_blank=True)
    recipient = StrictCharField(max_length=200, required=False, allow_blank=True)
    recipient_is_general_designation = serializers.BooleanField(required=False, default=False)
    information = StrictCharField(max_length=4000, required=False, allow_blank=True)
    content_kinds = serializers.ListField(child=StrictCharField(max_length=30), required=False)
    purpose = StrictCharField(max_length=300, required=False, allow_blank=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    expiry_event = StrictCharField(max_length=300, required=False, allow_blank=True)
    # Never required (docs/api.md#consents): the §2.31 statements are our own text, stored with each
    # consent. A client may still send it; false is refused.
    right_to_revoke_acknowledged = serializers.BooleanField(required=False)
    signed_on = serializers.DateField(required=False, allow_null=True)
    signed_by = StrictCharField(max_length=200, required=False, allow_blank=True)
    signed_copy = serializers.FileField(required=False, allow_null=True)


class ConsentListView(GenericAPIView):
    """A patient's consents to disclose (42 CFR 2.31). POST as JSON, or multipart with the
    signed copy (`signed_copy`, PDF/PNG/JPEG, optional)."""

    access_perms = {"GET": Perm.CONSENT_VIEW, "POST": Perm.CONSENT_MANAGE}
    serializer_class = ConsentSerializer

    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.CONSENT_VIEW, object_type="consent-list"
        )
        page = self.paginate_queryset(patient.consents.order_by("-signed_on", "-created_at"))
        return self.get_paginated_response(ConsentSerializer(page, many=True).data)

    @extend_schema(request=ConsentInput, responses={201: ConsentSerializer})
    def post(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.CONSENT_MANAGE,
            action=AuditAction.CREATE,
            audit_allowed=False,
            object_type="consent",
        )
        data = ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        upload = fields.pop("signed_copy", None)
        consent = consent_create(
            actor=request.user, patient=patient, data=fields, signed_copy=upload
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentRevokeInput(serializers.Serializer):
    revoked_on = serializers.DateField(required=False)


class ConsentRevokeView(GenericAPIView):
    """Revoke a consent from `revoked_on` (default today); never retroactive. 409 if already
    revoked."""

    access_perm = Perm.CONSENT_MANAGE
    serializer_class = ConsentSerializer

    @extend_schema(request=ConsentRevokeInput, responses={200: ConsentSerializer})
    def post(self, request, consent_id):
        _patient, consent = resolvers.resolve_consent(
            request.user,
            consent_id,
            Perm.CONSENT_MANAGE,
            action=AuditAction.UPDATE,
            audit_allowed=False,
        )
        data = ConsentRevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consent_revoke(
            actor=request.user,
            consent=consent,
            revoked_on=data.validated_data.get("revoked_on") or timezone.localdate(),
        )
        return Response(ConsentSerializer(consent).data)
