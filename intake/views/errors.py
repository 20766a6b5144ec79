"""Error pages that say what happened without echoing anything from the request.

Under /api/ the answer is JSON like the API's errors (docs/api.md#errors): a URL no route matches
(`/api/v1/lab-orders/not-an-id/`) is the API's 404 `{"detail": "Not found."}`, not a page."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def body_too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return f"The request is larger than the limit of {limit:.1f} MB; nothing was saved."


def _bad_request_reason(exception) -> str | None:
    """The reasons Django itself refuses a request, in words; never text from the request."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exception, RequestDataTooBig):
        return body_too_large_message()
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return "The request has more fields than the limit; nothing was saved."
    return None


def bad_request(request, exception=None):
    reason = _bad_request_reason(exception)
    if _is_api(request):
        return JsonResponse({"detail": reason or "Bad request; nothing was saved."}, status=400)
    return render(request, "errors/400.html", {"reason": reason}, status=400)


def permission_denied(request, exception=None):
    reason = str(exception) if exception and str(exception) else "Your role does not allow this."
    if _is_api(request):
        return JsonResponse({"detail": reason}, status=403)
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    if _is_api(request):
        from intake.api.errors import NOT_FOUND

        return JsonResponse({"detail": NOT_FOUND}, status=404)
    return render(request, "errors/404.html", _emergency_access_offer(request), status=404)


def _emergency_access_offer(request) -> dict:
    """On a patient URL, a clinician off the care team may ask for emergency access. Offered
    for any id in such a URL, known or not, so the page confirms nothing."""
    from intake import access
    from intake.access import Perm
    from intake.forms.break_glass import BreakGlassForm
    from intake.models import CareTeamMember

    match = getattr(request, "resolver_match", None)
    patient_id = match.kwargs.get("patient_id") if match else None
    user = getattr(request, "user", None)
    if patient_id is None or not access.has_perm(user, Perm.BREAK_GLASS):
        return {}
    if CareTeamMember.objects.filter(
        patient_id=patient_id, user=user, ended_at__isnull=True
    ).exists():
        return {}  # their own patient: the 404 is about something else on the page
    return {
        "emergency_patient_id": patient_id,
        "emergency_form": BreakGlassForm(),
        "break_glass_hours": settings.BREAK_GLASS_HOURS,
    }


def server_error(request):
    """An unexpected error, or the database away (503, intake/db_trouble.py). The API gets
    JSON either way."""
    import sys

    from intake.db_trouble import is_unavailable, unavailable_response

    if is_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if _is_api(request):
        return JsonResponse(
            {"detail": "Something went wrong; nothing was saved. The error was recorded."},
            status=500,
        )
    return render(request, "errors/500.html", status=500)
