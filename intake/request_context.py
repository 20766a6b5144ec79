"""The client address of the request being served, for audit rows written deep in services."""

import contextvars

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)

# The request itself, for the rare service that must reach the sign-in lockout (signing
# re-authentication counts its failures toward the same lockout as the sign-in page).
current_request: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)
