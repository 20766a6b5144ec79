"""Helpers for tests that play the database owner: the one party the row triggers do not stop
(docs/security.md). Tests use it to tamper with a signed record, as an attacker with the owner's
password could, and check that the hashes and the audit chain still tell."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def as_table_owner(*tables: str):
    """Silence the triggers of `tables` for the block (a superuser's session_replication_role),
    inside the test's transaction. `tables` documents which guards the test steps around."""
    assert tables
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
