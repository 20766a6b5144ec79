"""Everything the chart page shows, one selector per section (each owns its queries)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intake.models import Patient
from intake.selectors.assessment import assessment_chart_section
from intake.selectors.interview import interview_chart_section
from intake.selectors.lab_chart import lab_chart_section
from intake.selectors.patient import Chart
from intake.selectors.reassessment_rows import reassessment_chart_section
from intake.selectors.session_note import session_note_chart_section
from intake.selectors.treatment_plan import plan_chart_section
from intake.selectors.vital_signs import vital_signs_chart_section

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def chart_sections(*, patient: Patient, user: User, chart: Chart) -> dict[str, Any]:
    """`chart`: patient_chart's row, which also carries the session notes' card and the
    reassessment schedule."""
    return {
        "interviews": interview_chart_section(patient=patient, user=user),
        "assessments": assessment_chart_section(patient=patient, user=user),
        "vitals": vital_signs_chart_section(patient=patient, user=user),
        "labs": lab_chart_section(patient=patient, user=user),
        "plans": plan_chart_section(patient=patient, user=user),
        "session_notes": session_note_chart_section(
            patient=patient, user=user, rows=chart.session_note_rows, total=chart.session_note_total
        ),
        "reassessment": reassessment_chart_section(
            patient=patient, user=user, schedule=chart.reassessment
        ),
    }
