"""What the builders of one clinic share: the seeded Random, the ids, the rows built so far and
the clinic's audit events (pure Python, no database)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from bench.generate.common import AUDIT_SINCE, EMPTY_JSON, Clinic, Ids, Row, jsonb
from bench.generate.events import Event
from bench.generate.pools import AnswerPool, LabPool
from bench.generate.tables import ALL_TABLES, STAGE

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass
class Context:
    """The whole network's parameters, shared by every clinic's builder (and forked workers)."""

    seed: int
    patients: int
    mrn_start: int
    clinics: list[Clinic]
    answers: AnswerPool
    labs: LabPool


@dataclass(frozen=True)
class Team:
    """A patient's current care team (user ids)."""

    counselor: int
    physician: int
    nurse: int

    def members(self) -> Iterator[tuple[str, int]]:
        yield "counselor", self.counselor
        yield "physician", self.physician
        yield "nurse", self.nurse


class ClinicState:
    """Rows by table, the treatment plans' final statuses, and the audit events, for one clinic."""

    def __init__(self, ctx: Context, clinic: Clinic) -> None:
        self.ctx = ctx
        self.clinic = clinic
        self.rng = random.Random(f"{ctx.seed}/clinic/{clinic.index}")
        self.ids = Ids(ctx.seed, clinic.index)
        self.rows: dict[str, list[Row]] = {table: [] for table in ALL_TABLES}
        self.plan_status: list[tuple[uuid.UUID, str]] = []
        self.ip = ipaddress.ip_address(f"10.{20 + clinic.index // 250}.{clinic.index % 250}.0")
        self.audit_seq = 0
        self.events: list[tuple[dt.datetime, int, Row]] = []
        self.ips: dict[int, IPAddress] = {}

    def ip_for(self, user: int) -> IPAddress:
        ip = self.ips.get(user)
        if ip is None:
            ip = self.ips[user] = self.ip + (user % 200) + 10
        return ip

    @staticmethod
    def audited(at: dt.datetime) -> bool:
        """Whether a write at this time has an audit event (the trail starts at go-live; older
        records were imported from the legacy system)."""
        return at >= AUDIT_SINCE

    def audit(
        self, at: dt.datetime, actor: int, patient_id: uuid.UUID, object_id: object, event: Event
    ) -> None:
        if not self.audited(at):
            return
        action, object_type, detail = event
        self.audit_seq += 1
        self.events.append(
            (
                at,
                self.audit_seq,
                {
                    "at": at,
                    "actor_id": actor,
                    "actor_username": self.clinic.usernames[actor],
                    "role": self.clinic.roles[actor],
                    "action": action,
                    "patient_id": patient_id,
                    "object_type": object_type,
                    "object_id": str(object_id),
                    "ip_address": self.ip_for(actor),
                    "outcome": "allowed",
                    "break_glass": False,
                    "detail": jsonb(detail) if detail else EMPTY_JSON,
                },
            )
        )

    def stage_events(self) -> None:
        """The clinic's audit events in the order they happened, numbered for the chain."""
        self.events.sort(key=lambda event: event[:2])  # by time, then the order they were built
        index = self.clinic.index
        self.rows[STAGE] = [
            {"clinic": index, "rn": rn, **row}
            for rn, (_at, _seq, row) in enumerate(self.events, start=1)
        ]
        self.events = []

    def at_day(self, day: dt.date, hour: float) -> dt.datetime:
        jitter = self.rng.uniform(-0.4, 0.4)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(
            hours=hour + jitter
        )
