"""Reading assessments and diagnoses."""

from __future__ import annotations

from intake.models import Assessment, Diagnosis, Patient


def assessment_chart_section(*, patient: Patient, user) -> dict:
    """The chart's assessment card: latest per instrument, open safety alerts, diagnoses."""
    recent = list(
        Assessment.objects.filter(patient=patient)
        .select_related("administered_by")
        .order_by("instrument", "-administered_at")
        .distinct("instrument")
    )
    recent.sort(key=lambda a: a.administered_at, reverse=True)
    open_alerts = list(
        Assessment.objects.filter(patient=patient, safety_assessed_at__isnull=True)
        .exclude(alerts=[])
        .order_by("-administered_at")
    )
    open_alerts = [a for a in open_alerts if a.open_safety_alerts]
    diagnoses = list(Diagnosis.objects.filter(patient=patient).select_related("diagnosed_by")[:5])
    return {"latest": recent, "open_alerts": open_alerts, "diagnoses": diagnoses}


def assessment_list(*, patient: Patient):
    return (
        Assessment.objects.filter(patient=patient)
        .select_related("administered_by")
        .order_by("-administered_at")
    )


def assessment_history(*, patient: Patient, instrument: str, limit: int = 200) -> list[Assessment]:
    """One instrument's administrations, newest first (the trend chart reverses them)."""
    return list(
        Assessment.objects.filter(patient=patient, instrument=instrument)
        .select_related("administered_by")
        .order_by("-administered_at")[:limit]
    )
