"""The shapes the patient endpoints repeat, written once: fetch-and-check the patient of a
write (resolvers), validate a body, answer a page of one of a patient's lists."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from intake import resolvers
from intake.access import Perm
from intake.models import AuditAction, Patient


def patient_for_write(
    request: Request,
    patient_id: uuid.UUID,
    perm: Perm,
    *,
    object_type: str,
    action: AuditAction = AuditAction.CREATE,
) -> Patient:
    """The patient of a write, access checked; the allowed write is audited by the service
    that makes it, a refusal here (resolvers)."""
    return resolvers.resolve_patient(
        request.user,
        patient_id,
        perm,
        action=action,
        audit_allowed=False,
        object_type=object_type,
    )


def validated(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    """The request body checked by `serializer_class` (400 with each bad field otherwise)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


# A patient's list. GET: a page of `rows(patient)` (a selector's rows) in the view's
# serializer, the patient access checked for the permission the view declares for GET and the
# read audited as `list_object_type` (resolvers). Subclasses name the two. (Comments, not a
# docstring: the schema would repeat a base class's docstring as every endpoint's description.)
class PatientListView(GenericAPIView):
    list_object_type: str = ""

    def rows(self, patient: Patient) -> Iterable[Any]:
        raise NotImplementedError

    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        # No docstring here: the schema describes each endpoint by its own class's docstring.
        perm = getattr(self, "access_perms", {}).get("GET") or self.access_perm
        patient = resolvers.resolve_patient(
            request.user, patient_id, perm, object_type=self.list_object_type
        )
        page = self.paginate_queryset(self.rows(patient))
        return self.get_paginated_response(self.get_serializer_class()(page, many=True).data)


def open_only(request: Request) -> bool:
    """An alert list's `?open=` flag: only unacknowledged alerts unless it says false."""
    return request.query_params.get("open", "true").lower() not in ("false", "0", "no")


SINCE_INVALID = "Give a date (YYYY-MM-DD) or an ISO 8601 datetime."


def since_param(request: Request) -> datetime.datetime | None:
    """A list's `?since=`: a date (midnight in the clinic's zone) or a date-time (naive read in
    the clinic's zone); None when absent. ValueError when it is neither."""
    raw = request.query_params.get("since", "").strip()
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        day = parse_date(raw)
        if day is None:
            raise ValueError
        moment = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
