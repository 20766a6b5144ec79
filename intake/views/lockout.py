"""Accounts locked as a whole after many failed sign-ins from several addresses
(intake/lockout.py), and the clinic administrator's unlock."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from intake.access import Perm
from intake.lockout import account_locked, locked_accounts, lockout_clear
from intake.views.decorators import policy


@policy(Perm.STAFF_MANAGE)
@require_GET
def lockout_list(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/staff_lockouts.html", {"locked": locked_accounts()})


@policy(Perm.STAFF_MANAGE)
@require_POST
def lockout_clear_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_model().objects.filter(pk=user_id, is_superuser=False).first()
    if user is None or not account_locked(user.get_username()):
        raise Http404("No such locked account.")
    lockout_clear(actor=request.user, user=user)
    messages.success(request, f"{user.get_full_name() or user.get_username()} can sign in again.")
    return redirect("intake:staff-lockouts")
