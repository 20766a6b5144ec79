"""Reading emergency-access grants ("break the glass"), for the privacy officer's review."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from intake.models import BreakGlassGrant

# The review page shows at most this many grants.
REVIEW_LIST_LIMIT = 500


def break_glass_grants_to_review(*, show_all: bool = False) -> list[BreakGlassGrant]:
    """Grants to review, oldest first: the unreviewed ones, or every grant with `show_all`.
    One query."""
    grants: QuerySet[BreakGlassGrant] = BreakGlassGrant.objects.select_related(
        "user", "reviewed_by", "ended_by"
    ).order_by("started_at")
    if not show_all:
        grants = grants.filter(reviewed_at__isnull=True)
    return list(grants[:REVIEW_LIST_LIMIT])


def break_glass_grant_get(*, grant_id: uuid.UUID) -> BreakGlassGrant | None:
    """One grant, or None."""
    return BreakGlassGrant.objects.filter(pk=grant_id).first()


def break_glass_unreviewed_count() -> int:
    """How many grants the privacy officer has not reviewed yet (the audit report says)."""
    return BreakGlassGrant.objects.filter(reviewed_at__isnull=True).count()
