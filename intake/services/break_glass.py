"""Emergency access ("break the glass", 42 CFR 2.51): a clinician outside the care team opens a
chart for BREAK_GLASS_HOURS after stating the emergency. The grant is what access.py honours;
its use is flagged on every audit row and reviewed by a privacy officer."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from intake import access
from intake.local_time import format_local
from intake.models import (
    AuditAction,
    AuditOutcome,
    BreakGlassGrant,
    EmergencyCategory,
    Patient,
    ReviewOutcome,
)
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REASON_MIN_LENGTH = 20


def _clean_reason(reason: str) -> str:
    """At least REASON_MIN_LENGTH characters of explanation: "aaaaaaaaaa" or padding is not an
    emergency a privacy officer can review."""
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN_LENGTH or len(set(reason.replace(" ", "").lower())) < 4:
        raise ValidationError(
            {
                "reason": [
                    "Explain the emergency that needs this chart, in at least "
                    f"{REASON_MIN_LENGTH} characters."
                ]
            }
        )
    return reason


def break_glass_open(
    *,
    actor: User,
    patient_id: uuid.UUID | str,
    reason: str,
    category: str = EmergencyCategory.OTHER,
) -> tuple[BreakGlassGrant, bool]:
    """Opens emergency access, or extends the actor's active grant for the patient (one grant,
    its expiry pushed out, audited). Returns (grant, extended). Unknown patient: Http404
    (audited as a refused attempt), so the request confirms nothing the chart's 404 did not."""
    if category not in EmergencyCategory.values:
        raise ValidationError(
            {"category": [f"Choose one of: {', '.join(EmergencyCategory.values)}."]}
        )
    reason = _clean_reason(reason)
    patient = _emergency_patient(actor, patient_id)
    now = timezone.now()
    expires_at = now + datetime.timedelta(hours=settings.BREAK_GLASS_HOURS)
    with transaction.atomic():
        grant, extended = _extend_or_grant(
            actor=actor,
            patient=patient,
            category=category,
            reason=reason,
            now=now,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if extended else AuditAction.CREATE,
            patient=patient,
            obj=grant,
            object_type="break-glass",
            detail={"category": category, **({"extended": True} if extended else {})},
            break_glass=True,
        )
    access.forget_cached(actor)
    return grant, extended


def _emergency_patient(actor: User, patient_id: uuid.UUID | str) -> Patient:
    """The patient to open; Http404 (audited as a refused attempt) when there is none, and a
    refusal for a member of the care team, who needs no emergency access."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            outcome=AuditOutcome.DENIED,
            object_type="break-glass",
            detail={"reason": "not-found"},
        )
        raise Http404("No such patient.")
    if access.is_team_member(actor, patient):
        raise ValidationError(
            {"reason": ["You are on this patient's care team: no emergency access is needed."]}
        )
    return patient


def _extend_or_grant(
    *,
    actor: User,
    patient: Patient,
    category: str,
    reason: str,
    now: datetime.datetime,
    expires_at: datetime.datetime,
) -> tuple[BreakGlassGrant, bool]:
    """(grant, extended): the actor's active grant, locked and extended, or a new one. Called
    inside the caller's transaction, so the lock holds until its audit event is written."""
    active = (
        BreakGlassGrant.objects.select_for_update(no_key=True)
        .filter(user=actor, patient=patient, expires_at__gt=now)
        .order_by("-expires_at")
        .first()
    )
    if active is not None:
        # Grants never overlap: a second request extends the one that is open.
        active.expires_at = expires_at
        active.extensions += 1
        active.reason = f"{active.reason}\n[extended {format_local(now)}] {reason}"
        active.updated_by = actor
        active.save(
            update_fields=["expires_at", "extensions", "reason", "updated_by", "updated_at"]
        )
        return active, True
    grant = BreakGlassGrant.objects.create(
        user=actor,
        patient=patient,
        category=category,
        reason=reason,
        started_at=now,
        expires_at=expires_at,
        created_by=actor,
        updated_by=actor,
    )
    return grant, False


class NoSingleMatch(Exception):
    """An emergency request by name and date of birth matched no record, or several (and no
    MRN told them apart). Raised only after the request was audited."""

    def __init__(self, *, several: bool):
        super().__init__("several" if several else "none")
        self.several = several


def _same_name(value: str) -> str:
    return " ".join((value or "").split())


def break_glass_open_by_identity(
    *,
    actor: User,
    given_name: str,
    family_name: str,
    birth_date: datetime.date,
    reason: str,
    category: str = EmergencyCategory.OTHER,
    mrn: str = "",
) -> tuple[BreakGlassGrant | None, Patient]:
    """Emergency access to a patient the actor's search cannot show, named exactly: legal given
    and family name (case and spacing aside) and date of birth, and the MRN when several
    records share them. The category and reason are checked first, as for break_glass_open,
    so a refusal for a bad reason says nothing about whether anyone matched.

    One match: the grant is opened (or extended) and audited; returns (grant, patient), or
    (None, patient) for a patient already on the actor's care team (no grant needed). No match
    or several: the attempt is audited as refused, then NoSingleMatch."""
    if category not in EmergencyCategory.values:
        raise ValidationError(
            {"category": [f"Choose one of: {', '.join(EmergencyCategory.values)}."]}
        )
    reason = _clean_reason(reason)
    matches = Patient.objects.filter(
        birth_date=birth_date,
        given_name__iexact=_same_name(given_name),
        family_name__iexact=_same_name(family_name),
    )
    if mrn:
        matches = matches.filter(mrn=mrn.zfill(8) if len(mrn) < 8 else mrn)
    found = list(matches.order_by("mrn")[:2])
    if len(found) != 1:
        # Who asked, why and when; not the name typed (no PHI in the audit detail). When
        # several records matched, the refusal is recorded on each of them, so the privacy
        # officer sees whose records were asked for.
        patient_ids: list[uuid.UUID | None] = [p.pk for p in matches] if found else [None]
        for patient_id in patient_ids:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                outcome=AuditOutcome.DENIED,
                patient_id=patient_id,
                object_type="break-glass",
                detail={
                    "reason": "several-matches" if found else "no-match",
                    "category": category,
                    "via": "search",
                },
            )
        raise NoSingleMatch(several=bool(found))
    patient = found[0]
    if access.is_team_member(actor, patient):
        return None, patient
    grant, _extended = break_glass_open(
        actor=actor, patient_id=patient.pk, reason=reason, category=category
    )
    return grant, patient


def break_glass_review(
    *, actor: User, grant: BreakGlassGrant, outcome: str, note: str = "", end_access: bool = False
) -> BreakGlassGrant:
    """The privacy officer's review: an outcome, a note, and optionally the end of a grant that
    is still active (it stops working at once; audited)."""
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": [f"Choose one of: {', '.join(ReviewOutcome.values)}."]})
    with transaction.atomic():
        locked = BreakGlassGrant.objects.select_for_update(no_key=True).get(pk=grant.pk)
        now = timezone.now()
        fields = ["updated_by", "updated_at"]
        if end_access and locked.expires_at > now:
            # Never before started_at (the row's check constraint).
            locked.expires_at = max(now, locked.started_at + datetime.timedelta(microseconds=1))
            locked.ended_by = actor
            fields += ["expires_at", "ended_by"]
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                patient_id=locked.patient_id,
                obj=locked,
                object_type="break-glass",
                detail={"change": "ended"},
            )
        if locked.reviewed_at is None:
            locked.reviewed_at = now
            locked.reviewed_by = actor
            locked.review_note = (note or "").strip()
            locked.review_outcome = outcome
            fields += ["reviewed_at", "reviewed_by", "review_note", "review_outcome"]
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                patient_id=locked.patient_id,
                obj=locked,
                object_type="break-glass",
                detail={"change": "reviewed", "outcome": outcome},
            )
        if len(fields) > 2:  # something beyond the bookkeeping changed
            locked.updated_by = actor
            locked.save(update_fields=fields)
    return locked
