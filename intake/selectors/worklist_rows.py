"""The rows and sections of the worklist (intake/selectors/worklist.py builds them; the
vital-sign rows come from intake/selectors/worklist_vitals.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.access import WorkItem
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
