"""Background tasks (django-tasks, the database backend: settings.TASKS), run by
`manage.py db_worker` beside the server (`make run`)."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_outcomes_summary() -> str:
    """Refresh the program outcome summary (docs/clinical-rules.md#outcomes-summary); its new
    as-of time."""
    from intake.services.outcomes_summary import refresh_summary

    return refresh_summary().isoformat()
