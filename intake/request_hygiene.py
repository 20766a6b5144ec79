"""What no browser or API client following docs/api.md sends is refused before any view runs: a
NUL byte in the query string or in a form field's name or value is a 400 (JSON for the API, the
plain error page otherwise) naming where it was. PostgreSQL cannot store NUL in text, so such a
value used to reach the database and fail there as a 500. JSON bodies are checked by the API's
parser (intake/api/fields.py). A body (other than file uploads) larger than
DATA_UPLOAD_MAX_MEMORY_SIZE is refused the same way, before anything reads it."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse

from intake.views.errors import bad_request, body_too_large_message


def _nul_in(query_dict) -> str | None:
    for key, values in query_dict.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "\\0")
    return None


class RequestHygieneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _body_too_large(request):
            return _refuse(request, body_too_large_message())
        field = _nul_in(request.GET)
        where = "query string"
        if (
            field is None
            and request.method == "POST"
            and request.content_type
            in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
        ):
            field = _nul_in(request.POST)
            where = "form"
        if field is not None:
            return _refuse(request, f"{field}: NUL characters are not allowed ({where}).")
        return self.get_response(request)


def _refuse(request, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return bad_request(request)


def _body_too_large(request) -> bool:
    """Multipart bodies carry files, which have their own limit (CONSENT_UPLOAD_MAX_BYTES);
    Django checks their other fields itself."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit
