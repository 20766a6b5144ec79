"""Writing intake interviews: drafts, signing, addenda (docs/clinical-rules.md#intake-interview).

A draft is edited by its author only, with an optimistic lock (`revision`). Signing freezes it:
the SHA-256 of its canonical JSON is stored, and any later change to the row or its substance
rows makes `interview_verify_hash` fail. Changes after signing are addenda, each with its own
hash chained to the interview's. What a draft is checked against before it is stored is in
`interview_validation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Model
from django.utils import timezone

from intake import access
from intake.exceptions import RecordSigned, RuleViolation, StaleVersion
from intake.models import (
    AuditAction,
    Interview,
    InterviewAddendum,
    InterviewStatus,
    Patient,
    SubstanceUse,
)
from intake.services.audit import audit_record
from intake.services.audited_save import save_audited
from intake.services.interview_validation import add_error, validate
from intake.signing import canonical_json, content_sha256, json_ready

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Typed = Mapping[str, Any]  # an interview's fields, or one substance row, as a form or the API sent

# Everything a clinician writes in an interview, in form order. The hash covers all of them;
# tests/test_interview_sign.py fails if a model field is neither here nor in NON_CONTENT_FIELDS.
CONTENT_FIELDS = (
    "interviewed_on",
    "presenting_problem",
    "patient_goals",
    "primary_substance",
    "last_opioid_used",
    "last_opioid_use_at",
    "how_use_began",
    "onset_notes",
    "overdose_count",
    "last_overdose_on",
    "naloxone_at_home",
    "unsuccessful_quit_attempts",
    "quit_attempts_outcome",
    "use_despite_consequences",
    "prior_treatment",
    "prior_treatment_outcome",
    "risk_factors",
    "observed_signs",
    "behavioral_signs",
    "mental_health_conditions",
    "medical_conditions",
    "pregnancy_status",
    "psychiatric_history",
    "current_medications",
    "allergies",
    "housing",
    "employment",
    "legal_involvement",
    "family_supports",
    "readiness_to_change",
    "impressions",
)
# Bookkeeping, identity and signature fields; `episode` is hashed as an identity field.
NON_CONTENT_FIELDS = (
    "id",
    "patient",
    "episode",
    "author",
    "status",
    "signed_at",
    "content_hash",
    "revision",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
)
# What interview_create / interview_update accept in `data`.
WRITABLE_FIELDS = ("episode", *CONTENT_FIELDS)

SUBSTANCE_FIELDS = (
    "substance",
    "substance_name",
    "routes",
    "frequency",
    "typical_amount",
    "age_first_use",
    "last_use_at",
    "tolerance",
)

ARRAY_FIELDS = (
    "prior_treatment",
    "risk_factors",
    "observed_signs",
    "behavioral_signs",
    "mental_health_conditions",
    "medical_conditions",
)

HASH_SCHEMA = "clinic-intake/interview/v1"
ADDENDUM_HASH_SCHEMA = "clinic-intake/interview-addendum/v1"

# Canonical content and hashes ------------------------------------------------------------


def _canonical_value(value: Any) -> Any:
    """A multi-select is a set: its choices are hashed sorted, whatever order they were
    stored in; other values as every signed record is (`intake.signing.json_ready`)."""
    if isinstance(value, list | tuple):
        return sorted(str(v) for v in value)
    return json_ready(value)


def _canonical_row(row: Typed) -> dict[str, Any]:
    return {name: _canonical_value(row.get(name)) for name in SUBSTANCE_FIELDS}


def interview_canonical_content(
    *, interview: Interview, substances: Iterable[SubstanceUse] | None = None
) -> dict[str, Any]:
    """The signed content: identity (interview, patient, author, episode, signing time), every
    content field and the substance rows, as JSON-ready values. Lists are sorted and rows are
    in a fixed order, so equal content gives equal JSON. `substances` defaults to the saved
    rows (`interview.substances.all()`, which uses a prefetch when there is one)."""
    rows = interview.substances.all() if substances is None else substances
    canonical_rows = [
        _canonical_row({name: getattr(row, name) for name in SUBSTANCE_FIELDS}) for row in rows
    ]
    canonical_rows.sort(
        key=lambda r: (r["substance"] or "", r["substance_name"] or "", canonical_json(r))
    )
    return {
        "schema": HASH_SCHEMA,
        "interview": str(interview.pk),
        "patient": str(interview.patient_id),
        "author": interview.author_id,
        "episode": str(interview.episode_id) if interview.episode_id else None,
        "signed_at": _canonical_value(interview.signed_at),
        "fields": {name: _canonical_value(getattr(interview, name)) for name in CONTENT_FIELDS},
        "substances": canonical_rows,
    }


def interview_canonical_json(
    *, interview: Interview, substances: Iterable[SubstanceUse] | None = None
) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 text kept as is."""
    return canonical_json(interview_canonical_content(interview=interview, substances=substances))


def interview_compute_hash(
    *, interview: Interview, substances: Iterable[SubstanceUse] | None = None
) -> str:
    return content_sha256(interview_canonical_content(interview=interview, substances=substances))


def interview_verify_hash(*, interview: Interview) -> bool:
    """True when a signed interview's stored content still has the hash it was signed with.
    A draft has nothing to verify (False)."""
    if interview.status != InterviewStatus.SIGNED or not interview.content_hash:
        return False
    return interview_compute_hash(interview=interview) == interview.content_hash


def _addendum_content(*, addendum: InterviewAddendum, interview_hash: str) -> dict[str, Any]:
    return {
        "schema": ADDENDUM_HASH_SCHEMA,
        "addendum": str(addendum.pk),
        "interview": str(addendum.interview_id),
        # Chained: the addendum also vouches for the signed interview it amends.
        "interview_hash": interview_hash,
        "author": addendum.author_id,
        "signed_at": _canonical_value(addendum.signed_at),
        "reason": addendum.reason,
        "text": addendum.text,
    }


def addendum_canonical_json(*, addendum: InterviewAddendum, interview_hash: str) -> str:
    return canonical_json(_addendum_content(addendum=addendum, interview_hash=interview_hash))


def addendum_compute_hash(*, addendum: InterviewAddendum, interview_hash: str) -> str:
    return content_sha256(_addendum_content(addendum=addendum, interview_hash=interview_hash))


def addendum_verify_hash(*, addendum: InterviewAddendum, interview: Interview) -> bool:
    expected = addendum_compute_hash(addendum=addendum, interview_hash=interview.content_hash)
    return expected == addendum.content_hash


# Applying what was typed ---------------------------------------------------------------


def _model_field(model: type[Model], name: str) -> Field[Any, Any]:
    return cast("Field[Any, Any]", model._meta.get_field(name))


def _in_choice_order(model: type[Model], name: str, values: Iterable[Any] | None) -> list[str]:
    """A multi-select's values once each, in the order its choices are declared (unknown values
    are kept, last, for full_clean to name)."""
    array_field: Any = model._meta.get_field(name)  # an ArrayField, whose items have the choices
    order = {value: i for i, (value, _label) in enumerate(array_field.base_field.choices)}
    unique = list(dict.fromkeys(str(v) for v in values or []))
    return sorted(unique, key=lambda v: order.get(v, len(order)))


def _apply(interview: Interview, data: Typed) -> list[str]:
    """Copy writable fields from `data` onto the interview; return the names that changed.
    `episode` is an Episode or None (the caller resolves ids within the patient)."""
    changed: list[str] = []
    for name in WRITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "episode":
            if interview.episode_id != (value.pk if value is not None else None):
                interview.episode = value
                changed.append(name)
            continue
        field = _model_field(Interview, name)
        if name in ARRAY_FIELDS:
            value = _in_choice_order(Interview, name, value)
        elif value is None and not field.null and field.get_internal_type() != "DateField":
            value = ""  # an emptied text or choice field
        if getattr(interview, name) != value:
            setattr(interview, name, value)
            changed.append(name)
    return changed


def _build_rows(interview: Interview, substances: Iterable[Typed]) -> list[SubstanceUse]:
    rows = []
    for row in substances:
        values = {name: row.get(name) for name in SUBSTANCE_FIELDS if name in row}
        for name in ("substance_name", "frequency", "typical_amount"):
            if values.get(name) is None:
                values[name] = ""
        values["routes"] = _in_choice_order(SubstanceUse, "routes", values.get("routes"))
        rows.append(SubstanceUse(interview=interview, **values))
    return rows


# Writes ----------------------------------------------------------------------------------


@transaction.atomic
def interview_create(
    *, actor: User, patient: Patient, data: Typed, substances: Iterable[Typed] = ()
) -> Interview:
    """Start a draft interview authored by `actor`. `interviewed_on` defaults to today."""
    interview = Interview(
        patient=patient,
        author=actor,
        status=InterviewStatus.DRAFT,
        created_by=actor,
        updated_by=actor,
    )
    _apply(interview, data)
    if interview.interviewed_on is None:
        interview.interviewed_on = timezone.localdate()
    rows = _build_rows(interview, substances)
    validate(interview, patient, rows)
    interview.save()
    SubstanceUse.objects.bulk_create(rows)
    # Field names and counts only: the values are PHI and the record itself holds them.
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=interview,
        detail={"substances": len(rows)},
    )
    return interview


@transaction.atomic
def interview_update(
    *,
    actor: User,
    interview: Interview,
    data: Typed,
    substances: Iterable[Typed] | None = None,
    revision: int | None,
) -> Interview:
    """Save a draft. Only its author may, only while it is a draft (RecordSigned otherwise),
    and only from the `revision` they read (StaleVersion otherwise; nothing is written).
    `substances`, when given, replaces the substance rows; None leaves them as they are."""
    locked = (
        Interview.objects.select_for_update(of=("self",), no_key=True)
        .select_related("patient", "episode")
        .get(pk=interview.pk)
    )
    if locked.status != InterviewStatus.DRAFT:
        raise RecordSigned("This interview is signed and cannot be changed; add an addendum.")
    if locked.author_id != actor.pk:
        raise RuleViolation("Only the author of a draft interview may edit it.")
    if revision is None:
        raise ValidationError({"revision": ["Send the revision you read."]})
    if revision != locked.revision:
        raise StaleVersion(current=locked)
    changed = _apply(locked, data)
    if substances is not None:
        new_rows = _build_rows(locked, substances)
        current = sorted(
            map(canonical_json, (_canonical_row(vars(r)) for r in locked.substances.all()))
        )
        proposed = sorted(map(canonical_json, (_canonical_row(vars(r)) for r in new_rows)))
        if current != proposed:
            changed.append("substances")
        rows = new_rows
    else:
        rows = list(locked.substances.all())
    validate(locked, locked.patient, rows)
    if not changed:
        return locked
    if "substances" in changed:
        locked.substances.all().delete()
        SubstanceUse.objects.bulk_create(rows)
    locked.revision += 1
    save_audited(
        actor=actor, record=locked, detail={"fields": changed, "revision": locked.revision}
    )
    return locked


@transaction.atomic
def interview_sign(*, actor: User, interview: Interview, revision: int | None = None) -> Interview:
    """The author signs the draft: it becomes immutable and its content hash is stored.
    `revision`, when given, must be the one the author reviewed (StaleVersion otherwise)."""
    locked = (
        Interview.objects.select_for_update(of=("self",), no_key=True)
        .select_related("patient")
        .get(pk=interview.pk)
    )
    if locked.status != InterviewStatus.DRAFT:
        raise RecordSigned("This interview is already signed.")
    if locked.author_id != actor.pk:
        raise RuleViolation("Only the author of an interview may sign it.")
    if revision is not None and revision != locked.revision:
        raise StaleVersion(current=locked)
    locked.status = InterviewStatus.SIGNED
    locked.signed_at = timezone.now()
    locked.updated_by = actor
    locked.content_hash = interview_compute_hash(
        interview=locked, substances=list(locked.substances.all())
    )
    locked.full_clean(exclude=["patient", "author"], validate_unique=False)
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.SIGN,
        patient=locked.patient,
        obj=locked,
        detail={"content_hash": locked.content_hash},
    )
    return locked


@transaction.atomic
def interview_add_addendum(
    *, actor: User, interview: Interview, reason: str, text: str
) -> InterviewAddendum:
    """Any clinician on the patient's care team adds a signed, dated addendum to a signed
    interview; the interview itself is not changed."""
    locked = (
        Interview.objects.select_for_update(of=("self",), no_key=True)
        .select_related("patient")
        .get(pk=interview.pk)
    )
    if not access.can_add_interview_addendum(actor, locked):
        raise RuleViolation("Only clinicians on the patient's care team may add an addendum.")
    if locked.status != InterviewStatus.SIGNED:
        raise RuleViolation("Addenda are for signed interviews; the author edits a draft directly.")
    reason, text = (reason or "").strip(), (text or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        add_error(errors, "reason", "Give the reason for the addendum.")
    if not text:
        add_error(errors, "text", "Write the addendum.")
    if errors:
        raise ValidationError(errors)
    addendum = InterviewAddendum(
        interview=locked,
        author=actor,
        reason=reason,
        text=text,
        signed_at=timezone.now(),
        created_by=actor,
        updated_by=actor,
    )
    addendum.content_hash = addendum_compute_hash(
        addendum=addendum, interview_hash=locked.content_hash
    )
    addendum.full_clean()
    addendum.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=locked.patient,
        obj=addendum,
        detail={"interview": str(locked.pk), "content_hash": addendum.content_hash},
    )
    return addendum


# Rules the pages ask before offering an action (the writes above enforce them) -------------


def interview_editable_by(*, interview: Interview, user: User) -> bool:
    """A draft is edited by its author only."""
    return interview.status == InterviewStatus.DRAFT and interview.author_id == user.pk


def interview_signable_by(*, interview: Interview, user: User) -> bool:
    """A draft is signed by its author only."""
    return interview.status == InterviewStatus.DRAFT and interview.author_id == user.pk
