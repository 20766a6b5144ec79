"""Which database each read goes to (settings.DATABASE_ROUTERS).

Everything reads and writes the default database, except the outcome reports
(intake/selectors/outcomes.py), which read from the "replica" alias where
``DATABASE_REPLICA_URL`` configures one (docs/api.md#outcomes). They choose it explicitly with
`reports_alias()`; the router keeps every other read, every write and every migration on the
default database, so a model query can never wander to the replica."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA_ALIAS = "replica"


def reports_alias() -> str:
    """The database the outcome reports read: the replica when configured, else the default."""
    return REPLICA_ALIAS if REPLICA_ALIAS in settings.DATABASES else DEFAULT_DB_ALIAS


class PrimaryRouter:
    """Model reads and writes on the default database; migrations only there."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: object, obj2: object, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
