"""Recording instrument administrations, their safety follow-up, and OUD diagnoses."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake import access
from intake.dates import past_date_error
from intake.exceptions import InvalidAnswers, RuleViolation
from intake.models import (
    AsamLevel,
    Assessment,
    AssessmentSource,
    AuditAction,
    Diagnosis,
    InstrumentCode,
    Patient,
    Remission,
)
from intake.scoring import AnswerError, Instrument, get_instrument, icd10_for
from intake.selectors.patient import episode_current
from intake.signing import signer_credentials

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A clock a few minutes fast on a tablet should not refuse a COWS taken just now.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    patient: Patient,
    instrument: str,
    answers: Mapping[str, object],
    administered_at: datetime.datetime | None = None,
    item_notes: Mapping[object, object] | None = None,
    recommended_level: str = "",
    source: str = AssessmentSource.CLINICIAN,
) -> Assessment:
    """Score and store one administration. Bad answers raise ValidationError naming each
    item under "answers"; nothing is stored. `source`: patient for self-report answers a
    clinician accepted (docs/clinical-rules.md#self-report)."""
    from intake.services.audit import audit_record

    definition = _instrument(instrument)
    try:
        cleaned = definition.validate(answers)
    except AnswerError as exc:
        raise InvalidAnswers({key: list(msgs) for key, msgs in exc.errors.items()}) from None
    result = definition.score_cleaned(cleaned, sex_at_birth=patient.sex_at_birth)
    administered_at = _administered_at(administered_at, patient)
    notes = _item_notes(item_notes, definition)
    _check_recommended_level(instrument, recommended_level)
    assessment = Assessment(
        patient=patient,
        episode=episode_current(patient=patient),
        instrument=instrument,
        version=definition.version,
        answers=cleaned,
        item_notes=notes,
        recommended_level=recommended_level,
        total=result.total,
        band=result.band,
        alerts=list(result.alerts),
        details=result.details,
        administered_at=administered_at,
        administered_by=actor,
        source=source,
        created_by=actor,
        updated_by=actor,
    )
    # Field checks only: the related rows were just loaded (no existence queries), the new UUID
    # is unique, and the check constraints hold by construction above (the database enforces
    # them anyway): validating them would cost 17 of the 26 queries of a POST.
    assessment.full_clean(
        exclude=["patient", "episode", "administered_by", "created_by", "updated_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    assessment.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=assessment,
        detail={"instrument": instrument, "alerts": list(result.alerts)},
    )
    return assessment


def _instrument(code: str) -> Instrument:
    try:
        return get_instrument(code)
    except KeyError:
        raise ValidationError(
            {
                "instrument": [
                    f"Unknown instrument; choose one of {', '.join(InstrumentCode.values)}."
                ]
            }
        ) from None


def _administered_at(
    administered_at: datetime.datetime | None, patient: Patient
) -> datetime.datetime:
    """The time given (now when none), refused in the future or before the patient's dates."""
    now = timezone.now()
    administered_at = administered_at or now
    if administered_at > now + FUTURE_TOLERANCE:
        raise ValidationError({"administered_at": ["This time is in the future."]})
    too_early = past_date_error(administered_at, patient=patient, what="The time given")
    if too_early and administered_at <= now:
        raise ValidationError({"administered_at": [too_early]})
    return administered_at


def _item_notes(
    item_notes: Mapping[object, object] | None, definition: Instrument
) -> dict[str, str]:
    """The non-empty notes, each on an item of the instrument."""
    notes = {str(k): str(v).strip() for k, v in (item_notes or {}).items() if str(v).strip()}
    unknown = set(notes) - {item.key for item in definition.items}
    if unknown:
        raise ValidationError({"item_notes": [f"Unknown items: {', '.join(sorted(unknown))}."]})
    return notes


def _check_recommended_level(instrument: str, recommended_level: str) -> None:
    if recommended_level and instrument != InstrumentCode.ASAM:
        raise ValidationError(
            {"recommended_level": ["Only the ASAM assessment recommends a level."]}
        )
    if recommended_level and recommended_level not in AsamLevel.values:
        raise ValidationError(
            {"recommended_level": [f"Choose one of {', '.join(AsamLevel.values)}."]}
        )


@transaction.atomic
def assessment_record_safety_follow_up(
    *, actor: User, assessment: Assessment, note: str
) -> Assessment:
    """A clinician's safety assessment after a suicide-risk or imminent-danger alert; it takes
    the alert off the chart. The assessment's scores are not touched."""
    from intake.services.audit import audit_record

    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Describe the safety assessment and the plan."]})
    locked = Assessment.objects.select_for_update(no_key=True).get(pk=assessment.pk)
    if not locked.open_safety_alerts:
        raise ValidationError("This assessment has no open safety alert.")
    locked.safety_assessed_at = timezone.now()
    locked.safety_assessed_by = actor
    locked.safety_note = note
    locked.updated_by = actor
    locked.save(
        update_fields=[
            "safety_assessed_at",
            "safety_assessed_by",
            "safety_note",
            "updated_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=locked.patient_id,
        obj=locked,
        detail={"change": "safety-follow-up"},
    )
    return locked


@transaction.atomic
def diagnosis_record(
    *,
    actor: User,
    patient: Patient,
    assessment: Assessment,
    remission: str = Remission.NONE,
    on_maintenance_therapy: bool = False,
    controlled_environment: bool = False,
    diagnosed_on: datetime.date | None = None,
) -> Diagnosis:
    from intake.services.audit import audit_record

    refusal = access.diagnosis_refusal(actor)
    if refusal:
        raise RuleViolation(refusal)
    _check_diagnosis(patient, assessment, remission, controlled_environment)
    diagnosed_on = diagnosed_on or timezone.localdate()
    if diagnosed_on > timezone.localdate():
        raise ValidationError({"diagnosed_on": ["The diagnosis date cannot be in the future."]})
    diagnosis = Diagnosis(
        patient=patient,
        assessment=assessment,
        severity=assessment.band,
        remission=remission,
        on_maintenance_therapy=on_maintenance_therapy,
        controlled_environment=controlled_environment,
        icd10=icd10_for(assessment.band, remission),
        diagnosed_by=actor,
        diagnosed_on=diagnosed_on,
        diagnosed_by_license=signer_credentials(actor),
        created_by=actor,
        updated_by=actor,
    )
    diagnosis.full_clean()
    diagnosis.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=diagnosis,
        detail={"icd10": diagnosis.icd10},
    )
    return diagnosis


def _check_diagnosis(
    patient: Patient, assessment: Assessment, remission: str, controlled_environment: bool
) -> None:
    """A DSM-5 checklist of this patient meeting at least 2 criteria, and a valid specifier."""
    if assessment.patient_id != patient.pk or assessment.instrument != InstrumentCode.DSM5_OUD:
        raise ValidationError(
            {"assessment": ["Choose a DSM-5 criteria assessment of this patient."]}
        )
    if assessment.band == "none":
        raise ValidationError(
            {
                "assessment": [
                    f"{assessment.total} criterion met: fewer than 2 is not an opioid use disorder."
                ]
            }
        )
    if remission not in Remission.values:
        raise ValidationError({"remission": [f"Choose one of {', '.join(Remission.values)}."]})
    if controlled_environment and remission == Remission.NONE:
        raise ValidationError(
            {"controlled_environment": ["'In a controlled environment' applies only in remission."]}
        )
