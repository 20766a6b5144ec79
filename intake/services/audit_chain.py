"""Checking the audit hash chain that the database builds on insert (migration *_privacy)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connection

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head: str
    broken_event_id: int | None = None
    problem: str = ""


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
        cursor.execute(
            "SELECT id FROM intake_auditevent WHERE chain_seq IS NULL ORDER BY id LIMIT 1"
        )
        row = cursor.fetchone()
        if row:
            return ChainReport(False, 0, "", row[0], "was written outside the chain")
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
