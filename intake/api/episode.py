from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from intake import resolvers
from intake.access import Perm
from intake.models import AuditAction, Episode, Program
from intake.services.episode import episode_admit


class EpisodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Episode
        fields = [
            "id",
            "program",
            "admitted_on",
            "status",
            "discharged_on",
            "discharge_reason",
            "created_at",
        ]


class EpisodeAdmitSerializer(serializers.Serializer):
    program = serializers.ChoiceField(choices=Program.choices)
    admitted_on = serializers.DateField()

    def validate_admitted_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("Admission date cannot be in the future.")
        return value


class EpisodeListView(GenericAPIView):
    access_perms = {"GET": Perm.EPISODE_VIEW, "POST": Perm.EPISODE_MANAGE}
    serializer_class = EpisodeSerializer

    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.EPISODE_VIEW, object_type="episode"
        )
        page = self.paginate_queryset(patient.episodes.order_by("-admitted_on", "-created_at"))
        return self.get_paginated_response(EpisodeSerializer(page, many=True).data)

    @extend_schema(request=EpisodeAdmitSerializer, responses={201: EpisodeSerializer})
    def post(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.EPISODE_MANAGE,
            action=AuditAction.CREATE,
            audit_allowed=False,
            object_type="episode",
        )
        data = EpisodeAdmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        episode = episode_admit(actor=request.user, patient=patient, **data.validated_data)
        return Response(EpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)
