from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from intake.dates import past_date_error
from intake.models import AuditAction, Episode, EpisodeStatus, Patient
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _already_active(active: Episode | None) -> ValidationError:
    if active is None:  # lost a race: the other admission is not visible to this transaction
        detail = "The patient already has an active episode."
    else:
        detail = (
            f"The patient already has an active episode ({active.get_program_display()}, "
            f"admitted {active.admitted_on:%Y-%m-%d})."
        )
    return ValidationError(
        {"program": [f"{detail} Discharge it before admitting the patient again."]}
    )


@transaction.atomic
def episode_admit(
    *, actor: User, patient: Patient, program: str, admitted_on: datetime.date
) -> Episode:
    """Admit a patient who has no active episode. One active episode per patient, whatever the
    program: plans, interviews and assessments attach to "the" active episode, and two made it
    ambiguous. A partial unique index enforces it against concurrent admissions too."""
    too_early = past_date_error(admitted_on, patient=patient, what="The admission date")
    if too_early:
        raise ValidationError({"admitted_on": [too_early]})
    active = Episode.objects.filter(patient=patient, status=EpisodeStatus.ACTIVE).first()
    if active is not None:
        raise _already_active(active)
    episode = Episode(
        patient=patient,
        program=program,
        admitted_on=admitted_on,
        created_by=actor,
        updated_by=actor,
    )
    episode.full_clean()
    try:
        with transaction.atomic():
            episode.save()
    except IntegrityError:  # a concurrent admission won the race
        raise _already_active(None) from None
    audit_record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=episode)
    return episode


@transaction.atomic
def episode_discharge(
    *, actor: User, episode: Episode, discharged_on: datetime.date, reason: str
) -> Episode:
    episode = Episode.objects.select_for_update(no_key=True).get(pk=episode.pk)
    if episode.status != EpisodeStatus.ACTIVE:
        raise ValidationError("This episode is already discharged.")
    if discharged_on < episode.admitted_on:
        raise ValidationError({"discharged_on": ["Discharge cannot be before admission."]})
    in_future = past_date_error(discharged_on, what="The discharge date")
    if in_future:
        raise ValidationError({"discharged_on": [in_future]})
    episode.status = EpisodeStatus.DISCHARGED
    episode.discharged_on = discharged_on
    episode.discharge_reason = reason
    episode.updated_by = actor
    episode.full_clean()
    episode.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=episode.patient_id,
        obj=episode,
        detail={"change": "discharged"},
    )
    # Discharge closes the episode's active treatment plan.
    from intake.services.treatment_plan import treatment_plans_close_for_episode

    treatment_plans_close_for_episode(actor=actor, episode=episode)
    return episode
