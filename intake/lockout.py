"""Sign-in lockout that cannot be turned against others (docs/security.md).

Three tiers, each counted from django-axes' failure log (one row per failed sign-in, page, API
or signing re-authentication alike):

1. the pair (account, client address): AXES_FAILURE_LIMIT failures lock that account from that
   address for AXES_COOLOFF_TIME (axes itself, AXES_LOCKOUT_PARAMETERS). A colleague behind the
   same clinic NAT, or the owner at home, is not affected;
2. the account everywhere: LOCKOUT_ACCOUNT_FAILURES failures across addresses within
   LOCKOUT_ACCOUNT_HOURS (counted since the account's last successful sign-in and the last
   unlock). It stays locked until a clinic administrator unlocks it (`/staff/lockouts/`);
3. the address: LOCKOUT_ADDRESS_FAILURES failures for any accounts within the last hour
   throttle that address, so one machine cannot spray passwords across every account.

What a locked-out sign-in gets: JSON for the API, the lockout page for browsers. Neither echoes
the username back, and neither says whether the account exists."""

from __future__ import annotations

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from intake.request_context import client_address

MESSAGE = "Too many failed sign-ins; this account is locked for now. Try again later."
ACCOUNT_MESSAGE = (
    "Too many failed sign-ins; this account is locked. A clinic administrator can unlock it."
)
UNLOCK_CHANGE = "lockout-cleared"


def _account_window_start(username: str) -> datetime.datetime:
    """Failures before the last successful sign-in or the last unlock do not count."""
    from intake.models import AuditEvent

    start = timezone.now() - datetime.timedelta(hours=settings.LOCKOUT_ACCOUNT_HOURS)
    user = get_user_model().objects.filter(username=username).only("id", "last_login").first()
    if user is None:
        return start
    if user.last_login and user.last_login > start:
        start = user.last_login
    unlocked = (
        AuditEvent.objects.filter(
            object_type="staff-account", object_id=str(user.pk), detail__change=UNLOCK_CHANGE
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if unlocked and unlocked > start:
        start = unlocked
    return start


def account_failures(username: str) -> int:
    if not username:
        return 0
    since = _account_window_start(username)
    return AccessFailureLog.objects.filter(username=username, attempt_time__gt=since).count()


def account_locked(username: str) -> bool:
    return account_failures(username) >= settings.LOCKOUT_ACCOUNT_FAILURES


def address_throttled(address: str | None) -> bool:
    if not address:
        return False
    since = timezone.now() - datetime.timedelta(hours=1)
    return (
        AccessFailureLog.objects.filter(ip_address=address, attempt_time__gt=since).count()
        >= settings.LOCKOUT_ADDRESS_FAILURES
    )


class ClinicLockoutHandler(AxesDatabaseHandler):
    """Axes' pair lockout, plus the account-wide and address tiers."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials) or ""
        return account_locked(username) or address_throttled(client_address(request))


def locked_accounts() -> list:
    """Accounts locked as a whole (tier 2), for the clinic administrators' unlock page. One
    grouped query finds the names with enough failures in the whole window; only those (few)
    are checked against their own window (last sign-in, last unlock)."""
    since = timezone.now() - datetime.timedelta(hours=settings.LOCKOUT_ACCOUNT_HOURS)
    candidates = (
        AccessFailureLog.objects.filter(attempt_time__gt=since)
        .exclude(username="")
        .values("username")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.LOCKOUT_ACCOUNT_FAILURES)
        .values_list("username", flat=True)
    )
    users = get_user_model().objects.filter(username__in=list(candidates)).order_by("username")
    locked = []
    for user in users:
        user.lockout_failures = account_failures(user.username)
        if user.lockout_failures >= settings.LOCKOUT_ACCOUNT_FAILURES:
            locked.append(user)
    return locked


@transaction.atomic
def lockout_clear(*, actor, user) -> None:
    """A clinic administrator unlocks an account: the failures so far stop counting, for the
    account as a whole and for every address; audited."""
    from intake.services.staff import staff_account_audit

    AccessAttempt.objects.filter(username=user.get_username()).delete()
    staff_account_audit(actor=actor, user=user, change=UNLOCK_CHANGE)


def lockout_message(username: str) -> str:
    return ACCOUNT_MESSAGE if account_locked(username) else MESSAGE


def lockout_response(request, original_response=None, credentials=None):
    message = lockout_message(get_client_username(request, credentials) or "")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    return render(request, "registration/locked_out.html", {"message": message}, status=403)
