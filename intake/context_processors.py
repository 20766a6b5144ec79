from intake import access
from intake.access import Perm
from intake.selectors.worklist_pending import URGENT_ITEMS, worklist_counts


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
            "medication_pass": access.has_perm(user, Perm.MAR_RECORD),
            "run_group": access.has_perm(user, Perm.GROUP_SESSION_RUN),
            "outcomes": access.can_view_outcomes(user),
        },
        # Called by the template only where the top bar is drawn (one query), so pages that
        # never render it pay nothing.
        "worklist_nav": lambda: _worklist_nav(request, user),
    }


def _worklist_nav(request, user) -> dict | None:
    if not access.worklist_items(user):
        return None
    counts = getattr(request, "worklist_counts", None)
    if counts is None:
        counts = worklist_counts(user=user)
        request.worklist_counts = counts
    return {
        "total": sum(counts.values()),
        "urgent": sum(n for item, n in counts.items() if item in URGENT_ITEMS),
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
