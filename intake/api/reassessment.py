"""A patient's reassessment schedule through the API (docs/api.md#reassessments): each item of
the active episode's schedule with the date it is (or was) due and its status. A read of the
care team's (Perm.REASSESSMENT_VIEW), audited; an empty list without an active episode."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import reassessment_rules as rules
from intake import resolvers
from intake.access import Perm
from intake.selectors.reassessment import patient_reassessments


class ReassessmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[k.value for k in rules.ReassessmentKind])
    instrument = serializers.ChoiceField(
        choices=list(rules.SCHEDULED_INSTRUMENTS),
        required=False,
        help_text="With kind `instrument` only.",
    )
    due_on = serializers.DateField()
    due_at = serializers.DateTimeField(required=False, help_text="COWS only: the due moment.")
    status = serializers.ChoiceField(choices=[s.value for s in rules.DueStatus])


def reassessment_json(item: rules.DueItem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": item.kind.value,
        "due_on": item.due_on.isoformat(),
        "status": item.status.value,
    }
    if item.instrument:
        data["instrument"] = item.instrument
    if item.due_at is not None:
        data["due_at"] = item.due_at.isoformat()
    return data


class PatientReassessmentsView(APIView):
    """The patient's reassessment schedule: PHQ-9 and GAD-7 (kind `instrument`), COWS during
    the first days of withdrawal management, the urine drug screen (`urine-drug-screen`) and
    the active plan's review (`plan-review`). `status` is `due` on the day due, `overdue`
    from the day after (COWS: once a whole interval passed), `done` while the next is not yet
    due (`due_on` then says when it will be). Empty without an active episode."""

    access_perms = {"GET": Perm.REASSESSMENT_VIEW}

    @extend_schema(
        operation_id="patient_reassessments",
        responses={200: ReassessmentSerializer(many=True)},
    )
    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        patient = resolvers.resolve_patient(
            request.user, patient_id, Perm.REASSESSMENT_VIEW, object_type="reassessment"
        )
        found = patient_reassessments(patient=patient)
        return Response([reassessment_json(item) for item in (found.items if found else [])])
