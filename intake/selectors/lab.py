"""Reading lab orders and results."""

from __future__ import annotations

from intake.models import LabAlert, LabResult, Patient


def lab_chart_section(*, patient: Patient, user) -> dict:
    """The chart's lab card: latest current results and open alerts."""
    latest = list(
        LabResult.objects.filter(patient=patient, is_current=True)
        .select_related("test")
        .order_by("-resulted_at")[:20]
    )
    open_alerts = list(LabAlert.objects.filter(patient=patient, acknowledged_at__isnull=True))
    return {"latest": latest, "open_alerts": open_alerts}
