"""Reading assessments and diagnoses."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from intake.models import Assessment, Diagnosis, Patient

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def assessment_chart_section(*, patient: Patient, user: User) -> dict[str, Any]:
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
    latest: dict[str, Assessment] = {}
    for row in rows:
        latest.setdefault(row.instrument, row)
    open_alerts = [a for a in rows if a.open_safety_alerts]
    diagnoses = list(Diagnosis.objects.filter(patient=patient).select_related("diagnosed_by")[:5])
    return {"latest": list(latest.values()), "open_alerts": open_alerts, "diagnoses": diagnoses}


def assessment_list(*, patient: Patient, instrument: str = "") -> QuerySet[Assessment]:
    """The patient's assessments, newest first; `instrument` an instrument code to keep only
    its administrations (the page and the API's `?instrument=`)."""
    qs = Assessment.objects.filter(patient=patient)
    if instrument:
        qs = qs.filter(instrument=instrument)
    return qs.select_related("administered_by").order_by("-administered_at")


def assessment_get(*, patient: Patient, assessment_id: uuid.UUID) -> Assessment | None:
    """One assessment of this patient, or None (another patient's id is "no such")."""
    return Assessment.objects.filter(pk=assessment_id, patient=patient).first()


def diagnosis_list(*, patient: Patient) -> QuerySet[Diagnosis]:
    """The patient's diagnoses, latest first."""
    return (
        Diagnosis.objects.filter(patient=patient)
        .select_related("diagnosed_by")
        .order_by("-diagnosed_on", "-created_at")
    )


def diagnoses_of_assessment(*, assessment: Assessment) -> list[Diagnosis]:
    """The diagnoses made on one assessment (its page), in the model's order."""
    return list(assessment.diagnoses.select_related("diagnosed_by"))


def assessment_history(*, patient: Patient, instrument: str, limit: int = 200) -> list[Assessment]:
    """One instrument's administrations, newest first (the trend chart reverses them)."""
    return list(
        Assessment.objects.filter(patient=patient, instrument=instrument)
        .select_related("administered_by")
        .order_by("-administered_at")[:limit]
    )
