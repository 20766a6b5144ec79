"""Reading intake interviews."""

from __future__ import annotations

from intake.models import Interview, Patient


def interview_chart_section(*, patient: Patient, user) -> dict:
    """The chart's interview card: the patient's interviews, newest first."""
    interviews = list(
        Interview.objects.filter(patient=patient)
        .select_related("author")
        .order_by("-interviewed_on", "-created_at")[:10]
    )
    return {"interviews": interviews}
