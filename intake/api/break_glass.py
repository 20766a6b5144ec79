from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.models import BreakGlassGrant, EmergencyCategory
from intake.services.break_glass import break_glass_open


class BreakGlassSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient_id", read_only=True)

    class Meta:
        model = BreakGlassGrant
        fields = ["id", "patient", "category", "started_at", "expires_at", "extensions"]


class BreakGlassInput(serializers.Serializer):
    reason = StrictCharField(max_length=1000, required=False, allow_blank=True)
    category = serializers.ChoiceField(
        choices=EmergencyCategory.choices, required=False, default=EmergencyCategory.OTHER
    )


class BreakGlassView(GenericAPIView):
    """Emergency access (42 CFR 2.51) for a clinician outside the care team: with a stated
    reason, the chart opens for BREAK_GLASS_HOURS; everything done meanwhile is flagged in the
    audit log and reviewed by a privacy officer. Unknown patient: 404."""

    access_perm = Perm.BREAK_GLASS
    serializer_class = BreakGlassSerializer

    @extend_schema(
        request=BreakGlassInput,
        responses={
            201: OpenApiResponse(BreakGlassSerializer, description="Emergency access granted."),
            200: OpenApiResponse(BreakGlassSerializer, description="An active grant was extended."),
        },
    )
    def post(self, request, patient_id):
        data = BreakGlassInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant, extended = break_glass_open(
            actor=request.user,
            patient_id=patient_id,
            reason=data.validated_data.get("reason", ""),
            category=data.validated_data["category"],
        )
        # A second request during an active grant extends it (200): docs/api.md#emergency-access.
        code = status.HTTP_200_OK if extended else status.HTTP_201_CREATED
        return Response(BreakGlassSerializer(grant).data, status=code)
