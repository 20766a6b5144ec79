"""Signed checkpoints of the audit chain: what the database owner cannot forge.

The hash chain (migration 0008, services/audit_chain.py) shows a change in the middle of the
log, but whoever can write the table can also rebuild the whole chain, or cut its tail and reset
the head. A checkpoint pins the chain at a position: "position N had head H at time T", signed
with HMAC-SHA256 under AUDIT_CHECKPOINT_KEY, a key that lives in the app's environment and never
in the database. Every checkpoint is stored in the database and written to the log stream; the
operator ships that stream off the machine (docs/security.md). `verify_audit` then checks each
checkpoint it knows (stored ones and lines given to it from the log archive): a signature that
does not verify, a position the log no longer reaches (truncated, or the tail cut), and a
position whose event no longer has the signed head (the log rewritten and re-hashed)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from intake.exceptions import RuleViolation
from intake.models import AuditCheckpoint
from intake.services.audit_chain import GENESIS, audit_seal

logger = logging.getLogger("intake.audit.checkpoint")

_PREFIX = "clinic-intake-audit-checkpoint-v1"
# A number no other advisory lock in the app uses: one process writes the periodic checkpoint.
_LOCK = 0x41554449  # "AUDI"
_next_due = 0.0  # per process: when to look again whether a periodic checkpoint is due


def _key() -> bytes:
    key = getattr(settings, "AUDIT_CHECKPOINT_KEY", "")
    if not key:
        raise RuleViolation("AUDIT_CHECKPOINT_KEY is not set: audit checkpoints cannot be signed.")
    return key.encode()


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _message(chain_seq: int, head: str, at: datetime.datetime) -> bytes:
    return f"{_PREFIX}\x1e{chain_seq}\x1e{head}\x1e{at.isoformat()}".encode()


def checkpoint_signature(key: bytes, chain_seq: int, head: str, at: datetime.datetime) -> str:
    return hmac.new(key, _message(chain_seq, head, at), hashlib.sha256).hexdigest()


def checkpoint_line(checkpoint: AuditCheckpoint) -> str:
    """The line an operator keeps off the machine; `verify_audit --checkpoint` reads it back."""
    return (
        f"{checkpoint.chain_seq}:{checkpoint.head}:{checkpoint.at.isoformat()}:"
        f"{checkpoint.key_id}:{checkpoint.signature}"
    )


def checkpoint_from_line(line: str) -> AuditCheckpoint:
    """Parse a line made by `checkpoint_line` (also found in the log: `checkpoint=<line>`)."""
    text = line.strip().rsplit("checkpoint=", 1)[-1].split()[0] if line.strip() else ""
    try:
        seq, head, rest = text.split(":", 2)
        at, kid, signature = rest.rsplit(":", 2)
        return AuditCheckpoint(
            chain_seq=int(seq),
            head=head,
            at=datetime.datetime.fromisoformat(at),
            key_id=kid,
            signature=signature,
        )
    except ValueError as exc:
        raise RuleViolation(f"Not an audit checkpoint line: {line[:80]!r}") from exc


def _chain_head() -> tuple[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, head FROM intake_auditchain WHERE id = 1")
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


@transaction.atomic
def audit_checkpoint_write() -> AuditCheckpoint:
    """Sign the chain's current head, store it and log it."""
    key = _key()
    audit_seal()
    chain_seq, head = _chain_head()
    at = timezone.now().replace(microsecond=0)
    checkpoint = AuditCheckpoint.objects.create(
        at=at,
        chain_seq=chain_seq,
        head=head,
        key_id=key_id(key),
        signature=checkpoint_signature(key, chain_seq, head, at),
    )
    # Ids and hashes only: nothing here is patient data.
    logger.info("audit checkpoint checkpoint=%s", checkpoint_line(checkpoint))
    return checkpoint


def audit_checkpoint_if_due() -> AuditCheckpoint | None:
    """Write a checkpoint when the last one is older than AUDIT_CHECKPOINT_MINUTES. Called after
    a request's audit events commit; costs nothing until the interval has passed, and only one
    process writes (a try-lock: nobody waits for it)."""
    global _next_due
    minutes = getattr(settings, "AUDIT_CHECKPOINT_MINUTES", 0)
    if (
        not minutes
        or not getattr(settings, "AUDIT_CHECKPOINT_KEY", "")
        or time.monotonic() < _next_due
    ):
        return None
    _next_due = time.monotonic() + 60
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
            if not cursor.fetchone()[0]:
                return None
        last = AuditCheckpoint.objects.order_by("-at").values_list("at", flat=True).first()
        if last is not None and timezone.now() - last < datetime.timedelta(minutes=minutes):
            return None
        return audit_checkpoint_write()


@dataclass(frozen=True)
class CheckpointProblem:
    checkpoint: AuditCheckpoint
    problem: str

    def __str__(self) -> str:
        return (
            f"checkpoint at position {self.checkpoint.chain_seq} "
            f"({self.checkpoint.at.isoformat()}) {self.problem}"
        )


def audit_checkpoints_verify(
    extra: Iterable[AuditCheckpoint] = (),
) -> tuple[int, list[CheckpointProblem]]:
    """Check every stored checkpoint, and `extra` ones read from the log archive, against the
    log as it is now. Returns (checked, problems)."""
    configured = getattr(settings, "AUDIT_CHECKPOINT_KEY", "")
    key = configured.encode() if configured else None
    checkpoints = list(AuditCheckpoint.objects.all()) + list(extra)
    problems: list[CheckpointProblem] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(chain_seq), 0) FROM intake_auditevent")
        log_end = cursor.fetchone()[0]
        for checkpoint in checkpoints:
            if key is None:
                problems.append(
                    CheckpointProblem(
                        checkpoint, "cannot be checked: AUDIT_CHECKPOINT_KEY is not set"
                    )
                )
                continue
            expected = checkpoint_signature(
                key, checkpoint.chain_seq, checkpoint.head, checkpoint.at
            )
            if checkpoint.key_id != key_id(key) or not hmac.compare_digest(
                expected, checkpoint.signature
            ):
                problems.append(
                    CheckpointProblem(checkpoint, "has a signature that does not verify (forged)")
                )
                continue
            if checkpoint.chain_seq == 0:
                continue
            if checkpoint.chain_seq > log_end:
                problems.append(
                    CheckpointProblem(
                        checkpoint,
                        f"is past the end of the log (it ends at position {log_end}): "
                        "events were removed (truncated, or the tail cut)",
                    )
                )
                continue
            cursor.execute(
                "SELECT hash FROM intake_auditevent WHERE chain_seq = %s", [checkpoint.chain_seq]
            )
            row = cursor.fetchone()
            if row is None or row[0] != checkpoint.head:
                problems.append(
                    CheckpointProblem(
                        checkpoint,
                        "no longer matches the log: the events up to it were rewritten",
                    )
                )
    return len(checkpoints), problems
