import os

from django.conf import settings
from django.core.management.base import BaseCommand

from clinic.database import EMBEDDED_APP_ROLE, embedded_app_role_marker
from intake.db_roles import grant_app_role


class Command(BaseCommand):
    help = (
        "As the owner of the tables (run after every migrate): create the application role if "
        "needed and give it exactly its rights: data access without TRUNCATE, INSERT and SELECT "
        "only on the audit tables, nothing it could use to alter a table or silence a trigger."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--role",
            default=os.environ.get("DB_APP_ROLE", "").strip(),
            help="The application role (default DB_APP_ROLE; on the embedded server clinic_app).",
        )
        parser.add_argument(
            "--password-env",
            default="",
            help="Name of an environment variable holding the role's password (set or changed).",
        )

    def handle(self, *args, **options):
        embedded = not os.environ.get("DATABASE_URL", "").strip()
        role = options["role"] or (EMBEDDED_APP_ROLE if embedded else "")
        if not role:
            self.stderr.write("Give --role (or DB_APP_ROLE): the role the app serves as.")
            raise SystemExit(2)
        password = os.environ.get(options["password_env"], "") if options["password_env"] else ""
        grant_app_role(role, password=password or None)
        if embedded:
            embedded_app_role_marker(settings.BASE_DIR / "var").touch()
        self.stdout.write(f"Role {role}: grants applied (no TRUNCATE; audit append-only).")
