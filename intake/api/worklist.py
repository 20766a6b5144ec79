"""The signed-in person's worklist through the API (docs/api.md#worklist): the home page's work,
ids only, most urgent first; the rows come from intake/selectors/worklist_api.py."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from intake.access import Perm
from intake.reassessment_rules import REASSESSMENT_CODES
from intake.selectors.worklist_api import KINDS, Severity, worklist_item, worklist_items
from intake.services.audit import audit_patients_shown


class WorklistItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(KINDS.values()))
    patient = serializers.UUIDField()
    object_type = serializers.CharField()
    object_id = serializers.UUIDField()
    due_at = serializers.DateTimeField(required=False)
    severity = serializers.ChoiceField(choices=[s.value for s in Severity])
    reassessment = serializers.ChoiceField(
        choices=sorted(str(code) for code in REASSESSMENT_CODES),
        required=False,
        help_text="Kind `reassessment-due` only: what is due (an instrument, "
        "`urine-drug-screen` or `plan-review`).",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        # `due_at` only when the work has a deadline (the contract's optional field).
        if data.get("due_at") is None:
            data.pop("due_at", None)
        if data.get("reassessment") is None:
            data.pop("reassessment", None)
        return data


class WorklistView(GenericAPIView):
    """The signed-in person's work: critical results and vital signs, safety follow-ups,
    plans to review or revise, open lab orders and specimens to recollect, doses due, missed
    or held, COWS rising despite doses and reassessments due (docs/api.md#worklist), for their care
    teams' patients only and only the kinds their role acts on; most urgent first (severity
    `critical`, `urgent`, `routine`, then oldest first). A role without a worklist gets an
    empty list."""

    access_perm = Perm.HOME
    serializer_class = WorklistItemSerializer

    def get(self, request: Request) -> Response:
        # A list (the stored kinds' union and the kinds computed from the MAR, in one order).
        page = self.paginate_queryset(worklist_items(request.user)) or []
        items = [worklist_item(row) for row in page]
        # Ids only, but each names a patient with work waiting: a read of each, as the page's.
        audit_patients_shown(
            actor=request.user,
            patient_ids=(item["patient"] for item in items),
            object_type="worklist",
        )
        return self.get_paginated_response(WorklistItemSerializer(items, many=True).data)
