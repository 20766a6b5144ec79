"""Fetch-and-authorize: the record behind a URL, or a refusal. Pages and API both call here.

Rules (who may do what) live in `intake/access.py`; this module applies them to what a URL
names, in one order for every record:

1. the role may not do this at all: PermissionDenied (403);
2. an unknown id, a record of another patient than the URL names, or a patient outside the
   user's care team: Http404 with one text, so a URL never tells "exists, not yours" from
   "does not exist";
3. every refusal is audited here as an attempt at `action`; an allowed read is audited here
   too, an allowed write by the service that makes it (`audit_allowed=False`).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

from intake.access import (
    NOT_BY_EMERGENCY_ACCESS,
    Perm,
    Scope,
    can_view_disclosure_document,
    can_view_group_session,
    emergency_grant_for,
    is_on_care_team,
    remember_team_member,
    scope_for,
    team_member_annotation,
)
from intake.models import (
    Assessment,
    AuditAction,
    AuditOutcome,
    Consent,
    Disclosure,
    Episode,
    Interview,
    LabAlert,
    LabOrder,
    MedicationAdministration,
    Patient,
    PendingAssessment,
    SessionNote,
    TreatmentPlan,
    VitalSignAlert,
    VitalSigns,
)
from intake.services.audit import audit_patients_shown, audit_record

NOT_FOUND = "Not found."


def _deny(user, perm, action, object_type, reason, patient=None, patient_pk=None) -> None:
    audit_record(
        actor=user,
        action=action,
        outcome=AuditOutcome.DENIED,
        patient=patient,
        patient_id=patient_pk,
        object_type=object_type,
        object_id=str(patient.pk) if patient else "",
        detail={"reason": reason, "perm": str(perm)},
    )


def _existing_patient_id(patient_id) -> uuid.UUID | None:
    try:
        pk = uuid.UUID(str(patient_id))
    except ValueError:
        return None
    return pk if Patient.objects.filter(pk=pk).exists() else None


def resolve_patient(
    user,
    patient_id,
    perm: Perm,
    *,
    action: AuditAction = AuditAction.READ,
    audit_allowed: bool = True,
    object_type: str = "patient",
) -> Patient:
    """The patient behind a URL for `perm`, or a refusal (see the module's order)."""
    scope = scope_for(user, perm)
    if scope is None:
        _deny(user, perm, action, object_type, "role", patient_pk=_existing_patient_id(patient_id))
        raise PermissionDenied("Your role does not allow this.")
    try:
        # The membership comes with the row: one query for both (every patient page).
        patient = Patient.objects.annotate(on_team=team_member_annotation(user)).get(pk=patient_id)
    except (Patient.DoesNotExist, ValueError, TypeError, ValidationError):
        _deny(user, perm, action, object_type, "not-found")
        raise Http404(NOT_FOUND) from None
    remember_team_member(user, patient, patient.on_team)
    emergency = perm not in NOT_BY_EMERGENCY_ACCESS
    if scope is Scope.TEAM and not is_on_care_team(user, patient, emergency=emergency):
        _deny(user, perm, action, object_type, "not-on-care-team", patient)
        raise Http404(NOT_FOUND)
    if audit_allowed:
        # break_glass: also set by audit_record itself for every row of a grant holder.
        audit_record(
            actor=user,
            action=action,
            patient=patient,
            object_type=object_type,
            object_id=str(patient.pk),
            break_glass=scope is Scope.TEAM and emergency_grant_for(user, patient) is not None,
        )
    return patient


def resolve_record(
    user,
    records: type[Model] | QuerySet,
    record_id,
    perm: Perm,
    *,
    object_type: str,
    patient_id=None,
    action: AuditAction = AuditAction.READ,
    audit_allowed: bool = True,
):
    """(patient, record) for a record of a patient (`records`: its model, or a queryset that
    loads what the page shows). `patient_id`, when the URL names one, must be the record's."""
    queryset = records if isinstance(records, QuerySet) else records._default_manager.all()
    try:
        record = queryset.filter(pk=record_id).first()
    except (ValueError, TypeError, ValidationError):
        record = None
    if record is not None and patient_id is not None and str(record.patient_id) != str(patient_id):
        record = None
    if record is None:
        # The role check and the care-team check still come first: a role that may not do
        # this gets 403 whatever the id, an outsider the same 404 as for an unknown record.
        patient = resolve_patient(
            user, patient_id, perm, action=action, audit_allowed=False, object_type=object_type
        )
        _deny(user, perm, action, object_type, "not-found", patient)
        raise Http404(NOT_FOUND)
    patient = resolve_patient(
        user, record.patient_id, perm, action=action, audit_allowed=False, object_type=object_type
    )
    if hasattr(record, "patient_id"):
        record.patient = patient  # loaded and checked once
    if audit_allowed:
        audit_record(
            actor=user, action=action, patient=patient, obj=record, object_type=object_type
        )
    return patient, record


# The records behind the URLs of pages and API ---------------------------------------------


def resolve_interview(user, interview_id, perm: Perm, *, patient_id=None, action=AuditAction.READ):
    """(patient, interview with everything the detail shows). A read is audited against the
    interview; a write by its service."""
    from intake.selectors.interview import interview_get, interview_patient_id

    owner = interview_patient_id(interview_id=interview_id)
    if patient_id is not None and owner is not None and str(owner) != str(patient_id):
        owner = None
    if owner is None:
        resolve_record(
            user,
            Interview,
            None,
            perm,
            patient_id=patient_id,
            action=action,
            object_type="interview",
        )
    patient = resolve_patient(
        user, owner, perm, action=action, audit_allowed=False, object_type="interview"
    )
    interview = interview_get(patient=patient, interview_id=interview_id)
    if action == AuditAction.READ:
        audit_record(actor=user, action=AuditAction.READ, patient=patient, obj=interview)
    return patient, interview


def resolve_session_note(
    user, note_id, perm: Perm, *, patient_id=None, action=AuditAction.READ, audit_allowed=True
):
    """(patient, session note with what its page shows; the counseling notes for their author
    only). A read is audited against the note; a write by its service."""
    from intake.selectors.session_note import session_note_get, session_note_patient_id

    owner = session_note_patient_id(note_id=note_id)
    if patient_id is not None and owner is not None and str(owner) != str(patient_id):
        owner = None
    if owner is None:
        resolve_record(
            user, SessionNote, None, perm, patient_id=patient_id, action=action,
            object_type="session-note",
        )  # fmt: skip
    patient = resolve_patient(
        user, owner, perm, action=action, audit_allowed=False, object_type="session-note"
    )
    note = session_note_get(patient=patient, note_id=note_id, user=user)
    if audit_allowed:
        audit_record(actor=user, action=action, patient=patient, obj=note)
    return patient, note


def resolve_lab_order(
    user, order_id, perm: Perm, *, patient_id=None, action=AuditAction.READ, audit_allowed=True
):
    return resolve_record(
        user,
        LabOrder.objects.select_related("panel", "ordered_by", "collected_by"),
        order_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type="lab-order",
    )


def resolve_lab_alert(
    user, alert_id, perm: Perm, *, patient_id=None, action=AuditAction.READ, audit_allowed=True
):
    return resolve_record(
        user,
        LabAlert.objects.select_related("order__panel", "result__test"),
        alert_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type="lab-alert",
    )


def resolve_vital_sign_alert(
    user, alert_id, perm: Perm, *, patient_id=None, action=AuditAction.READ, audit_allowed=True
):
    return resolve_record(
        user,
        VitalSignAlert.objects.select_related("vital_signs", "acknowledged_by"),
        alert_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type="vital-sign-alert",
    )


def resolve_vital_signs(
    user, vitals_id, perm: Perm, *, patient_id=None, action=AuditAction.READ, audit_allowed=True
):
    return resolve_record(
        user,
        VitalSigns,
        vitals_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type="vital-signs",
    )


def resolve_administration(
    user, entry_id, perm: Perm, *, patient_id=None, action=AuditAction.READ, audit_allowed=True
):
    return resolve_record(
        user,
        MedicationAdministration,
        entry_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type="administration",
    )


def resolve_plan(
    user,
    plan_id,
    perm: Perm,
    *,
    patient_id=None,
    action=AuditAction.READ,
    audit_allowed=True,
    with_content: bool = False,
):
    plans = TreatmentPlan.objects.all()
    if with_content:
        plans = plans.select_related("signed_by", "submitted_by", "reviewed_by", "previous")
        plans = plans.prefetch_related("medications", "behavioral__progress_notes__created_by")
    return resolve_record(
        user,
        plans,
        plan_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type="treatment-plan",
    )


def resolve_consent(
    user, consent_id, perm: Perm, *, patient_id=None, action=AuditAction.READ, audit_allowed=True
):
    return resolve_record(
        user,
        Consent,
        consent_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type="consent",
    )


def resolve_assessment(
    user,
    assessment_id,
    perm: Perm,
    *,
    patient_id=None,
    action=AuditAction.READ,
    audit_allowed=True,
    object_type="assessment",
):
    return resolve_record(
        user,
        Assessment.objects.select_related("administered_by", "safety_assessed_by"),
        assessment_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type=object_type,
    )


def resolve_disclosure(user, disclosure_id, perm: Perm, *, patient_id=None):
    """The printable copy of a disclosure; its read is audited. A copy of SUD counseling notes
    is its discloser's alone (docs/clinical-rules.md#counseling-notes): 403 for the rest of the
    team, who still see it in the accounting."""
    patient, disclosure = resolve_record(
        user,
        Disclosure.objects.select_related("consent", "disclosed_by"),
        disclosure_id,
        perm,
        patient_id=patient_id,
        object_type="disclosure",
        audit_allowed=False,
    )
    if not can_view_disclosure_document(user, disclosure):
        _deny(user, perm, AuditAction.READ, "disclosure", "counseling-notes-author-only", patient)
        raise PermissionDenied(
            "This disclosure holds SUD counseling notes: only the clinician who wrote and "
            "disclosed them may open it (42 CFR 2.11)."
        )
    audit_record(actor=user, action=AuditAction.READ, patient=patient, obj=disclosure)
    return patient, disclosure


def resolve_episode(
    user, episode_id, perm: Perm, *, patient_id=None, action=AuditAction.READ, audit_allowed=True
):
    return resolve_record(
        user,
        Episode,
        episode_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type="episode",
    )


def resolve_pending_assessment(
    user, pending_id, perm: Perm, *, patient_id=None, action=AuditAction.READ, audit_allowed=True
):
    """(patient, a self-report's answers) for review (docs/clinical-rules.md#self-report)."""
    return resolve_record(
        user,
        PendingAssessment.objects.select_related("reviewed_by", "assessment"),
        pending_id,
        perm,
        patient_id=patient_id,
        action=action,
        audit_allowed=audit_allowed,
        object_type="pending-assessment",
    )


def resolve_group_session(
    user, group_id, perm: Perm, *, action=AuditAction.READ, audit_allowed=True
):
    """(group, roll as `user` may see it) for its facilitator or the care team of one of its
    attendees, the one 404 otherwise; a read is audited once per attendee shown, against that
    attendee alone (docs/clinical-rules.md#group-sessions)."""
    from intake.selectors.group_session import group_roll, group_session_get

    if scope_for(user, perm) is None:
        _deny(user, perm, action, "group-session", "role")
        raise PermissionDenied("Your role does not allow this.")
    group = group_session_get(group_id=group_id)
    roll = group_roll(group=group, user=user) if group is not None else None
    if roll is None or not can_view_group_session(
        user, facilitator_id=group.facilitator_id, team_attendees=len(roll.rows)
    ):
        _deny(user, perm, action, "group-session", "not-found")
        raise Http404(NOT_FOUND)
    if audit_allowed:
        audit_patients_shown(actor=user, patient_ids=roll.patient_ids, object_type="group-session")
    return group, roll


# Drafts and discarding drafts: beside this module (one resolver, split for length).
from intake.resolvers_drafts import (  # noqa: E402
    resolve_draft_patient as resolve_draft_patient,
)
from intake.resolvers_drafts import (  # noqa: E402
    resolve_interview_to_discard as resolve_interview_to_discard,
)
from intake.resolvers_drafts import (  # noqa: E402
    resolve_plan_to_discard as resolve_plan_to_discard,
)
