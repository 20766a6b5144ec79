from intake import access
from intake.access import Perm


def staff(request):
    user = getattr(request, "user", None)
    role = access.role_of(user)
    return {
        "staff_role": role,
        "nav": {
            "search": access.has_perm(user, Perm.PATIENT_SEARCH),
            "register": access.has_perm(user, Perm.PATIENT_REGISTER),
            "audit": access.has_perm(user, Perm.AUDIT_VIEW),
            "staff": access.has_perm(user, Perm.STAFF_MANAGE),
            "merge": access.has_perm(user, Perm.MERGE_REVIEW),
            "staff_changes": access.has_perm(user, Perm.STAFF_CHANGE_REVIEW),
        },
    }


def session_expiry(request):
    """When the signed-in session will end if idle, for the page's warning (drafts.js)."""
    from django.conf import settings

    from intake.middleware import session_seconds_left

    seconds = session_seconds_left(request) if hasattr(request, "user") else None
    if seconds is None:
        return {}
    return {
        "session_seconds_left": seconds,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
