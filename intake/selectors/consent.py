"""Reading a patient's consents to disclose (42 CFR 2.31), for the consent pages, the
disclosure form and the API alike."""

from __future__ import annotations

from django.db.models import QuerySet

from intake.models import Consent, Patient


def consent_list(*, patient: Patient) -> QuerySet[Consent]:
    """Every consent of the patient, active or not, latest signature first. One query."""
    return (
        Consent.objects.filter(patient=patient)
        .select_related("revoked_by")
        .order_by("-signed_on", "-created_at")
    )


def consent_active_list(*, patient: Patient) -> list[Consent]:
    """The consents a disclosure may use today (not revoked, not expired: `Consent.is_active`,
    decided in Python from the row's dates), latest signature first. One query."""
    return [c for c in consent_list(patient=patient) if c.is_active]
