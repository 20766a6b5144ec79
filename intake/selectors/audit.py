from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from intake.models import AuditEvent, Patient

# The columns of an audit event as the report shows it, in this order: the API's rows and the
# page's CSV export (each adds its own after these).
AUDIT_EVENT_COLUMNS = (
    "id",
    "at",
    "actor",
    "role",
    "action",
    "patient",
    "object_type",
    "object_id",
    "outcome",
    "break_glass",
    "ip_address",
)

# Keys of an audit event's `detail` that carry clinical content: alert and flag codes
# (`suicide-risk`, `qtc-prolonged`), plan-rule warnings, diagnoses, instruments, lab panels and
# tests. Written by the assessment, lab and treatment-plan services; the audit report's readers
# (privacy officers) see no clinical content, so the report shows detail without them.
CLINICAL_DETAIL_KEYS = frozenset(
    {
        "alerts",
        "warnings",
        "acknowledged",
        "code",
        "icd10",
        "instrument",
        "panel",
        "corrected_tests",
        "specimen_status",
        "substances",
    }
)


def audit_event_list(
    *,
    patient=None,
    actor=None,
    action: str = "",
    since=None,
    until=None,
    break_glass: bool | None = None,
    outcome: str = "",
    mrn: str = "",
    name: str = "",
) -> QuerySet[AuditEvent]:
    """Events, newest first. `mrn` is exact; `name` matches patients whose given or family
    name contains every word of it (case and accents as typed)."""
    qs = AuditEvent.objects.select_related("actor", "patient")
    if patient is not None:
        qs = qs.filter(patient=patient)
    if mrn:
        qs = qs.filter(patient__mrn=mrn)
    for word in name.split():
        qs = qs.filter(
            Q(patient__given_name__icontains=word) | Q(patient__family_name__icontains=word)
        )
    if actor is not None:
        qs = qs.filter(actor=actor)
    if action:
        qs = qs.filter(action=action)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    if break_glass is not None:
        qs = qs.filter(break_glass=break_glass)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.order_by("-at", "-id")


def audit_filter_patient(*, patient_id: uuid.UUID) -> Patient:
    """The patient an audit filter names, or an unsaved stand-in with that id when no such
    record exists (the filter then matches the events that still name the id). The report's
    readers see every event, so no care-team check applies here."""
    return Patient.objects.filter(pk=patient_id).first() or Patient(pk=patient_id)


def audit_detail_redacted(detail) -> dict:
    """An event's detail as the audit report shows it: clinical keys removed, and named under
    `redacted` so the reader knows something was left out."""
    if not isinstance(detail, dict):
        return {}
    shown = {k: v for k, v in detail.items() if k not in CLINICAL_DETAIL_KEYS}
    removed = sorted(CLINICAL_DETAIL_KEYS.intersection(detail))
    if removed:
        shown["redacted"] = removed
    return shown
