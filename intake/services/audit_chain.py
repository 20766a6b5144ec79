"""Sealing and checking the audit hash chain.

Writers only INSERT audit events; `audit_seal` chains them afterwards (migration 0015,
`intake_audit_seal`): right after each response (intake.middleware), at the end of the
management commands that write, and before a checkpoint. Sealers never wait on each other."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

logger = logging.getLogger(__name__)

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head: str
    broken_event_id: int | None = None
    problem: str = ""


SEAL_BATCH = 1000


def audit_seal(*, batch: int = SEAL_BATCH) -> int:
    """Chain every event committed so far; returns how many were sealed (0 when another
    process is sealing: it will take these too, or the next call will)."""
    sealed = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT intake_audit_seal(%s)", [batch])
            # intake_audit_seal returns the number of events it chained, never NULL.
            n: int = cursor.fetchone()[0]
        if n <= 0:
            return sealed
        sealed += n
        if n < batch:
            return sealed


def _digest(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256(f"{prev_hash}\x1e{canonical}".encode()).hexdigest()


def audit_chain_verify(*, batch_size: int = 5000) -> ChainReport:
    """Walk the chain in order, recomputing every hash from the row as stored. Reports the
    first event that was changed (its hash no longer matches), removed (a gap in chain_seq or a
    broken link), or added outside the chain, and a chain head that disagrees with the last
    row (removed from the end)."""
    with connection.cursor() as cursor:
        unsealed = _left_unsealed(cursor)
        if unsealed is not None:
            return unsealed
        walked = _walk_chain(cursor, batch_size)
        if not walked.ok:
            return walked
        cursor.execute("SELECT seq, head FROM intake_auditchain WHERE id = 1")
        head_seq, head = cursor.fetchone()
    if head_seq != walked.checked or head != walked.head:
        return ChainReport(
            False,
            walked.checked,
            walked.head,
            None,
            f"the chain head is at position {head_seq} but the log ends at {walked.checked}: "
            "events were removed from the end",
        )
    return walked


def _left_unsealed(cursor: CursorWrapper) -> ChainReport | None:
    """The first event the sealer should have chained by now (events wait for the sealer for a
    moment after their commit, never for long)."""
    cursor.execute(
        "SELECT id FROM intake_auditevent WHERE chain_seq IS NULL "
        "AND at < clock_timestamp() - make_interval(secs => %s) ORDER BY id LIMIT 1",
        [settings.AUDIT_SEAL_MAX_SECONDS],
    )
    row = cursor.fetchone()
    if not row:
        return None
    return ChainReport(
        False,
        0,
        "",
        row[0],
        f"was left unsealed for more than {settings.AUDIT_SEAL_MAX_SECONDS} seconds",
    )


def _chained_events(
    cursor: CursorWrapper, batch_size: int
) -> Iterator[tuple[int, int, str, str, str]]:
    """(id, chain_seq, prev_hash, hash, canonical text) of every chained event in chain order,
    read batch_size rows at a time."""
    last_seq = 0
    while True:
        cursor.execute(
            "SELECT id, chain_seq, prev_hash, hash, intake_auditevent_canonical(e) "
            "FROM intake_auditevent e WHERE chain_seq > %s ORDER BY chain_seq LIMIT %s",
            [last_seq, batch_size],
        )
        rows = cursor.fetchall()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1][1]


def _walk_chain(cursor: CursorWrapper, batch_size: int) -> ChainReport:
    """Check every link from the genesis; ok with the count and last hash, or the first break."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event_id, seq, stored_prev, stored_hash, canonical in _chained_events(cursor, batch_size):
        if seq != expected_seq:
            return ChainReport(
                False,
                checked,
                prev_hash,
                event_id,
                f"follows a gap: chain position {expected_seq} is missing (deleted)",
            )
        if stored_prev != prev_hash:
            return ChainReport(
                False, checked, prev_hash, event_id, "does not link to the event before it"
            )
        if _digest(stored_prev, canonical) != stored_hash:
            return ChainReport(
                False, checked, prev_hash, event_id, "was changed after it was written"
            )
        prev_hash = stored_hash
        expected_seq += 1
        checked += 1
    return ChainReport(True, checked, prev_hash)
