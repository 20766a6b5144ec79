"""The treatment plan workflow: draft -> submitted -> active (signed) or changes-requested;
amendments make a new version. Every step is atomic, checks who may take it, and is audited."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from intake import access, limits
from intake.dates import planned_date_error, schedule_date_error
from intake.exceptions import (  # noqa: F401 - UnacknowledgedWarnings re-exported
    RecordSigned,
    RuleViolation,
    StaleVersion,
    UnacknowledgedWarnings,
)
from intake.formulary import DRUGS
from intake.models import (
    AuditAction,
    Episode,
    Patient,
    PlanBehavioral,
    PlanMedication,
    PlanStatus,
    TreatmentPlan,
)
from intake.plan_rules import plan_warnings
from intake.selectors.patient import episode_current
from intake.selectors.treatment_plan import plan_draft_of, plan_facts
from intake.services.audit import audit_record
from intake.services.reauth import (
    ReauthFailed,
    reauth_check_password,
    reauth_check_second_factor,
    reauth_refuse_if_locked,
    record_reauth_failure,
)
from intake.services.treatment_plan_doses import medication_dose_errors, plan_dose_errors
from intake.signing import content_sha256

PLAN_FIELDS = (
    "setting",
    "asam_level",
    "medically_supervised_detox",
    "hospitalize_for_detox",
    "withdrawal_monitoring",
    "problems",
    "review_date",
)
MEDICATION_FIELDS = (
    "drug",
    "dose",
    "unit",
    "route",
    "frequency",
    "start_date",
    "end_date",
    "indication",
    "taper",
)
BEHAVIORAL_FIELDS = ("modality", "setting", "frequency", "targets", "goals")


# Content and signature -------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def treatment_plan_content(plan: TreatmentPlan) -> dict:
    """The clinical content of a version: what is signed, hashed, compared and printed."""
    return {
        "patient": str(plan.patient_id),
        "version": plan.version,
        **{f: _jsonable(getattr(plan, f)) for f in PLAN_FIELDS},
        "medications": [
            {f: _jsonable(getattr(m, f)) for f in MEDICATION_FIELDS} for m in plan.medications.all()
        ],
        "behavioral": [
            {f: _jsonable(getattr(b, f)) for f in BEHAVIORAL_FIELDS} for b in plan.behavioral.all()
        ],
    }


def content_hash(content: dict) -> str:
    return content_sha256(content)


def treatment_plan_verify(plan: TreatmentPlan) -> bool:
    """True when the signed version still has exactly the content that was signed."""
    if not plan.is_signed:
        return False
    return (
        content_hash(plan.signed_content) == plan.content_hash
        and treatment_plan_content(plan) == plan.signed_content
    )


def needs_physician(plan: TreatmentPlan) -> bool:
    return plan.medically_supervised_detox or plan.medications.exists()


# Writing a draft -------------------------------------------------------------------------


def _med_signature(med: dict) -> tuple:
    """What a prescriber decides on a medication line: every stored field, with the defaults
    `_replace_components` would fill in, so a non-prescriber cannot change any of them (route,
    unit and indication were once left out and could be changed by a counselor)."""
    drug = DRUGS[med["drug"]]
    return (
        med["drug"],
        _jsonable(Decimal(str(med["dose"]))),
        med.get("unit") or drug.unit,
        med.get("route") or drug.route,
        (med.get("indication") or drug.indication).strip(),
        med["frequency"],
        _jsonable(med["start_date"]),
        _jsonable(med.get("end_date")),
        tuple((int(t["day"]), _jsonable(Decimal(str(t["dose"])))) for t in med.get("taper") or []),
    )


def _too_many(errors: dict, field: str, items, limit: int, what: str) -> bool:
    if items is not None and len(items) > limit:
        errors[field] = [f"At most {limit} {what} ({len(items)} given)."]
        return True
    return False


def _check_goal_dates(errors: dict, field: str, goals, patient) -> None:
    """Goals (and their objectives) may carry target dates: plausible, up to the schedule
    window. Past ones are allowed, since an amendment carries over what was set before."""
    if _too_many(errors, field, goals, limits.MAX_GOALS, "goals"):
        return
    for g, goal in enumerate(goals or []):
        if not isinstance(goal, dict):
            continue
        error = planned_date_error(goal.get("target_date"), patient=patient, what="A target date")
        if error:
            errors[f"{field}[{g}].target_date"] = [error]
        objectives = goal.get("objectives") or []
        if _too_many(
            errors, f"{field}[{g}].objectives", objectives, limits.MAX_OBJECTIVES, "objectives"
        ):
            continue
        _too_many(
            errors,
            f"{field}[{g}].interventions",
            goal.get("interventions"),
            limits.MAX_OBJECTIVES,
            "interventions",
        )
        for o, objective in enumerate(objectives):
            if not isinstance(objective, dict):
                continue
            error = planned_date_error(
                objective.get("target_date"), patient=patient, what="A target date"
            )
            if error:
                errors[f"{field}[{g}].objectives[{o}].target_date"] = [error]


def _check_monitoring(errors: dict, monitoring) -> None:
    """The withdrawal-monitoring schedule has one shape: {"instrument", "every_hours",
    "notes"?}, or {} for none. Anything else is refused rather than stored as it came."""
    if monitoring in (None, {}):
        return
    field = "withdrawal_monitoring"
    if not isinstance(monitoring, dict):
        errors[field] = ["Give an object with instrument and every_hours, or {} for none."]
        return
    unknown = sorted(set(monitoring) - {"instrument", "every_hours", "notes"})
    if unknown:
        errors[field] = [f"Unknown key(s): {', '.join(unknown)}."]
    if monitoring.get("instrument") not in limits.MONITORING_INSTRUMENTS:
        names = ", ".join(limits.MONITORING_INSTRUMENTS)
        errors[f"{field}.instrument"] = [f"Choose the withdrawal scale: one of {names}."]
    low, high = limits.MONITORING_HOURS
    hours = monitoring.get("every_hours")
    if isinstance(hours, bool) or not isinstance(hours, int) or not low <= hours <= high:
        errors[f"{field}.every_hours"] = [f"Give a whole number of hours from {low} to {high}."]
    notes = monitoring.get("notes", "")
    if not isinstance(notes, str) or len(notes) > limits.MAX_MONITORING_NOTES or "\x00" in notes:
        errors[f"{field}.notes"] = [
            f"Notes are text of at most {limits.MAX_MONITORING_NOTES} characters."
        ]


def _check_plan_fields(data: dict, patient) -> None:
    """Bounds of the plan's own fields: review date, problems, monitoring schedule."""
    errors = {}
    error = schedule_date_error(data.get("review_date"), what="The review date")
    if error:
        errors["review_date"] = [error]
    if "withdrawal_monitoring" in data:
        _check_monitoring(errors, data["withdrawal_monitoring"])
    problems = data.get("problems")
    if not _too_many(errors, "problems", problems, limits.MAX_PROBLEMS, "problems"):
        for p, problem in enumerate(problems or []):
            if isinstance(problem, dict):
                _check_goal_dates(errors, f"problems[{p}].goals", problem.get("goals"), patient)
    if errors:
        raise ValidationError(errors)


def _check_components(actor, medications, behavioral, *, patient, existing_medications=()) -> None:
    errors = {}
    _too_many(errors, "medications", medications, limits.MAX_MEDICATIONS, "medication lines")
    _too_many(errors, "behavioral", behavioral, limits.MAX_BEHAVIORAL, "behavioral components")
    if errors:
        raise ValidationError(errors)
    for i, med in enumerate(medications):
        if med.get("drug") not in DRUGS:
            errors[f"medications[{i}].drug"] = ["Unknown drug."]
            continue
        drug = DRUGS[med["drug"]]
        if med.get("unit") and med["unit"] != drug.unit:
            errors[f"medications[{i}].unit"] = [f"{drug.name} is dosed in {drug.unit}."]
        # A line carried over by an amendment may have started long ago; none starts before
        # the patient was born or ends beyond the schedule window.
        for key, what in (("start_date", "The start date"), ("end_date", "The end date")):
            error = planned_date_error(med.get(key), patient=patient, what=what)
            if error:
                errors[f"medications[{i}].{key}"] = [error]
        if med.get("end_date") and med["end_date"] < med["start_date"]:
            errors.setdefault(f"medications[{i}].end_date", []).append("Ends before it starts.")
        _too_many(
            errors,
            f"medications[{i}].taper",
            med.get("taper"),
            limits.MAX_TAPER_STEPS,
            "taper steps",
        )
        errors.update(medication_dose_errors(i, med))
    for i, comp in enumerate(behavioral):
        if not comp.get("targets"):
            errors[f"behavioral[{i}].targets"] = ["Name at least one target."]
        _check_goal_dates(errors, f"behavioral[{i}].goals", comp.get("goals"), patient)
    if errors:
        raise ValidationError(errors)
    changed = sorted(map(_med_signature, medications)) != sorted(
        map(_med_signature, existing_medications)
    )
    if changed and not access.can_change_medication_line(actor):
        raise RuleViolation("Only a prescriber may add or change medication lines.")


def _medication_rows(plan, medications):
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
                    {"day": int(t["day"]), "dose": _jsonable(Decimal(str(t["dose"])))}
                    for t in med.get("taper") or []
                ],
            )
        )
    return rows


def _replace_components(plan, medications, behavioral) -> None:
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


def _next_version(patient_id) -> int:
    """The next version number of the patient's plans. Versions number one lineage per patient
    (only one plan is active per patient, and signing any plan supersedes the active one), so a
    new plan drafted beside an active v2 is v3, not a second v1. The patient row lock makes two
    concurrent drafts take different numbers."""
    Patient.objects.select_for_update(no_key=True).filter(pk=patient_id).values("pk").first()
    top = TreatmentPlan.objects.filter(patient_id=patient_id).aggregate(top=Max("version"))["top"]
    return (top or 0) + 1


@transaction.atomic
def treatment_plan_create(*, actor, patient: Patient, data: dict) -> TreatmentPlan:
    _check_plan_fields(data, patient)
    medications = data.get("medications") or []
    behavioral = data.get("behavioral") or []
    _check_components(actor, medications, behavioral, patient=patient)
    plan = TreatmentPlan(
        patient=patient,
        episode=episode_current(patient=patient),
        version=_next_version(patient.pk),
        created_by=actor,
        updated_by=actor,
        **{f: data[f] for f in PLAN_FIELDS if f in data},
    )
    plan.full_clean()
    plan.save()
    _replace_components(plan, medications, behavioral)
    audit_record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=plan)
    return plan


def _lock_editable(plan: TreatmentPlan, revision: int | None) -> TreatmentPlan:
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
    *, actor, plan: TreatmentPlan, data: dict, revision: int | None
) -> TreatmentPlan:
    """Save an edit of a draft. `revision` is the one the editor read: stale -> StaleVersion,
    and nothing is written."""
    locked = _lock_editable(plan, revision)
    _check_plan_fields(data, locked.patient)
    current = treatment_plan_content(locked)
    medications = data.get("medications")
    behavioral = data.get("behavioral")
    _check_components(
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
        _replace_components(
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


# Workflow ---------------------------------------------------------------------------------


def treatment_plan_check(plan: TreatmentPlan, *, now=None) -> list[dict]:
    """The safety warnings that apply to this plan now."""
    facts = plan_facts(patient=plan.patient, plan=plan, now=now)
    return [w.as_dict() for w in plan_warnings(plan_draft_of(plan), facts)]


@transaction.atomic
def treatment_plan_submit(*, actor, plan: TreatmentPlan, revision: int | None = None):
    locked = _lock_editable(plan, revision)
    if (
        not locked.medications.exists()
        and not locked.behavioral.exists()
        and not (locked.medically_supervised_detox)
    ):
        raise ValidationError("Add at least one medication or behavioral component first.")
    if dose_errors := plan_dose_errors(locked):
        raise ValidationError(dose_errors)
    locked.warnings = treatment_plan_check(locked)
    locked.status = PlanStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor
    locked.updated_by = actor
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=locked.patient_id,
        obj=locked,
        detail={"change": "submitted", "warnings": [w["code"] for w in locked.warnings]},
    )
    return locked


def _check_reviewer(actor, plan: TreatmentPlan) -> None:
    refusal = access.plan_review_refusal(actor, needs_physician=needs_physician(plan))
    if refusal:
        raise RuleViolation(refusal)


def treatment_plan_approve(
    *,
    actor,
    plan: TreatmentPlan,
    password: str,
    otp: str | None = None,
    acknowledged_warnings: list[dict] | None = None,
) -> TreatmentPlan:
    """Approve and sign: re-authenticate, acknowledge every warning with a reason, record the
    signature with a hash of the signed content, and supersede the previous active version.
    A wrong password or code is audited and counted toward the lockout after the signing
    transaction has rolled back (services/reauth.py)."""
    reauth_refuse_if_locked(actor)
    try:
        return _approve(
            actor=actor,
            plan=plan,
            password=password,
            otp=otp,
            acknowledged_warnings=acknowledged_warnings,
        )
    except ReauthFailed as failure:
        raise record_reauth_failure(
            user=actor, failure=failure, obj=plan, patient=plan.patient
        ) from None


@transaction.atomic
def _approve(*, actor, plan, password, otp, acknowledged_warnings) -> TreatmentPlan:
    locked = TreatmentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if locked.status != PlanStatus.SUBMITTED:
        raise RecordSigned(
            f"Only a submitted plan can be approved; this one is {locked.get_status_display()}."
        )
    _check_reviewer(actor, locked)
    if dose_errors := plan_dose_errors(locked):
        raise ValidationError(dose_errors)
    reauth_check_password(actor, password)
    warnings = treatment_plan_check(locked)
    acks = {a.get("code"): (a.get("reason") or "").strip() for a in (acknowledged_warnings or [])}
    missing = [w for w in warnings if not acks.get(w["code"])]
    if missing:
        raise UnacknowledgedWarnings(missing)
    # Last, so that a single-use code is spent only on a signature that goes through.
    reauth_check_second_factor(actor, otp)
    previous = (
        TreatmentPlan.objects.select_for_update(no_key=True)
        .filter(patient=locked.patient, status=PlanStatus.ACTIVE)
        .exclude(pk=locked.pk)
        .first()
    )
    if previous is not None:
        previous.status = PlanStatus.SUPERSEDED
        previous.updated_by = actor
        previous.save(update_fields=["status", "updated_by", "updated_at"])
    now = timezone.now()
    content = treatment_plan_content(locked)
    profile = getattr(actor, "staff_profile", None)
    locked.status = PlanStatus.ACTIVE
    locked.warnings = warnings
    locked.acknowledged_warnings = [
        {"code": w["code"], "message": w["message"], "reason": acks[w["code"]]} for w in warnings
    ]
    locked.reviewed_by = actor
    locked.signed_at = now
    locked.signed_by = actor
    locked.signed_role = access.signer_role(actor)
    locked.signed_credentials = (
        f"{profile.get_license_type_display()} {profile.license_number}".strip()
        if profile and profile.license_type
        else ""
    )
    locked.signed_content = content
    locked.content_hash = content_hash(content)
    locked.updated_by = actor
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.SIGN,
        patient_id=locked.patient_id,
        obj=locked,
        detail={
            "version": locked.version,
            "hash": locked.content_hash,
            "acknowledged": [w["code"] for w in warnings],
        },
    )
    return locked


@transaction.atomic
def treatment_plan_request_changes(*, actor, plan: TreatmentPlan, comment: str) -> TreatmentPlan:
    locked = TreatmentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if locked.status != PlanStatus.SUBMITTED:
        raise RecordSigned("Changes can be requested only on a submitted plan.")
    _check_reviewer(actor, locked)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": ["Say what should change."]})
    locked.status = PlanStatus.CHANGES_REQUESTED
    locked.review_comment = comment
    locked.reviewed_by = actor
    locked.revision += 1
    locked.updated_by = actor
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient_id=locked.patient_id,
        obj=locked,
        detail={"change": "changes-requested"},
    )
    return locked


@transaction.atomic
def treatment_plan_amend(*, actor, plan: TreatmentPlan, reason: str) -> TreatmentPlan:
    """Copy a signed active version into a new draft version; the signed one is untouched."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give the reason for the amendment."]})
    locked = TreatmentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if locked.status != PlanStatus.ACTIVE:
        raise RecordSigned("Only the active signed version can be amended.")
    if TreatmentPlan.objects.filter(previous=locked).exists():
        raise RecordSigned("This version already has an amendment in progress.")
    content = treatment_plan_content(locked)
    draft = TreatmentPlan(
        patient=locked.patient,
        episode=locked.episode,
        # n + 1, unless another draft already took that number.
        version=max(locked.version + 1, _next_version(locked.patient_id)),
        previous=locked,
        amendment_reason=reason,
        created_by=actor,
        updated_by=actor,
        **{f: getattr(locked, f) for f in PLAN_FIELDS},
    )
    draft.full_clean()
    draft.save()
    # Copies carry the prescriber's lines as signed; later edits to them need a prescriber.
    _replace_components(draft, content["medications"], content["behavioral"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient_id=draft.patient_id,
        obj=draft,
        detail={"amends": str(locked.pk), "version": draft.version},
    )
    return draft


@transaction.atomic
def treatment_plans_close_for_episode(*, actor, episode: Episode) -> int:
    """Discharge closes the patient's active plan for that episode."""
    closed = 0
    for plan in TreatmentPlan.objects.select_for_update(no_key=True).filter(
        episode=episode, status=PlanStatus.ACTIVE
    ):
        plan.status = PlanStatus.CLOSED
        plan.closed_at = timezone.now()
        plan.updated_by = actor
        plan.save(update_fields=["status", "closed_at", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            patient_id=plan.patient_id,
            obj=plan,
            detail={"change": "closed"},
        )
        closed += 1
    return closed


@transaction.atomic
def plan_progress_note_add(*, actor, component: PlanBehavioral, progress: str, text: str):
    """Record how the patient is doing on a behavioral component of the active plan."""
    from intake.models import PlanProgressNote

    plan = component.plan
    if plan.status != PlanStatus.ACTIVE:
        raise RecordSigned("Progress is recorded on the active plan only.")
    note = PlanProgressNote(
        component=component,
        progress=progress,
        text=(text or "").strip(),
        created_by=actor,
        updated_by=actor,
    )
    note.full_clean()
    note.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient_id=plan.patient_id,
        obj=note,
        detail={"plan": str(plan.pk)},
    )
    return note
