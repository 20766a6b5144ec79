"""Group sessions through the API (docs/api.md#group-sessions): running one (the facilitator,
for patients of their care teams), reading its roll (the facilitator and the attendees' care
teams, each seeing by name only their own patients), signing all of its draft notes at once.

A refused roll row is 400 {"attendees": {index: [message]}}, the same words for an unknown
patient and one outside the facilitator's care teams; nothing is stored. The service decides
all of it, for the pages and the API alike."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import resolvers
from intake.access import Perm
from intake.api.common import validated
from intake.api.fields import StrictCharField
from intake.models import AuditAction, GroupSession, Modality
from intake.selectors.group_session import GroupRoll
from intake.services.group_session import (
    MAX_ATTENDEES,
    MAX_DURATION,
    MAX_TITLE,
    Attendee,
    group_session_create,
    group_session_sign,
)


class AttendeeInputSerializer(serializers.Serializer):
    # Any text: an id that is not a patient of the facilitator's care teams is refused by its
    # row, with the same words as an unknown one.
    patient = StrictCharField(max_length=64)
    attended = serializers.BooleanField()
    note = StrictCharField(required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        if isinstance(data, dict) and "attended" in data and not isinstance(data["attended"], bool):
            raise serializers.ValidationError({"attended": ["Send true or false."]})
        return super().to_internal_value(data)


class GroupSessionInputSerializer(serializers.Serializer):
    title = StrictCharField(max_length=MAX_TITLE)
    modality = serializers.ChoiceField(choices=Modality.choices)
    held_on = serializers.DateField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=MAX_DURATION)
    summary = StrictCharField()
    attendees = AttendeeInputSerializer(many=True, allow_empty=False, max_length=MAX_ATTENDEES)


class RollRowSerializer(serializers.Serializer):
    patient = serializers.UUIDField(source="patient_id")
    name = serializers.SerializerMethodField()
    mrn = serializers.CharField(source="patient.mrn")
    attended = serializers.BooleanField()
    note = serializers.UUIDField(source="note_id", allow_null=True)
    note_status = serializers.CharField(allow_null=True)

    def get_name(self, row) -> str:
        return f"{row.patient.given_name} {row.patient.family_name}"


class GroupSessionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    modality = serializers.ChoiceField(choices=Modality.choices)
    held_on = serializers.DateField()
    duration_minutes = serializers.IntegerField()
    summary = serializers.CharField()
    facilitator = serializers.SerializerMethodField()
    attendees = serializers.SerializerMethodField()
    others = serializers.SerializerMethodField(
        help_text="Attendees outside the reader's care teams: counted, not named."
    )
    drafts = serializers.SerializerMethodField(help_text="Notes of the group not yet signed.")

    def _roll(self) -> GroupRoll | None:
        return self.context.get("roll")

    def get_facilitator(self, group: GroupSession) -> str:
        user = group.facilitator
        return user.get_full_name() or user.get_username()

    @extend_schema_field(RollRowSerializer(many=True))
    def get_attendees(self, group: GroupSession) -> list:
        roll = self._roll()
        return RollRowSerializer(roll.rows if roll else [], many=True).data

    def get_others(self, group: GroupSession) -> int:
        roll = self._roll()
        return roll.others if roll else 0

    def get_drafts(self, group: GroupSession) -> int:
        roll = self._roll()
        return roll.drafts if roll else 0


class GroupSessionCreateView(APIView):
    """Run a group: the requester is its facilitator and must be on the care team of every
    patient on the roll. Each attendee present gets a draft session note of kind `group`."""

    access_perms = {"POST": Perm.GROUP_SESSION_RUN}

    @extend_schema(
        operation_id="group_session_create",
        request=GroupSessionInputSerializer,
        responses={201: GroupSessionSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(GroupSessionInputSerializer, request)
        group = group_session_create(
            actor=request.user,
            title=data["title"],
            modality=data["modality"],
            held_on=data["held_on"],
            duration_minutes=data["duration_minutes"],
            summary=data["summary"],
            attendees=[
                Attendee(patient=a["patient"], attended=a["attended"], note=a.get("note", ""))
                for a in data["attendees"]
            ],
        )
        group, roll = resolvers.resolve_group_session(
            request.user, group.pk, Perm.GROUP_SESSION_RUN, audit_allowed=False
        )
        body = GroupSessionSerializer(group, context={"roll": roll}).data
        return Response(body, status=status.HTTP_201_CREATED)


class GroupSessionDetailView(APIView):
    """A group and its roll: the attendees on the reader's care teams by name, the others
    counted (the facilitator, or a clinician on the care team of one of its attendees)."""

    access_perms = {"GET": Perm.SESSION_NOTE_VIEW}

    @extend_schema(operation_id="group_session_retrieve", responses=GroupSessionSerializer)
    def get(self, request: Request, group_id: uuid.UUID) -> Response:
        group, roll = resolvers.resolve_group_session(
            request.user, group_id, Perm.SESSION_NOTE_VIEW
        )
        return Response(GroupSessionSerializer(group, context={"roll": roll}).data)


class GroupSignInputSerializer(serializers.Serializer):
    password = StrictCharField(trim_whitespace=False)
    # A code is digits: a client may send it as a JSON number.
    otp = serializers.CharField(required=False, allow_blank=True)


class GroupSessionSignView(APIView):
    """The facilitator signs every draft note of the group at once (password, then the second
    factor where enrolled); 409 when none is left to sign."""

    access_perms = {"POST": Perm.GROUP_SESSION_RUN}

    @extend_schema(
        operation_id="group_session_sign",
        request=GroupSignInputSerializer,
        responses={
            200: inline_serializer(
                "GroupSessionSigned",
                {
                    "id": serializers.UUIDField(),
                    "signed": serializers.IntegerField(),
                    "signed_at": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request: Request, group_id: uuid.UUID) -> Response:
        group, _roll = resolvers.resolve_group_session(
            request.user,
            group_id,
            Perm.GROUP_SESSION_RUN,
            action=AuditAction.SIGN,
            audit_allowed=False,
        )
        data = validated(GroupSignInputSerializer, request)
        notes = group_session_sign(
            actor=request.user, group=group, password=data["password"], otp=data.get("otp")
        )
        return Response(
            {"id": str(group.pk), "signed": len(notes), "signed_at": notes[0].signed_at}
        )
