"""Sealing and checking the audit hash chain.

Writers only INSERT audit events; `audit_seal` chains them afterwards (migration 0015,
`intake_audit_seal`): right after each response (intake.middleware), at the end of the
management commands that write, and before a checkpoint. Sealers never wait on each other."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

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
            n = cursor.fetchone()[0]
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
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    with connection.cursor() as cursor:
        # Events wait for the sealer for a moment after their commit, never for long.
        cursor.execute(
            "SELECT id FROM intake_auditevent WHERE chain_seq IS NULL "
            "AND at < clock_timestamp() - make_interval(secs => %s) ORDER BY id LIMIT 1",
            [settings.AUDIT_SEAL_MAX_SECONDS],
        )
        row = cursor.fetchone()
        if row:
            return ChainReport(
                False,
                0,
                "",
                row[0],
                f"was left unsealed for more than {settings.AUDIT_SEAL_MAX_SECONDS} seconds",
            )
        last_seq = 0
        while True:
            cursor.execute(
                "SELECT id, chain_seq, prev_hash, hash, intake_auditevent_canonical(e) "
                "FROM intake_auditevent e WHERE chain_seq > %s ORDER BY chain_seq LIMIT %s",
                [last_seq, batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            for event_id, seq, stored_prev, stored_hash, canonical in rows:
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
            last_seq = rows[-1][1]
        cursor.execute("SELECT seq, head FROM intake_auditchain WHERE id = 1")
        head_seq, head = cursor.fetchone()
    if head_seq != checked or head != prev_hash:
        return ChainReport(
            False,
            checked,
            prev_hash,
            None,
            f"the chain head is at position {head_seq} but the log ends at {checked}: "
            "events were removed from the end",
        )
    return ChainReport(True, checked, prev_hash)
