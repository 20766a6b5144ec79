"""Writing built rows: binary COPY per table (columns from the models, bench/generate/columns.py),
one transaction per clinic; the audit events staged, then inserted through the hash-chain
trigger; the foreign-key check and the statistics afterwards."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from bench.generate.columns import audit_fields, copy_columns, row_keys
from bench.generate.common import CopyRow
from bench.generate.state import ClinicState
from bench.generate.tables import (
    ADMINISTRATION,
    AUDIT_HASHES,
    AUDIT_MODEL,
    DUE_DOSE,
    MAR_TABLES,
    PLAN_TABLES,
    REPLICA_TABLES,
    STAGE,
)
from intake.mar_schedule import due_dose_uid
from intake.services.audit_chain import audit_seal

AUDIT_BATCH = 150  # events per transaction through the hash-chain trigger
AUDIT_TABLE = AUDIT_MODEL._meta.db_table

_OID_CACHE: dict[str, list[int]] = {}
_REPLICA: dict[str, bool] = {}


def _oids(cursor: CursorWrapper, table: str, columns: Sequence[str]) -> list[int]:
    if table not in _OID_CACHE:
        cursor.execute(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        types = dict(cursor.fetchall())
        _OID_CACHE[table] = [types[c] for c in columns]
    return _OID_CACHE[table]


def copy_rows(cursor: CursorWrapper, table: str, rows: list[CopyRow]) -> int:
    """Binary COPY of built rows (values in the order of copy_columns)."""
    if not rows:
        return 0
    columns = copy_columns(table)
    oids = _oids(cursor, table, columns)
    names = ", ".join(f'"{c}"' for c in columns)
    pg = cursor.cursor  # the psycopg cursor under Django's wrapper
    with pg.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(oids)
        for row in rows:
            copy.write_row(row)
    return len(rows)


def _can_use_replica(cursor: CursorWrapper) -> bool:
    if "ok" not in _REPLICA:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        _REPLICA["ok"] = bool(cursor.fetchone()[0])
    return _REPLICA["ok"]


def write_clinic(state: ClinicState) -> dict[str, int]:
    """One clinic's rows in one transaction; returns the row count per table (the audit events
    counted as intake_auditevent: staged now, chained later by insert_audit_events)."""
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        replica = _can_use_replica(cursor)
        if replica:
            cursor.execute("SET LOCAL session_replication_role = replica")
        for table in REPLICA_TABLES:
            counts[table] = copy_rows(cursor, table, state.rows[table])
        if replica:
            cursor.execute("SET LOCAL session_replication_role = origin")
        # Plans: drafts with their lines (the guard trigger checks each line), then signed.
        for table in PLAN_TABLES:
            counts[table] = copy_rows(cursor, table, state.rows[table])
        if state.plan_status:
            ids, statuses = zip(*state.plan_status, strict=True)
            cursor.execute(
                "UPDATE intake_treatmentplan p SET status = s.status "
                "FROM unnest(%s::uuid[], %s::text[]) AS s(id, status) WHERE p.id = s.id",
                [list(ids), list(statuses)],
            )
        if replica:
            cursor.execute("SET LOCAL session_replication_role = replica")
        resolved = resolve_mar(cursor, state)
        for table in MAR_TABLES:
            counts[table] = copy_rows(cursor, table, resolved.get(table, state.rows[table]))
        counts[AUDIT_TABLE] = copy_rows(cursor, STAGE, state.rows[STAGE])
    return counts


def _line_keys(cursor: CursorWrapper, plans: list[object]) -> dict[tuple[object, int], int]:
    """(plan id, position) -> the serial key of each line of these plans, as written."""
    if not plans:
        return {}
    cursor.execute(
        "SELECT plan_id, position, id FROM intake_planmedication WHERE plan_id = ANY(%s)",
        [plans],
    )
    return {(plan, position): pk for plan, position, pk in cursor.fetchall()}


def resolve_mar(cursor: CursorWrapper, state: ClinicState) -> dict[str, list[CopyRow]]:
    """The MAR rows with their lines' serial keys (built as (plan, position): detox.py) and
    the due dose ids derived from them (intake.mar_schedule.due_dose_uid)."""
    keys = _line_keys(cursor, state.detox_plans)
    out: dict[str, list[CopyRow]] = {}
    for table, id_key in ((ADMINISTRATION, "due_dose_id"), (DUE_DOSE, "id")):
        names = row_keys(table)
        med, due_at, dose_id = (names.index(k) for k in ("medication_id", "due_at", id_key))
        rows = []
        for row in state.rows[table]:
            values = list(row)
            pk = values[med] = keys[row[med]]
            if row[due_at] is not None:
                values[dose_id] = due_dose_uid(pk, row[due_at])
            rows.append(tuple(values))
        out[table] = rows
    return out


def create_stage() -> None:
    """The unlogged staging table: clinic, its event number, then the audit event's columns."""
    columns = ", ".join(f'"{f.column}" {f.db_type(connection)}' for f in audit_fields())
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE UNLOGGED TABLE {STAGE} (clinic integer NOT NULL, rn integer NOT NULL, "
            f"{columns}, PRIMARY KEY (clinic, rn))"
        )


def drop_stage(*, vacuum: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {STAGE}")
        cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} {AUDIT_TABLE}")


def insert_audit_events(clinic: int, count: int, *, vacuum: bool) -> None:
    """One clinic's staged events into intake_auditevent, in time order, through its
    triggers, in small transactions (the chain trigger rewrites its head row once per
    event, and each rewrite costs more the more of them one transaction holds)."""
    columns = ", ".join(f'"{f.column}"' for f in audit_fields())
    hashes = ", ".join(AUDIT_HASHES)
    blanks = ", ".join("''" for _ in AUDIT_HASHES)
    sql = (
        f"INSERT INTO {AUDIT_TABLE} ({columns}, {hashes}) "  # noqa: S608
        f"SELECT {columns}, {blanks} FROM {STAGE} "
        "WHERE clinic = %s AND rn > %s AND rn <= %s ORDER BY rn"
    )
    with connection.cursor() as cursor:
        for start in range(0, count, AUDIT_BATCH):
            with transaction.atomic():
                cursor.execute(sql, [clinic, start, start + AUDIT_BATCH])
            audit_seal()
        cursor.execute(f"DELETE FROM {STAGE} WHERE clinic = %s", [clinic])  # noqa: S608
        if vacuum and clinic % 10 == 9:
            cursor.execute("VACUUM intake_auditchain")


def broken_foreign_keys() -> list[str]:
    """Every foreign key of the intake tables that does not hold (they were loaded without row
    checks), as "table.column -> target: count"."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, "
            "fa.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND c.conrelid::regclass::text LIKE 'intake_%%'"
        )
        broken = []
        for table, column, target, target_column in cursor.fetchall():
            cursor.execute(
                f'SELECT count(*) FROM {table} t WHERE t."{column}" IS NOT NULL AND NOT '  # noqa: S608
                f'EXISTS (SELECT 1 FROM {target} r WHERE r."{target_column}" = t."{column}")'
            )
            (missing,) = cursor.fetchone()
            if missing:
                broken.append(f"{table}.{column} -> {target}: {missing}")
    return broken


def analyze_tables(*, vacuum: bool) -> None:
    """Statistics (and the visibility map, for index-only scans) for the loaded tables, as
    autovacuum would leave them."""
    with connection.cursor() as cursor:
        for table in [*REPLICA_TABLES, *PLAN_TABLES, *MAR_TABLES, "auth_user"]:
            cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} {table}")
