"""The shapes every patient-list endpoint repeats, written once: fetch-and-check the patient
(resolvers), validate a body, answer a page of a selector's rows."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

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


def patient_page(
    view: GenericAPIView,
    request: Request,
    patient_id: uuid.UUID,
    perm: Perm,
    *,
    object_type: str,
    rows: Callable[[Patient], Iterable[Any]],
) -> Response:
    """A page of one of a patient's lists: the patient access checked and the read audited
    (resolvers), `rows(patient)` the selector's rows, serialized by the view's serializer."""
    patient = resolvers.resolve_patient(request.user, patient_id, perm, object_type=object_type)
    page = view.paginate_queryset(rows(patient))
    return view.get_paginated_response(view.get_serializer_class()(page, many=True).data)
