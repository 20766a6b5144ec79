"""One place that turns the app's exceptions into the status codes of docs/api.md#errors."""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from intake.exceptions import (
    AdministrationRefused,
    InvalidAnswers,
    RecordSigned,
    RollRefused,
    RuleViolation,
    StaleVersion,
    UnacknowledgedWarnings,
    messages_by_field,
    refusal_message,
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
        return Response({"detail": refusal_message(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RecordSigned):
        return Response({"detail": refusal_message(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, UnacknowledgedWarnings):
        return Response(
            {"unacknowledged_warnings": exc.warnings}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, AdministrationRefused):
        return Response(
            {"rule": exc.rule, "detail": exc.detail}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, InvalidAnswers):
        return Response({"answers": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RuleViolation):
        return Response({"detail": refusal_message(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, RollRefused):
        return Response({"attendees": exc.positions}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        # The same split by field as a page's form shows (intake/exceptions.py).
        body = {
            ("non_field_errors" if k == NON_FIELD_ERRORS else k): v
            for k, v in messages_by_field(exc).items()
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
