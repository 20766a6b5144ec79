from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from intake.access import Perm
from intake.api.common import PatientListView, patient_for_write, validated
from intake.models import Episode, Patient, Program
from intake.selectors.episode import episode_list
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
            "withdrawal_summary",
            "created_at",
        ]


class EpisodeAdmitSerializer(serializers.Serializer):
    program = serializers.ChoiceField(choices=Program.choices)
    admitted_on = serializers.DateField()

    def validate_admitted_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("Admission date cannot be in the future.")
        return value


class EpisodeListView(PatientListView):
    access_perms = {"GET": Perm.EPISODE_VIEW, "POST": Perm.EPISODE_MANAGE}
    serializer_class = EpisodeSerializer

    list_object_type = "episode"

    def rows(self, patient: Patient) -> QuerySet[Episode]:
        return episode_list(patient=patient)

    @extend_schema(request=EpisodeAdmitSerializer, responses={201: EpisodeSerializer})
    def post(self, request, patient_id):
        patient = patient_for_write(request, patient_id, Perm.EPISODE_MANAGE, object_type="episode")
        values = validated(EpisodeAdmitSerializer, request)
        episode = episode_admit(actor=request.user, patient=patient, **values)
        return Response(EpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)
