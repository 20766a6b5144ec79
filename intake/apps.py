from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Clinic Intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from intake import signals  # noqa: F401 - connects the sign-in audit receivers
        from intake.db_roles import regrant_after_migrate

        post_migrate.connect(regrant_after_migrate, sender=self, dispatch_uid="intake-db-roles")
        post_migrate.connect(
            refresh_after_migrate, sender=self, dispatch_uid="intake-outcomes-refresh"
        )


def refresh_after_migrate(sender, using="default", **kwargs) -> None:
    """After `migrate`, the outcome summary is refreshed by the worker (a migration may have
    changed what it is made of, and a new database has never had it)."""
    from django.conf import settings
    from django.db import connections

    if not settings.OUTCOMES_REFRESH_AFTER_MIGRATE or using != "default":
        return
    tables = connections[using].introspection.table_names()
    if "django_tasks_database_dbtaskresult" not in tables:
        return
    from intake.services.outcomes_summary import enqueue_refresh, refresh_pending

    if not refresh_pending():
        enqueue_refresh()
