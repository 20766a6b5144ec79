"""What every part of the generator shares: the fixed dates, the staffing ratios, the network's
clinics, deterministic ids and the JSON values written by COPY."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from psycopg.types.json import Jsonb

# The fixed "today" of the generated history.
BASE = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
HISTORY_DAYS = 4 * 365
# The network went live on Clinic Intake a year before BASE, importing the older records from
# its previous system: the audit trail starts then.
AUDIT_SINCE = BASE - dt.timedelta(days=365)
PATIENTS_PER_CLINIC = 500
PATIENTS_PER_COUNSELOR = 40
PATIENTS_PER_PHYSICIAN = 150
PATIENTS_PER_NURSE = 80
MAX_CLINICS = 4096  # 12 bits of the generated ids
UNUSABLE_PASSWORD = "!"

# A row as the builders write it: values by the model's attribute names; and as COPY writes it:
# the values in the order of the model's concrete fields (bench/generate/columns.py).
Row = dict[str, Any]
CopyRow = tuple[Any, ...]
T = TypeVar("T")

ID_TAGS = {
    "patient": 1,
    "careteam": 2,
    "episode": 3,
    "interview": 4,
    "substance": 5,
    "addendum": 6,
    "assessment": 7,
    "diagnosis": 8,
    "laborder": 9,
    "labresult": 10,
    "labalert": 11,
    "plan": 12,
    "administration": 13,
    "vitals": 14,
}


def _identity(text: str) -> str:
    return text


def as_jsonb(text_or_obj: object) -> Jsonb:
    """A jsonb value from pre-serialised JSON text (or any JSON-ready object)."""
    if isinstance(text_or_obj, str):
        return Jsonb(text_or_obj, dumps=_identity)
    return Jsonb(text_or_obj)


# One encoder for every value (json.dumps with options builds a new one per call).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def dumps(obj: object) -> str:
    return _ENCODER.encode(obj)


def jsonb(obj: object) -> Jsonb:
    """A JSON-ready object as a jsonb value, serialised once (sorted keys, no spaces)."""
    return as_jsonb(dumps(obj))


EMPTY_JSON = as_jsonb("{}")


def pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    """One value of (value, weight) pairs."""
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights)[0]


@dataclass
class Clinic:
    """One clinic of the network: its patient count and its staff's user ids."""

    index: int
    patients: int
    counselors: list[int] = field(default_factory=list)
    physicians: list[int] = field(default_factory=list)
    nurses: list[int] = field(default_factory=list)
    admin: int = 0
    usernames: dict[int, str] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)


def _id_prefix(seed: int) -> int:
    digest = hashlib.sha256(f"clinic-intake/generate_data/{seed}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


class Ids:
    """Deterministic, increasing UUIDs per table and clinic (version-4 layout): a seed prefix,
    the table, the clinic, then a counter. Increasing ids keep index inserts at the right edge."""

    def __init__(self, seed: int, chunk: int) -> None:
        prefix = _id_prefix(seed)
        self.base = {
            name: (prefix << 96) | (tag << 80) | (4 << 76) | (chunk << 64) | (2 << 62)
            for name, tag in ID_TAGS.items()
        }
        self.next = dict.fromkeys(ID_TAGS, 0)

    def new(self, table: str) -> uuid.UUID:
        n = self.next[table]
        self.next[table] = n + 1
        # uuid.UUID(int=...) without its argument checks (a third of the build time otherwise).
        value = object.__new__(uuid.UUID)
        object.__setattr__(value, "int", self.base[table] | n)
        object.__setattr__(value, "is_safe", uuid.SafeUUID.unknown)
        return value


def first_patient_id(seed: int) -> uuid.UUID:
    return Ids(seed, 0).new("patient")
