"""What a locked-out sign-in gets: JSON for the API, the lockout page for browsers.
Neither echoes the username back."""

from django.http import JsonResponse
from django.shortcuts import render

MESSAGE = "Too many failed sign-ins; this account is locked for now. Try again later."


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MESSAGE}, status=403)
    return render(request, "registration/locked_out.html", status=403)
