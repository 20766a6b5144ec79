"""What the builders of one clinic share: the seeded Random, the ids, the rows built so far and
the clinic's audit events (pure Python, no database)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bench.generate.columns import STAGE_KEYS, row_getter, row_keys
from bench.generate.common import AUDIT_SINCE, EMPTY_JSON, Clinic, CopyRow, Ids, Row, jsonb
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


# An audit event's values as audit() assembles them (a clinic has tens of thousands: a tuple
# each, not a dict), after the staging table's clinic and event number; checked against the
# model below.
EVENT_COLUMNS = (
    "at",
    "actor_id",
    "actor_username",
    "role",
    "action",
    "patient_id",
    "object_type",
    "object_id",
    "ip_address",
    "outcome",
    "break_glass",
    "detail",
)
if (*STAGE_KEYS, *EVENT_COLUMNS) != row_keys(STAGE):
    raise RuntimeError(
        f"intake_auditevent columns changed: {row_keys(STAGE)}; update EVENT_COLUMNS"
    )


class ClinicState:
    """Rows by table, the treatment plans' final statuses, and the audit events, for one clinic.

    Builders give each row as a dict keyed by the model's field names; it is kept as a tuple in
    COPY column order (a clinic holds hundreds of thousands of rows: a dict each would double
    the build time)."""

    def __init__(self, ctx: Context, clinic: Clinic) -> None:
        self.ctx = ctx
        self.clinic = clinic
        self.rng = random.Random(f"{ctx.seed}/clinic/{clinic.index}")
        self.ids = Ids(ctx.seed, clinic.index)
        # Who is in a supervised detox, and the course of each (bench/generate/detox.py).
        self.detox_rng = random.Random(f"{ctx.seed}/detox/{clinic.index}")
        # The supervised detoxes' plans: their lines' serial keys are looked up when written.
        self.detox_plans: list[uuid.UUID] = []
        self.rows: dict[str, list[CopyRow]] = {table: [] for table in ALL_TABLES}
        self._values = {table: row_getter(table) for table in ALL_TABLES}
        self.plan_status: list[tuple[uuid.UUID, str]] = []
        self.ip = ipaddress.ip_address(f"10.{20 + clinic.index // 250}.{clinic.index % 250}.0")
        self.audit_seq = 0
        self.events: list[tuple[dt.datetime, int, CopyRow]] = []
        self.ips: dict[int, IPAddress] = {}

    def add(self, table: str, row: Row) -> None:
        self.rows[table].append(self._values[table](row))

    def add_ordered(self, table: str, rows: Iterable[CopyRow]) -> None:
        """Rows already in column order (lab results: see lab_orders.RESULT_ENTERED)."""
        self.rows[table].extend(rows)

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
        values = (
            at,
            actor,
            self.clinic.usernames[actor],
            self.clinic.roles[actor],
            action,
            patient_id,
            object_type,
            str(object_id),
            self.ip_for(actor),
            "allowed",
            False,
            jsonb(detail) if detail else EMPTY_JSON,
        )
        self.events.append((at, self.audit_seq, values))

    def stage_events(self) -> None:
        """The clinic's audit events in the order they happened, numbered for the chain."""
        self.events.sort(key=lambda event: event[:2])  # by time, then the order they were built
        index = self.clinic.index
        self.rows[STAGE] = [
            (index, rn, *values) for rn, (_at, _seq, values) in enumerate(self.events, start=1)
        ]
        self.events = []

    def at_day(self, day: dt.date, hour: float) -> dt.datetime:
        jitter = self.rng.uniform(-0.4, 0.4)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(
            hours=hour + jitter
        )
