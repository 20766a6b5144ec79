"""Reading assessments and diagnoses."""

from __future__ import annotations

from django.db.models import Q

from intake.models import Assessment, Diagnosis, Patient


def assessment_chart_section(*, patient: Patient, user) -> dict:
    """The chart's assessment card: latest per instrument, open safety alerts, diagnoses (two
    queries: the latest of each instrument and the open alerts are read together)."""
    latest_ids = (
        Assessment.objects.filter(patient=patient)
        .order_by("instrument", "-administered_at")
        .distinct("instrument")
        .values("pk")
    )
    rows = list(
        Assessment.objects.filter(patient=patient)
        .filter(Q(pk__in=latest_ids) | Q(safety_assessed_at__isnull=True) & ~Q(alerts=[]))
        .select_related("administered_by")
        .order_by("-administered_at")
    )
    # Newest first, so the first row of each instrument is its latest.
    recent: dict[str, Assessment] = {}
    for row in rows:
        recent.setdefault(row.instrument, row)
    recent = list(recent.values())
    open_alerts = [a for a in rows if a.open_safety_alerts]
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
