"""One episode's clinical course, as the per-record builders need it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from bench.generate.state import Team


@dataclass
class Course:
    """Who, which program and medication regime, which opioid, and the days the episode spans
    (up to BASE for the current one)."""

    pid: uuid.UUID
    eid: uuid.UUID
    sex: str
    team: Team
    program: str
    regime: str
    primary: str
    start: dt.date
    last_day: dt.date
    active: bool
    # Hepatitis C antibody positive at intake (drawn after the assessments).
    hcv: bool = False
    # A medically supervised detox in progress at BASE (bench/generate/detox.py).
    supervised: bool = False
