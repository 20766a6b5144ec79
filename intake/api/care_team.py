from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from intake import resolvers
from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.models import AuditAction, CareTeamMember, TeamRole
from intake.selectors.care_team import care_team_current
from intake.services.care_team import care_team_add


class CareTeamMemberSerializer(serializers.ModelSerializer):
    username = StrictCharField(source="user.username")
    name = serializers.SerializerMethodField()
    role = StrictCharField(source="team_role")
    added_at = serializers.DateTimeField(source="created_at")
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = CareTeamMember
        fields = ["id", "username", "name", "role", "added_at", "ended_at", "active"]

    def get_name(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.username


class CareTeamAddSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    role = serializers.ChoiceField(choices=TeamRole.choices)

    def validate_username(self, value):
        try:
            return get_user_model().objects.get(username=value)
        except get_user_model().DoesNotExist:
            raise serializers.ValidationError("No staff member with this username.") from None


class CareTeamView(GenericAPIView):
    access_perms = {"GET": Perm.CARE_TEAM_VIEW, "POST": Perm.CARE_TEAM_MANAGE}
    serializer_class = CareTeamMemberSerializer
    pagination_class = None

    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.CARE_TEAM_VIEW, object_type="care-team"
        )
        members = care_team_current(patient=patient)
        return Response(CareTeamMemberSerializer(members, many=True).data)

    @extend_schema(request=CareTeamAddSerializer, responses={201: CareTeamMemberSerializer})
    def post(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.CARE_TEAM_MANAGE,
            action=AuditAction.CREATE,
            audit_allowed=False,
            object_type="care-team",
        )
        data = CareTeamAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = care_team_add(
            actor=request.user,
            patient=patient,
            user=data.validated_data["username"],
            team_role=data.validated_data["role"],
        )
        return Response(CareTeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)
