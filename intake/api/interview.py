"""Intake interview endpoints (docs/api.md#intake-interviews): list and start drafts, read and edit
a draft, sign, add addenda. Field names are the model's; substance rows are a nested
`substances` list."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from intake import limits, resolvers
from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.models import (
    AuditAction,
    Episode,
    Interview,
    InterviewAddendum,
    InterviewStatus,
    SubstanceUse,
)
from intake.models.interview import Route
from intake.selectors.interview import interview_get, interview_list
from intake.services.interview import (
    ARRAY_FIELDS,
    CONTENT_FIELDS,
    SUBSTANCE_FIELDS,
    addendum_verify_hash,
    interview_add_addendum,
    interview_create,
    interview_sign,
    interview_update,
    interview_verify_hash,
)


class SubstanceUseSerializer(serializers.ModelSerializer):
    routes = serializers.ListField(
        child=serializers.ChoiceField(choices=Route.choices),
        required=False,
        max_length=len(Route.choices),
    )
    age_first_use = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )

    class Meta:
        model = SubstanceUse
        fields = list(SUBSTANCE_FIELDS)


class AddendumSerializer(serializers.ModelSerializer):
    author = StrictCharField(source="author.username", read_only=True)
    author_name = serializers.SerializerMethodField()
    hash_verified = serializers.SerializerMethodField()

    class Meta:
        model = InterviewAddendum
        fields = [
            "id",
            "interview",
            "author",
            "author_name",
            "reason",
            "text",
            "signed_at",
            "content_hash",
            "hash_verified",
        ]
        read_only_fields = fields

    def get_author_name(self, obj) -> str:
        return obj.author.get_full_name() or obj.author.get_username()

    def get_hash_verified(self, obj) -> bool:
        return addendum_verify_hash(addendum=obj, interview=obj.interview)


class AddendumCreateSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=300)
    text = StrictCharField()


class InterviewSerializer(serializers.ModelSerializer):
    """Output: the interview with its substance rows and addenda."""

    author = StrictCharField(source="author.username", read_only=True)
    author_name = serializers.SerializerMethodField()
    substances = SubstanceUseSerializer(many=True, read_only=True)
    addenda = serializers.SerializerMethodField()
    hash_verified = serializers.SerializerMethodField(
        help_text="Signed: whether the stored content still matches content_hash. Draft: null."
    )

    class Meta:
        model = Interview
        fields = [
            "id",
            "patient",
            "episode",
            "author",
            "author_name",
            "status",
            "revision",
            "signed_at",
            "content_hash",
            "hash_verified",
            *CONTENT_FIELDS,
            "substances",
            "addenda",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_author_name(self, obj) -> str:
        return obj.author.get_full_name() or obj.author.get_username()

    @extend_schema_field(AddendumSerializer(many=True))
    def get_addenda(self, obj) -> list:
        addenda = list(obj.addenda.all())
        for addendum in addenda:
            addendum.interview = obj  # verified against this interview's hash, no query
        return AddendumSerializer(addenda, many=True).data

    def get_hash_verified(self, obj) -> bool | None:
        if obj.status != InterviewStatus.SIGNED:
            return None
        return interview_verify_hash(interview=obj)


class InterviewWriteSerializer(serializers.ModelSerializer):
    """Input for POST (a new draft) and PATCH (a draft, with the `revision` read)."""

    episode = serializers.PrimaryKeyRelatedField(
        queryset=Episode.objects.none(), required=False, allow_null=True
    )
    substances = SubstanceUseSerializer(many=True, required=False, max_length=limits.MAX_SUBSTANCES)
    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="On PATCH, the revision you read: a stale one gets 409 and nothing is saved.",
    )

    class Meta:
        model = Interview
        fields = ["episode", *CONTENT_FIELDS, "substances", "revision"]
        extra_kwargs = {
            "interviewed_on": {"required": False},
            "overdose_count": {"max_value": 999},
            "unsuccessful_quit_attempts": {"max_value": 999},
        }

    def __init__(self, *args, patient=None, require_revision: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the patient's own episodes resolve; any other id is "does not exist" (400).
        if patient is not None:
            self.fields["episode"].queryset = Episode.objects.filter(patient=patient)
        if require_revision:
            self.fields["revision"].required = True
        for name in ARRAY_FIELDS:
            choices = Interview._meta.get_field(name).base_field.choices
            self.fields[name] = serializers.ListField(
                child=serializers.ChoiceField(choices=choices),
                required=False,
                max_length=len(choices),
            )

    def validate_interviewed_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The interview date cannot be in the future.")
        return value

    def split(self) -> tuple[dict, list | None, int | None]:
        data = dict(self.validated_data)
        substances = data.pop("substances", None)
        revision = data.pop("revision", None)
        if substances is not None:
            substances = [dict(row) for row in substances]
        return data, substances, revision


def _interview_for(request, interview_id, perm: Perm, *, action: AuditAction):
    """The interview behind an id, access checked (resolvers)."""
    _patient, interview = resolvers.resolve_interview(
        request.user, interview_id, perm, action=action
    )
    return interview


def _reloaded(interview: Interview) -> Interview:
    return interview_get(patient=interview.patient, interview_id=interview.pk)


class InterviewListView(GenericAPIView):
    access_perms = {"GET": Perm.INTERVIEW_VIEW, "POST": Perm.INTERVIEW_WRITE}
    serializer_class = InterviewSerializer

    @extend_schema(operation_id="interviews_list", responses=InterviewSerializer(many=True))
    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.INTERVIEW_VIEW, object_type="interview"
        )
        page = self.paginate_queryset(interview_list(patient=patient))
        return self.get_paginated_response(InterviewSerializer(page, many=True).data)

    @extend_schema(
        operation_id="interviews_create",
        request=InterviewWriteSerializer,
        responses={201: InterviewSerializer},
    )
    def post(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.INTERVIEW_WRITE,
            action=AuditAction.CREATE,
            audit_allowed=False,
            object_type="interview",
        )
        serializer = InterviewWriteSerializer(data=request.data, patient=patient)
        serializer.is_valid(raise_exception=True)
        data, substances, _revision = serializer.split()
        interview = interview_create(
            actor=request.user, patient=patient, data=data, substances=substances or []
        )
        return Response(
            InterviewSerializer(_reloaded(interview)).data, status=status.HTTP_201_CREATED
        )


class InterviewDetailView(GenericAPIView):
    access_perms = {"GET": Perm.INTERVIEW_VIEW, "PATCH": Perm.INTERVIEW_WRITE}
    serializer_class = InterviewSerializer

    def get(self, request, interview_id):
        interview = _interview_for(
            request, interview_id, Perm.INTERVIEW_VIEW, action=AuditAction.READ
        )
        return Response(InterviewSerializer(interview).data)

    @extend_schema(request=InterviewWriteSerializer, responses=InterviewSerializer)
    def patch(self, request, interview_id):
        interview = _interview_for(
            request, interview_id, Perm.INTERVIEW_WRITE, action=AuditAction.UPDATE
        )
        serializer = InterviewWriteSerializer(
            data=request.data, partial=True, patient=interview.patient, require_revision=True
        )
        serializer.is_valid(raise_exception=True)
        data, substances, revision = serializer.split()
        saved = interview_update(
            actor=request.user,
            interview=interview,
            data=data,
            substances=substances,
            revision=revision,
        )
        return Response(InterviewSerializer(_reloaded(saved)).data)


class InterviewSignSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Optional: the revision you reviewed; a stale one gets 409.",
    )


class InterviewSignView(GenericAPIView):
    access_perms = {"POST": Perm.INTERVIEW_WRITE}
    serializer_class = InterviewSerializer

    @extend_schema(request=InterviewSignSerializer, responses=InterviewSerializer)
    def post(self, request, interview_id):
        interview = _interview_for(
            request, interview_id, Perm.INTERVIEW_WRITE, action=AuditAction.SIGN
        )
        serializer = InterviewSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signed = interview_sign(
            actor=request.user,
            interview=interview,
            revision=serializer.validated_data.get("revision"),
        )
        return Response(InterviewSerializer(_reloaded(signed)).data)


class InterviewAddendumView(GenericAPIView):
    access_perms = {"GET": Perm.INTERVIEW_VIEW, "POST": Perm.INTERVIEW_WRITE}
    serializer_class = AddendumSerializer

    @extend_schema(operation_id="interview_addenda_list")
    def get(self, request, interview_id):
        interview = _interview_for(
            request, interview_id, Perm.INTERVIEW_VIEW, action=AuditAction.READ
        )
        addenda = list(interview.addenda.all())
        for addendum in addenda:
            addendum.interview = interview
        page = self.paginate_queryset(addenda)
        return self.get_paginated_response(AddendumSerializer(page, many=True).data)

    @extend_schema(request=AddendumCreateSerializer, responses={201: AddendumSerializer})
    def post(self, request, interview_id):
        interview = _interview_for(
            request, interview_id, Perm.INTERVIEW_WRITE, action=AuditAction.CREATE
        )
        serializer = AddendumCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        addendum = interview_add_addendum(
            actor=request.user, interview=interview, **serializer.validated_data
        )
        return Response(AddendumSerializer(addendum).data, status=status.HTTP_201_CREATED)
