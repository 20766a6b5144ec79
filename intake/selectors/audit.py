from __future__ import annotations

from django.db.models import QuerySet

from intake.models import AuditEvent


def audit_event_list(
    *,
    patient=None,
    actor=None,
    action: str = "",
    since=None,
    until=None,
    break_glass: bool | None = None,
    outcome: str = "",
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor", "patient")
    if patient is not None:
        qs = qs.filter(patient=patient)
    if actor is not None:
        qs = qs.filter(actor=actor)
    if action:
        qs = qs.filter(action=action)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    if break_glass is not None:
        qs = qs.filter(break_glass=break_glass)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.order_by("-at", "-id")
