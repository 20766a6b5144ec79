"""Writing a treatment plan draft: a new version, and edits of a draft under its optimistic lock
(`revision`). What is checked before anything is stored is in `treatment_plan_checks`; the
steps after a draft (submit, sign, amend) are in `treatment_plan`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from intake.exceptions import RecordSigned, StaleVersion
from intake.formulary import DRUGS
from intake.models import AuditAction, Patient, PlanBehavioral, PlanMedication, TreatmentPlan
from intake.selectors.patient import episode_current
from intake.services.audit import audit_record
from intake.services.treatment_plan_checks import check_components, check_plan_fields
from intake.services.treatment_plan_content import (
    BEHAVIORAL_FIELDS,
    PLAN_FIELDS,
    treatment_plan_content,
)
from intake.signing import json_ready

if TYPE_CHECKING:
    from django.contrib.auth.models import User


Line = dict[str, Any]  # a medication line or behavioral component as the services take it


def _medication_rows(plan: TreatmentPlan, medications: Sequence[Line]) -> list[PlanMedication]:
    rows = []
    for i, med in enumerate(medications):
        drug = DRUGS[med["drug"]]
        rows.append(
            PlanMedication(
                plan=plan,
                position=i,
                drug=med["drug"],
                dose=med["dose"],
                unit=med.get("unit") or drug.unit,
                route=med.get("route") or drug.route,
                frequency=med["frequency"],
                start_date=med["start_date"],
                end_date=med.get("end_date"),
                indication=med.get("indication") or drug.indication,
                taper=[
                    {"day": int(t["day"]), "dose": json_ready(Decimal(str(t["dose"])))}
                    for t in med.get("taper") or []
                ],
            )
        )
    return rows


def replace_components(
    plan: TreatmentPlan, medications: Sequence[Line], behavioral: Sequence[Line]
) -> None:
    plan.medications.all().delete()
    plan.behavioral.all().delete()
    meds = _medication_rows(plan, medications)
    comps = [
        PlanBehavioral(
            plan=plan,
            position=i,
            **{f: c.get(f, [] if f in ("targets", "goals") else "") for f in BEHAVIORAL_FIELDS},
        )
        for i, c in enumerate(behavioral)
    ]
    for row in [*meds, *comps]:
        row.full_clean(exclude=["plan"])
    PlanMedication.objects.bulk_create(meds)
    PlanBehavioral.objects.bulk_create(comps)


def next_version(patient_id: Any) -> int:
    """The next version number of the patient's plans. Versions number one lineage per patient
    (only one plan is active per patient, and signing any plan supersedes the active one), so a
    new plan drafted beside an active v2 is v3, not a second v1. The patient row lock makes two
    concurrent drafts take different numbers."""
    Patient.objects.select_for_update(no_key=True).filter(pk=patient_id).values("pk").first()
    top = TreatmentPlan.objects.filter(patient_id=patient_id).aggregate(top=Max("version"))["top"]
    return (top or 0) + 1


@transaction.atomic
def treatment_plan_create(*, actor: User, patient: Patient, data: dict[str, Any]) -> TreatmentPlan:
    check_plan_fields(data, patient)
    medications = data.get("medications") or []
    behavioral = data.get("behavioral") or []
    check_components(actor, medications, behavioral, patient=patient)
    plan = TreatmentPlan(
        patient=patient,
        episode=episode_current(patient=patient),
        version=next_version(patient.pk),
        created_by=actor,
        updated_by=actor,
        **{f: data[f] for f in PLAN_FIELDS if f in data},
    )
    plan.full_clean()
    plan.save()
    replace_components(plan, medications, behavioral)
    audit_record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=plan)
    return plan


def lock_editable(plan: TreatmentPlan, revision: int | None) -> TreatmentPlan:
    locked = TreatmentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if not locked.is_editable:
        raise RecordSigned(
            f"Version {locked.version} is {locked.get_status_display().lower()} and cannot be "
            "edited; amend it to make a new version."
        )
    if revision is not None and revision != locked.revision:
        raise StaleVersion(
            "Someone else saved this plan since you opened it (revision "
            f"{locked.revision}, yours {revision}).",
            current=locked,
        )
    return locked


@transaction.atomic
def treatment_plan_update(
    *, actor: User, plan: TreatmentPlan, data: dict[str, Any], revision: int | None
) -> TreatmentPlan:
    """Save an edit of a draft. `revision` is the one the editor read: stale -> StaleVersion,
    and nothing is written."""
    locked = lock_editable(plan, revision)
    check_plan_fields(data, locked.patient)
    current = treatment_plan_content(locked)
    medications = data.get("medications")
    behavioral = data.get("behavioral")
    check_components(
        actor,
        medications if medications is not None else current["medications"],
        behavioral or [],
        patient=locked.patient,
        existing_medications=current["medications"],
    )
    for field in PLAN_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    locked.revision += 1
    locked.updated_by = actor
    locked.full_clean()
    locked.save()
    if medications is not None or behavioral is not None:
        replace_components(
            locked,
            medications if medications is not None else current["medications"],
            behavioral if behavioral is not None else current["behavioral"],
        )
    after = treatment_plan_content(locked)
    changed = sorted(k for k in after if after[k] != current[k])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=locked.patient_id,
        obj=locked,
        detail={"fields": changed, "revision": locked.revision},
    )
    return locked
