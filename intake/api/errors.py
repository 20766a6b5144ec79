"""One place that turns the app's exceptions into the status codes of docs/api.md#errors."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from intake.exceptions import (
    InvalidAnswers,
    RecordSigned,
    RuleViolation,
    StaleVersion,
    UnacknowledgedWarnings,
)

# One text for every 404: an unknown record and one outside the care team must read the same,
# whatever the object (a consent's 404 must not say "patient" when the patient is the reason).
NOT_FOUND = "Not found."


def exception_handler(exc, context):
    # A record fetched at the start of the request and gone when the service locked it (a draft
    # discarded by someone else meanwhile) is simply not found any more.
    if isinstance(exc, Http404 | NotFound | ObjectDoesNotExist):
        return Response({"detail": NOT_FOUND}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, StaleVersion):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RecordSigned):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, UnacknowledgedWarnings):
        return Response(
            {"unacknowledged_warnings": exc.warnings}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, InvalidAnswers):
        return Response({"answers": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RuleViolation):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = {
                field: [str(m) for m in errs[0].messages]
                if len(errs) == 1
                else [m for e in errs for m in e.messages]
                for field, errs in exc.error_dict.items()
            }
            body = {("non_field_errors" if k == "__all__" else k): v for k, v in body.items()}
        else:
            body = {"non_field_errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
