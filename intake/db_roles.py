"""Least-privilege database roles (docs/security.md, "Database roles").

Two roles, never one:

- the **owner** owns every table, runs the migrations and nothing else;
- the **application role** serves requests. It owns nothing, so it cannot ALTER a table,
  disable a trigger or drop one; it has no TRUNCATE anywhere; on the audit tables it may only
  INSERT and SELECT. It is not a superuser and cannot set `session_replication_role`, the other
  way to silence triggers.

`grant_app_role` is idempotent: `manage.py db_roles` runs it after every migration (and
`post_migrate` runs it when the role exists), so a table added by a later migration gets its
grants too. The audit chain's trigger updates the chain head the application role may only
read: it runs as SECURITY DEFINER, with the owner's rights (migration 0013)."""

from __future__ import annotations

from django.db import connection
from psycopg import sql

# Written once, never changed or removed, by the application.
APPEND_ONLY = ("intake_auditevent", "intake_auditcheckpoint")
# Maintained only by the owner (migrations, the chain trigger).
READ_ONLY = ("intake_auditchain", "django_migrations")


def app_role_exists(role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def grant_app_role(role: str, *, password: str | None = None) -> None:
    """Create the application role if needed and give it exactly its rights on this database.
    Run as the owner (a role that owns the tables, or a superuser)."""
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        if not app_role_exists(role):
            cursor.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
                .format(name)
                .as_string(cursor.connection)
            )
        # A role that was once made more powerful by hand is brought back to plain LOGIN.
        cursor.execute(
            sql.SQL("ALTER ROLE {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION")
            .format(name)
            .as_string(cursor.connection)
        )
        if password:
            cursor.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}")
                .format(name, sql.Literal(password))
                .as_string(cursor.connection)
            )
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        db, sch = sql.Identifier(database), sql.Identifier(schema)
        statements = [
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db, name),
            sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(sch, name),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sch, name),
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(sch, name),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                sch, name
            ),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(sch, name),
            sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {} TO {}").format(sch, name),
        ]
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
            " AND relkind = 'r'"
        )
        present = {row[0] for row in cursor.fetchall()}
        for table in (t for t in APPEND_ONLY if t in present):
            statements.append(
                sql.SQL("REVOKE UPDATE, DELETE ON {}.{} FROM {}").format(
                    sch, sql.Identifier(table), name
                )
            )
        for table in (t for t in READ_ONLY if t in present):
            statements.append(
                sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {}.{} FROM {}").format(
                    sch, sql.Identifier(table), name
                )
            )
        for statement in statements:
            cursor.execute(statement.as_string(cursor.connection))


def configured_app_role() -> str:
    """DB_APP_ROLE, or on the embedded server its application role once it was made."""
    import os

    from django.conf import settings

    from clinic.database import EMBEDDED_APP_ROLE, embedded_app_role_marker

    role = os.environ.get("DB_APP_ROLE", "").strip()
    if not role and not os.environ.get("DATABASE_URL", "").strip():
        if embedded_app_role_marker(settings.BASE_DIR / "var").exists():
            role = EMBEDDED_APP_ROLE
    return role


def regrant_after_migrate(sender, using="default", **kwargs) -> None:
    """A migration may add tables: the application role gets its rights on them at once."""
    role = configured_app_role()
    if role and using == "default" and app_role_exists(role):
        grant_app_role(role)
