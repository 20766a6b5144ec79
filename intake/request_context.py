"""The client address of the request being served, for audit rows written deep in services."""

import contextvars
import ipaddress

from django.conf import settings

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)

# The request itself, for the rare service that must reach the sign-in lockout (signing
# re-authentication counts its failures toward the same lockout as the sign-in page).
current_request: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)


def client_address(request) -> str | None:
    """The client's address as the trusted proxies report it: with TRUSTED_PROXY_COUNT = n
    proxies in front of the app, the n-th address from the right of X-Forwarded-For (each proxy
    appends the address it was connected from; anything further left the client could have
    written itself). With no proxies, or a header too short or malformed, REMOTE_ADDR. The one
    answer for the lockout (axes) and the audit log alike."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
