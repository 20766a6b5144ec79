"""Session note endpoints (docs/api.md#session-notes): a patient's notes (group notes too) and new
drafts, a draft's edits, signing, addenda. The API's `plan` is the note's DAP plan text; the
plan whose targets the note worked on is `treatment_plan`. `counseling_notes` is its author's
alone: null for everyone else (docs/clinical-rules.md#counseling-notes)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import resolvers
from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.models import (
    AuditAction,
    Progress,
    SessionKind,
    SessionNote,
    SessionNoteAddendum,
    SessionNoteProgress,
    Target,
)
from intake.selectors.session_note import session_note_get, session_note_list
from intake.services.session_note import (
    DURATION,
    MAX_TEXT,
    session_note_addendum_verify_hash,
    session_note_create,
    session_note_update,
    session_note_verify_hash,
)
from intake.services.session_note_sign import session_note_add_addendum, session_note_sign


class SessionNoteProgressSerializer(serializers.ModelSerializer):
    target = serializers.ChoiceField(choices=Target.choices)
    status = serializers.ChoiceField(choices=Progress.choices)

    class Meta:
        model = SessionNoteProgress
        fields = ["target", "status"]


class SessionNoteAddendumSerializer(serializers.ModelSerializer):
    author = StrictCharField(source="author.username", read_only=True)
    author_name = serializers.SerializerMethodField()
    hash_verified = serializers.SerializerMethodField()

    class Meta:
        model = SessionNoteAddendum
        fields = [
            "id",
            "author",
            "author_name",
            "text",
            "signed_at",
            "signed_role",
            "content_hash",
            "hash_verified",
        ]
        read_only_fields = fields

    def get_author_name(self, obj) -> str:
        return obj.author.get_full_name() or obj.author.get_username()

    def get_hash_verified(self, obj) -> bool:
        return session_note_addendum_verify_hash(addendum=obj, note=obj.note)


class SessionNoteSerializer(serializers.ModelSerializer):
    """Output: the note with its progress rows and addenda."""

    author = StrictCharField(source="author.username", read_only=True)
    author_name = serializers.SerializerMethodField()
    plan = StrictCharField(source="plan_text", read_only=True, help_text="The DAP plan.")
    treatment_plan = serializers.UUIDField(
        source="plan_id",
        read_only=True,
        allow_null=True,
        help_text="The signed plan whose behavioral targets the session worked on.",
    )
    progress = SessionNoteProgressSerializer(many=True, read_only=True)
    addenda = serializers.SerializerMethodField()
    counseling_notes = serializers.SerializerMethodField(
        help_text="The SUD counseling notes: to their author only; null for everyone else."
    )
    hash_verified = serializers.SerializerMethodField(
        help_text="Signed: whether the stored content still matches content_hash. Draft: null."
    )

    class Meta:
        model = SessionNote
        fields = [
            "id",
            "patient",
            "kind",
            "session_date",
            "duration_minutes",
            "data",
            "assessment",
            "plan",
            "treatment_plan",
            "group_session",
            "progress",
            "counseling_notes",
            "author",
            "author_name",
            "status",
            "revision",
            "signed_at",
            "signed_role",
            "content_hash",
            "hash_verified",
            "addenda",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_author_name(self, obj) -> str:
        return obj.author.get_full_name() or obj.author.get_username()

    @extend_schema_field(SessionNoteAddendumSerializer(many=True))
    def get_addenda(self, obj) -> list:
        addenda = list(obj.addenda.all())
        for addendum in addenda:
            addendum.note = obj  # verified against this note's hash, no query
        return SessionNoteAddendumSerializer(addenda, many=True).data

    def get_counseling_notes(self, obj) -> str | None:
        # Set by the selector, for the viewer access.can_view_counseling_notes allows only.
        return getattr(obj, "viewer_counseling_notes", None)

    def get_hash_verified(self, obj) -> bool | None:
        return session_note_verify_hash(note=obj)


class SessionNoteWriteSerializer(serializers.Serializer):
    """Input for POST (a new draft) and PATCH (a draft, with the `revision` read)."""

    kind = serializers.ChoiceField(
        choices=SessionKind.choices,
        help_text="`group` here is a group session documented for this patient alone; the "
        "attendees' notes of a group run here come from `POST /api/v1/group-sessions/`.",
    )
    session_date = serializers.DateField()
    duration_minutes = serializers.IntegerField(min_value=DURATION[0], max_value=DURATION[1])
    data = StrictCharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    assessment = StrictCharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    plan = StrictCharField(
        required=False, allow_blank=True, max_length=MAX_TEXT, source="plan_text"
    )
    progress = SessionNoteProgressSerializer(many=True, required=False, max_length=len(Target))
    counseling_notes = StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=MAX_TEXT,
        help_text="Private SUD counseling notes, kept apart; seen by their author only.",
    )
    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="On PATCH, the revision you read: a stale one gets 409 and nothing is saved.",
    )

    def __init__(self, *args, require_revision: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if require_revision:
            self.fields["revision"].required = True

    def validate_session_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The session date cannot be in the future.")
        return value

    def split(self) -> tuple[dict, list | None, object, int | None]:
        data = dict(self.validated_data)
        progress = data.pop("progress", None)
        counseling = data.pop("counseling_notes", ...)
        revision = data.pop("revision", None)
        if progress is not None:
            progress = [dict(row) for row in progress]
        return data, progress, counseling, revision


class SessionNoteSignSerializer(serializers.Serializer):
    password = StrictCharField(trim_whitespace=False, max_length=256)
    otp = serializers.CharField(required=False, allow_blank=True, max_length=12)


class SessionNoteAddendumCreateSerializer(SessionNoteSignSerializer):
    text = StrictCharField(max_length=MAX_TEXT)


def _note_for(request, note_id, perm: Perm, *, action: AuditAction) -> SessionNote:
    _patient, note = resolvers.resolve_session_note(
        request.user, note_id, perm, action=action, audit_allowed=action == AuditAction.READ
    )
    return note


def _reloaded(request, note: SessionNote) -> SessionNote:
    return session_note_get(patient=note.patient, note_id=note.pk, user=request.user)


class SessionNoteListView(GenericAPIView):
    access_perms = {"GET": Perm.SESSION_NOTE_VIEW, "POST": Perm.SESSION_NOTE_WRITE}
    serializer_class = SessionNoteSerializer

    @extend_schema(operation_id="session_notes_list", responses=SessionNoteSerializer(many=True))
    def get(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.SESSION_NOTE_VIEW, object_type="session-note"
        )
        notes = session_note_list(patient=patient, user=request.user)
        page = self.paginate_queryset(notes)
        return self.get_paginated_response(SessionNoteSerializer(page, many=True).data)

    @extend_schema(
        operation_id="session_notes_create",
        request=SessionNoteWriteSerializer,
        responses={201: SessionNoteSerializer},
    )
    def post(self, request, patient_id):
        patient = resolvers.resolve_patient(
            request.user,
            patient_id,
            Perm.SESSION_NOTE_WRITE,
            action=AuditAction.CREATE,
            audit_allowed=False,
            object_type="session-note",
        )
        serializer = SessionNoteWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, progress, counseling, _revision = serializer.split()
        note = session_note_create(
            actor=request.user,
            patient=patient,
            data=data,
            progress=progress or [],
            counseling_notes=None if counseling is ... else counseling,
        )
        return Response(
            SessionNoteSerializer(_reloaded(request, note)).data, status=status.HTTP_201_CREATED
        )


class SessionNoteDetailView(APIView):
    access_perms = {"GET": Perm.SESSION_NOTE_VIEW, "PATCH": Perm.SESSION_NOTE_WRITE}

    @extend_schema(operation_id="session_notes_retrieve", responses=SessionNoteSerializer)
    def get(self, request, session_note_id):
        note = _note_for(request, session_note_id, Perm.SESSION_NOTE_VIEW, action=AuditAction.READ)
        return Response(SessionNoteSerializer(note).data)

    @extend_schema(
        operation_id="session_notes_update",
        request=SessionNoteWriteSerializer,
        responses=SessionNoteSerializer,
    )
    def patch(self, request, session_note_id):
        note = _note_for(
            request, session_note_id, Perm.SESSION_NOTE_WRITE, action=AuditAction.UPDATE
        )
        serializer = SessionNoteWriteSerializer(
            data=request.data, partial=True, require_revision=True
        )
        serializer.is_valid(raise_exception=True)
        data, progress, counseling, revision = serializer.split()
        saved = session_note_update(
            actor=request.user,
            note=note,
            data=data,
            revision=revision,
            progress=progress,
            counseling_notes=counseling,
        )
        return Response(SessionNoteSerializer(_reloaded(request, saved)).data)


class SessionNoteSignView(APIView):
    access_perms = {"POST": Perm.SESSION_NOTE_WRITE}

    @extend_schema(
        operation_id="session_notes_sign",
        request=SessionNoteSignSerializer,
        responses=SessionNoteSerializer,
    )
    def post(self, request, session_note_id):
        note = _note_for(request, session_note_id, Perm.SESSION_NOTE_WRITE, action=AuditAction.SIGN)
        serializer = SessionNoteSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signed = session_note_sign(
            actor=request.user,
            note=note,
            password=serializer.validated_data["password"],
            otp=serializer.validated_data.get("otp"),
        )
        return Response(SessionNoteSerializer(_reloaded(request, signed)).data)


class SessionNoteAddendumView(APIView):
    access_perms = {"POST": Perm.SESSION_NOTE_WRITE}

    @extend_schema(
        operation_id="session_notes_addenda_create",
        request=SessionNoteAddendumCreateSerializer,
        responses={201: SessionNoteAddendumSerializer},
    )
    def post(self, request, session_note_id):
        note = _note_for(
            request, session_note_id, Perm.SESSION_NOTE_WRITE, action=AuditAction.CREATE
        )
        serializer = SessionNoteAddendumCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        addendum = session_note_add_addendum(
            actor=request.user,
            note=note,
            text=values["text"],
            password=values["password"],
            otp=values.get("otp"),
        )
        addendum.note = note
        return Response(
            SessionNoteAddendumSerializer(addendum).data, status=status.HTTP_201_CREATED
        )
