import logging
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse

from intake import access
from intake.request_context import client_address, client_ip, current_request

logger = logging.getLogger(__name__)


RENEWED_KEY = "_renewed"


def renew_session(request, *, force: bool = False) -> None:
    """Slide the idle timeout forward from now (saved with a new expiry by SessionMiddleware)."""
    now = int(time.time())
    if force or now - request.session.get(RENEWED_KEY, 0) >= settings.SESSION_RENEW_SECONDS:
        request.session[RENEWED_KEY] = now  # marks the session modified


def session_seconds_left(request) -> int | None:
    """Seconds until the signed-in session ends if nothing renews it; counted from its last
    renewal, so never later than the real expiry (None: no session to end)."""
    session = getattr(request, "session", None)
    if session is None or not request.user.is_authenticated:
        return None
    renewed = session.get(RENEWED_KEY) or int(time.time())
    return max(0, renewed + settings.SESSION_COOKIE_AGE - int(time.time()))


class SessionIdleMiddleware:
    """Slides a signed-in session's expiry forward, at most once per SESSION_RENEW_SECONDS,
    for any page or API request except those a page makes by itself (a view marked
    `session_passive`: the draft autosave and the session-status check). Those run while
    nobody need be at the keyboard, so they must not keep the idle timeout (HIPAA automatic
    logoff) from ever ending a session: only a page the person opens or sends, or the
    explicit "Stay signed in" button, counts as activity (docs/drafts.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "session_passive", False):
            return None
        if getattr(request, "session", None) is not None and request.user.is_authenticated:
            renew_session(request)
        return None


class NoStoreMiddleware:
    """Health information must not stay in browser or proxy caches (ONC 170.315(d)(7)).
    Also records the client address for the audit rows written while serving the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(client_address(request))
        request_token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(request_token)
            client_ip.reset(token)
        _after_response()
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response


def _after_response() -> None:
    """After the response is made: chain the audit events the request committed, and the
    periodic signed checkpoint. Nothing waits for either (try-locks); a failure is logged,
    never shown, and the next request or verify_audit picks it up."""
    from intake.services.audit_chain import audit_seal
    from intake.services.audit_checkpoint import audit_checkpoint_if_due

    try:
        audit_seal()
        audit_checkpoint_if_due()
    except Exception:  # noqa: BLE001 - sealing must never cost a clinician a response
        logger.exception("audit sealing or checkpoint failed")


class AccessPolicyMiddleware:
    """Deny by default for pages: a view runs only if it declares its policy with
    `@policy(Perm.X)` or `@public`. API views are checked by DRF's `DeclaredPolicy` against
    the same matrix (tokens are only known once DRF has authenticated the request); the admin
    site checks superuser status itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "access_public", False):
            return None
        if getattr(view_func, "cls", None) is not None:  # a DRF view
            return None
        if (
            getattr(view_func, "admin_site", None) is not None
            or getattr(view_func, "model_admin", None) is not None  # ModelAdmin.get_urls
            or view_func.__module__.startswith("django.contrib.admin")
        ):
            return None
        perm = getattr(view_func, "access_perm", None)
        if perm is None:
            logger.error("view %s declares no access policy; refused", view_func.__qualname__)
            raise PermissionDenied("This page declares no access policy.")
        if not request.user.is_authenticated:
            if getattr(view_func, "access_json", False):
                # A page's own background request (autosave, session check): the page shows
                # "signed out" and keeps what was typed; a redirect would be followed silently.
                return JsonResponse(
                    {"detail": "Your session has ended: sign in again.", "code": "signed-out"},
                    status=401,
                )
            return redirect_to_login(request.get_full_path())
        access.forget_cached(request.user)
        if not access.has_perm(request.user, perm):
            raise PermissionDenied("Your role does not allow this page.")
        return None


class RecordGoneMiddleware:
    """A page whose record vanished between the fetch and the service's row lock (a draft
    discarded by someone else at the same moment) answers the one 404 page, not a 500. The API
    maps the same case in intake/api/errors.py."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import ObjectDoesNotExist

        from intake.views.errors import page_not_found

        if isinstance(exception, ObjectDoesNotExist) and not request.path.startswith("/api/"):
            return page_not_found(request)
        return None
