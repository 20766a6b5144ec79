"""When the database says "try again" or is not there: retry, then 503, never a traceback.

- A deadlock or serialization failure (SQLSTATE 40P01, 40001) aborts only the transaction that
  lost; the view wrote nothing. `RetryOnConflictMiddleware` runs the view again, up to
  DB_RETRY_ATTEMPTS times with a short random pause, before the client sees anything. Only
  outside a transaction (the app does not use ATOMIC_REQUESTS: each service makes its own), and
  with the request body kept, so a JSON body can be read again.
- Still failing, or PostgreSQL unreachable or restarting: 503 with `Retry-After`, JSON for the
  API, the plain "temporarily unavailable" page otherwise (views/errors.server_error asks
  `unavailable_response`). Django's connection health checks (CONN_HEALTH_CHECKS) reconnect on
  the next request: no restart is needed.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import render

logger = logging.getLogger(__name__)

RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure
UNAVAILABLE = "The database is temporarily unavailable; nothing was saved. Try again shortly."
RETRY_AFTER_SECONDS = 5


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__ or exc.__context__
    return getattr(cause, "sqlstate", None) or getattr(exc, "sqlstate", None)


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, DatabaseError) and _sqlstate(exc) in RETRYABLE_SQLSTATES


def is_unavailable(exc: BaseException | None) -> bool:
    """The database could not be reached or lost the connection (or kept failing on conflicts)."""
    if exc is None:
        return False
    if is_retryable(exc) or isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        state = _sqlstate(exc)
        # Class 08 (connection exception), 57P (operator intervention: shutdown, restart),
        # 53 (insufficient resources), or no state at all (could not connect).
        return state is None or state.startswith(("08", "57P", "53"))
    return False


# Never carried back into a page: credentials (passwords, second-factor codes of the sign-in,
# signing and second-factor pages), and the CSRF token, which the 503 page makes anew.
_NOT_KEPT_WORDS = ("password", "otp", "token", "secret")
_NOT_KEPT_PATHS = ("/accounts/", "/account/", "/admin/")


def _kept_fields(request) -> tuple[list[tuple[str, str]], bool]:
    """What a page's form sent, to send again from the 503 page: (name, value) pairs, and
    whether files were attached (a browser cannot be given a file back)."""
    if request.method != "POST" or request.path.startswith(_NOT_KEPT_PATHS):
        return [], False
    try:
        post, files = request.POST, request.FILES
    except Exception:  # noqa: BLE001 - an unreadable body: nothing to keep, still the 503
        return [], False
    kept = [
        (name, value)
        for name, values in post.lists()
        if not any(word in name.lower() for word in _NOT_KEPT_WORDS)
        for value in values
    ]
    return kept, bool(files)


def unavailable_response(request):
    """503. A page's form that could not be saved comes back as a page holding what was typed
    (hidden fields and a "Send again" button, and the texts shown to copy): the browser's Back
    button cannot bring it back, as pages are never cached (Cache-Control: no-store), and the
    database that keeps drafts is what is missing."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": UNAVAILABLE, "code": "temporarily-unavailable"}, status=503
        )
    else:
        kept, had_files = _kept_fields(request)
        response = render(
            request,
            "errors/503.html",
            {
                "kept_fields": kept,
                # Free text to copy, never the coded answers of choices (they have no spaces).
                "kept_texts": [value for _, value in kept if " " in value.strip()],
                "had_files": had_files,
                "send_again_to": request.get_full_path(),
            },
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class RetryOnConflictMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            # Kept, so a retried view can read it again. Too big or unreadable: Django answers
            # 400 when the view reads it.
            with contextlib.suppress(RequestDataTooBig, RawPostDataException, OSError):
                request.body  # noqa: B018
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_retryable(exception) or connection.in_atomic_block:
            return None
        match = request.resolver_match
        attempts = getattr(settings, "DB_RETRY_ATTEMPTS", 3)
        for attempt in range(1, attempts + 1):
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 - jitter, not crypto
            logger.warning(
                "retrying %s after a database conflict (attempt %d)", match.view_name, attempt
            )
            if hasattr(request, "_body"):
                request._stream = io.BytesIO(request._body)
                request._read_started = False
            try:
                return match.func(request, *match.args, **match.kwargs)
            except DatabaseError as exc:
                if not is_retryable(exc):
                    raise
        logger.error("database conflict persisted after %d retries: 503", attempts)
        return unavailable_response(request)
