from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from intake.access import Perm
from intake.api.common import PatientListView, patient_for_write, validated
from intake.api.fields import StrictCharField
from intake.models import AuditAction, Disclosure, DisclosureContent, Patient
from intake.selectors.disclosure import disclosure_accounting
from intake.services.disclosure import disclosure_make


class DisclosureSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient_id", read_only=True)
    consent = serializers.UUIDField(source="consent_id", read_only=True)
    disclosed_by = StrictCharField(source="disclosed_by.username", read_only=True)

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "patient",
            "consent",
            "recipient",
            "purpose",
            "content",
            "disclosed_at",
            "disclosed_by",
            "notice",
            "document_sha256",
        ]


class DisclosureWithDocumentSerializer(DisclosureSerializer):
    class Meta(DisclosureSerializer.Meta):
        fields = [*DisclosureSerializer.Meta.fields, "document"]


class DisclosureInput(serializers.Serializer):
    consent = serializers.UUIDField()
    recipient = StrictCharField(max_length=200)
    purpose = StrictCharField(max_length=300)
    content = serializers.ChoiceField(choices=DisclosureContent.choices)


class DisclosureListView(PatientListView):
    """GET: the accounting of disclosures (42 CFR 2.25), last three years, newest first.
    POST: disclose under a consent -> 201 with the document and the §2.32 notice, or 403
    {"detail": reason} when no active consent covers the recipient, purpose and content."""

    access_perms = {"GET": Perm.DISCLOSURE_VIEW, "POST": Perm.DISCLOSURE_MAKE}
    serializer_class = DisclosureSerializer

    list_object_type = "disclosure-accounting"

    def rows(self, patient: Patient) -> QuerySet[Disclosure]:
        return disclosure_accounting(patient=patient)

    @extend_schema(request=DisclosureInput, responses={201: DisclosureWithDocumentSerializer})
    def post(self, request, patient_id):
        patient = patient_for_write(
            request,
            patient_id,
            Perm.DISCLOSURE_MAKE,
            object_type="disclosure",
            action=AuditAction.EXPORT,
        )
        v = validated(DisclosureInput, request)
        disclosure = disclosure_make(
            actor=request.user,
            patient=patient,
            consent_id=v["consent"],
            recipient=v["recipient"],
            purpose=v["purpose"],
            content=v["content"],
        )
        return Response(
            DisclosureWithDocumentSerializer(disclosure).data, status=status.HTTP_201_CREATED
        )
