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
