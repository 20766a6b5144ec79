"""The rows and sections of the worklist (intake/selectors/worklist.py builds them; the
vital-sign rows come from intake/selectors/worklist_vitals.py)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import JSONObject

from intake.access import PATIENT_HEADER_FIELDS, WorkItem
from intake.models import Patient


@dataclass
class WorkRow:
    patient: Patient
    title: str
    detail: str
    url: str
    action: str
    # Critical results and safety follow-ups: counted as urgent in the top bar, shown in red.
    urgent: bool = False
    # A word that puts the row ahead of its neighbours: "STAT", "Overdue".
    flag: str = ""


@dataclass
class WorklistSection:
    item: WorkItem
    title: str
    empty: str
    rows: list[WorkRow] = field(default_factory=list)
    total: int = 0

    @property
    def urgent(self) -> int:
        return sum(1 for row in self.rows if row.urgent)

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


def patient_header_json(path: str = "patient__") -> JSONObject:
    """A row's patient as the worklist shows them (the header fields: name, date of birth,
    MRN), as a JSON object, for rows read as JSON with another query (worklist_counts_with)."""
    return JSONObject(**{name: f"{path}{name}" for name in PATIENT_HEADER_FIELDS})


def patient_from_header(header: dict[str, Any]) -> Patient:
    """patient_header_json's object as an (unsaved) patient holding the header fields only."""
    fields = {name: header[name] for name in PATIENT_HEADER_FIELDS}
    fields["id"] = uuid.UUID(str(fields["id"]))
    birth = fields["birth_date"]
    fields["birth_date"] = datetime.date.fromisoformat(birth) if birth else None
    return Patient(**fields)
