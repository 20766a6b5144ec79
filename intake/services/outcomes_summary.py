"""The program outcome summary (docs/clinical-rules.md#outcomes-summary): refreshing its
materialized views (migration 0031) and asking the task queue for a refresh when it is old.

Never refreshed inside a request: a page or API read only enqueues `refresh_outcomes_summary`
(intake/tasks.py) for the worker (`manage.py db_worker`). The views hold figures derived from
patient records, no new record and no PHI leaves PostgreSQL, so a refresh is not an audited
read or write of a patient."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connections
from django.utils import timezone

from intake.selectors.outcomes import DAYS_COVERED, OUD_DRUGS

REFRESH_STATEMENT = "SELECT intake_refresh_outcomes(%s, %s, %s, %s)"

# A refresh still marked running after this long belongs to a worker that died.
RUNNING_FOR_AT_MOST = datetime.timedelta(hours=1)


def refresh_summary(using: str = "default") -> datetime.datetime:
    """Refresh the summary now (the task's body; `manage.py refresh_outcomes --now`); returns
    its new as-of time. The function runs with the views' owner's rights (migration 0031), so
    the application role may call it. Always on the primary: a replica follows."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            REFRESH_STATEMENT,
            [settings.TIME_ZONE, list(OUD_DRUGS), list(DAYS_COVERED), list(DAYS_COVERED.values())],
        )
        row = cursor.fetchone()
    assert row is not None
    refreshed: datetime.datetime = row[0]
    return refreshed


def summary_is_stale(as_of: str | None, now: datetime.datetime | None = None) -> bool:
    """Never refreshed, or refreshed more than OUTCOMES_SUMMARY_MAX_AGE_MINUTES ago."""
    if as_of is None:
        return True
    age = (now or timezone.now()) - datetime.datetime.fromisoformat(as_of)
    return age > datetime.timedelta(minutes=settings.OUTCOMES_SUMMARY_MAX_AGE_MINUTES)


def refresh_pending() -> bool:
    """A refresh is waiting in the database queue or running (on another backend: never)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from intake.tasks import refresh_outcomes_summary

    backend = refresh_outcomes_summary.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    recent = timezone.now() - RUNNING_FOR_AT_MOST
    queued = DBTaskResult.objects.filter(
        backend_name=backend.alias, task_path=refresh_outcomes_summary.module_path
    )
    return (
        queued.filter(status=TaskResultStatus.READY).exists()
        or queued.filter(status=TaskResultStatus.RUNNING, started_at__gte=recent).exists()
    )


def enqueue_refresh() -> str:
    """Put a refresh on the queue; returns the task result's id."""
    from intake.tasks import refresh_outcomes_summary

    return str(refresh_outcomes_summary.enqueue().id)


def request_refresh_if_stale(as_of: str | None) -> bool:
    """After a read of the report: when the summary is stale and no refresh is queued or
    running, enqueue one (cheap: one or two indexed queries, only when stale). True when one
    was enqueued."""
    if not summary_is_stale(as_of) or refresh_pending():
        return False
    enqueue_refresh()
    return True
