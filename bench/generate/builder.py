"""Every row of one clinic's patients, built in Python (no database) from its seeded Random."""

from __future__ import annotations

from bench.generate.patients import patient
from bench.generate.state import ClinicState, Team


class ClinicBuilder(ClinicState):
    """Builds one clinic: `build` fills `rows` (table -> rows, the audit events staged last)."""

    def build(self, first_index: int) -> None:
        clinic = self.clinic
        for n in range(clinic.patients):
            team = Team(
                counselor=clinic.counselors[n % len(clinic.counselors)],
                physician=clinic.physicians[n % len(clinic.physicians)],
                nurse=clinic.nurses[(n * 7) % len(clinic.nurses)],
            )
            patient(self, first_index + n, team)
        self.stage_events()
