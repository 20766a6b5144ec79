"""Reading a patient's episodes of care (admissions), for the pages and the API alike. The
active episode is `selectors.patient.episode_current`."""

from __future__ import annotations

from django.db.models import QuerySet

from intake.models import Episode, Patient


def episode_list(*, patient: Patient | None) -> QuerySet[Episode]:
    """The patient's episodes, latest admission first; for no patient, none (so that an id
    field built before its patient is known resolves nothing)."""
    if patient is None:
        return Episode.objects.none()
    return Episode.objects.filter(patient=patient).order_by("-admitted_on", "-created_at")
