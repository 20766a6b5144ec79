"""Keeping what a clinician types into a form before it is saved (docs/drafts.md).

The page sends the form's fields every few seconds while someone types; if the session ends
(idle timeout) or the database is away when they press Save, signing in again or reopening the
form brings the typing back. A draft is PHI: each save, read and discard is audited; it is
bounded in size and shape, never logged, and deleted as soon as the form itself is saved."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from intake.models import AuditAction, DraftKind, FormDraft, Patient
from intake.selectors.form_draft import form_draft_cutoff, form_draft_get, form_drafts_of
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_FIELDS = 400
MAX_NAME_LENGTH = 120
NEW = "new"
KEY_HELP = "Say which form this is (for example interview:new)."


def draft_key(kind: DraftKind | str, record: Model | None = None) -> str:
    """The key of the draft of a form: of `record`, or of a new one."""
    return f"{DraftKind(kind)}:{record.pk if record is not None else NEW}"


def parse_draft_key(key: object) -> tuple[DraftKind, uuid.UUID | None]:
    """ "<kind>:new" or "<kind>:<record id>" -> (kind, record id or None)."""
    if not isinstance(key, str) or len(key) > 80 or ":" not in key:
        raise ValidationError({"key": KEY_HELP})
    kind, _, rest = key.partition(":")
    if kind not in DraftKind.values:
        raise ValidationError({"key": "This form does not keep drafts."})
    if rest == NEW:
        return DraftKind(kind), None
    try:
        record_id = uuid.UUID(rest)
    except ValueError:
        raise ValidationError({"key": KEY_HELP}) from None
    if str(record_id) != rest:  # one spelling per form, so one draft per form
        raise ValidationError({"key": KEY_HELP})
    return DraftKind(kind), record_id


def _has_nul(value: str) -> bool:
    return "\x00" in value


def _size_label(size: int) -> str:
    return f"{size // 1024} KB" if size >= 1024 else f"{size} bytes"


def clean_draft_fields(fields: object) -> tuple[dict[str, str | list[str]], int]:
    """The fields as stored, and their size in bytes; or a ValidationError naming `fields`.
    A flat object of field name -> text or list of texts, as a browser's form holds them."""
    if not isinstance(fields, dict):
        raise ValidationError({"fields": "Send the form's fields as an object."})
    if len(fields) > MAX_FIELDS:
        raise ValidationError({"fields": f"At most {MAX_FIELDS} fields can be kept."})
    cleaned: dict[str, str | list[str]] = {}
    for name, value in fields.items():
        if not name or len(name) > MAX_NAME_LENGTH or _has_nul(name):
            raise ValidationError({"fields": "A field name is empty, too long or not text."})
        if isinstance(value, list):
            if len(value) > MAX_FIELDS or not all(isinstance(v, str) for v in value):
                raise ValidationError({"fields": "A field holds something other than text."})
            if any(_has_nul(v) for v in value):
                raise ValidationError({"fields": "A field holds a character text cannot hold."})
        elif isinstance(value, str):
            if _has_nul(value):
                raise ValidationError({"fields": "A field holds a character text cannot hold."})
        else:
            raise ValidationError({"fields": "A field holds something other than text."})
        cleaned[name] = value
    size = len(json.dumps(cleaned, ensure_ascii=False).encode())
    limit = settings.FORM_DRAFT_MAX_BYTES
    if size > limit:
        too_big = f"Too much to keep as a draft (at most {_size_label(limit)}): save the form."
        raise ValidationError({"fields": too_big})
    return cleaned, size


def _audit(
    actor: User, action: AuditAction, patient: Patient, draft: FormDraft, kind: DraftKind
) -> None:
    audit_record(
        actor=actor,
        action=action,
        patient=patient,
        object_type="form-draft",
        object_id=str(draft.pk),
        detail={"form": str(kind)},
    )


def form_draft_save(*, actor: User, patient: Patient, key: str, fields: object) -> FormDraft:
    """Keep (or replace) the actor's draft of this form. Access is checked before (resolvers)."""
    kind, _ = parse_draft_key(key)
    cleaned, size = clean_draft_fields(fields)
    with transaction.atomic():
        # The owner's drafts past keeping go whenever they keep a new one (also: purge_drafts).
        FormDraft.objects.filter(owner=actor, updated_at__lt=form_draft_cutoff()).delete()
        values = {"kind": kind, "fields": cleaned, "size": size}
        try:
            with transaction.atomic():
                draft, created = FormDraft.objects.update_or_create(
                    owner=actor, patient=patient, key=key, defaults=values
                )
        except IntegrityError:
            # Two autosaves of the same form raced to create it: the later one replaces it.
            draft = FormDraft.objects.select_for_update(no_key=True).get(
                owner=actor, patient=patient, key=key
            )
            for name, value in values.items():
                setattr(draft, name, value)
            draft.save()
            created = False
        _audit(actor, AuditAction.CREATE if created else AuditAction.UPDATE, patient, draft, kind)
    return draft


def form_draft_load(*, actor: User, patient: Patient, key: str) -> FormDraft | None:
    """The actor's draft of this form, its read audited; None when there is none."""
    kind, _ = parse_draft_key(key)
    draft = form_draft_get(owner=actor, patient=patient, key=key)
    if draft is not None:
        _audit(actor, AuditAction.READ, patient, draft, kind)
    return draft


def form_drafts_listed(*, actor: User, patient: Patient) -> list[dict[str, str]]:
    """Which forms of this patient the actor has drafts for, and when they last typed (no
    content); the read audited when there are any."""
    drafts = list(form_drafts_of(owner=actor).filter(patient=patient).order_by("-updated_at"))
    if drafts:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            patient=patient,
            object_type="form-draft-list",
            object_id=str(patient.pk),
        )
    return [
        {"key": d.key, "form": d.get_kind_display(), "saved_at": d.updated_at.isoformat()}
        for d in drafts
    ]


def form_draft_discard(*, actor: User, patient: Patient, key: str) -> bool:
    """Delete the actor's draft of this form (discarded, or the form was saved)."""
    kind, _ = parse_draft_key(key)
    with transaction.atomic():
        draft = FormDraft.objects.filter(owner=actor, patient=patient, key=key).first()
        if draft is None:
            return False
        _audit(actor, AuditAction.DELETE, patient, draft, kind)
        draft.delete()
    return True


def form_drafts_purge() -> int:
    """Delete every draft past keeping (manage.py purge_drafts, run daily)."""
    deleted, _ = FormDraft.objects.filter(updated_at__lt=form_draft_cutoff()).delete()
    return deleted


def form_drafts_of_record_delete(
    *, actor: User, patient: Patient, kind: DraftKind, record: Model
) -> int:
    """Delete every kept typing of the form of `record` (whoever typed it): the record itself
    is being discarded, so there is nothing left to save it into. Each deletion is audited."""
    deleted = 0
    key = draft_key(kind, record)
    for draft in FormDraft.objects.select_for_update().filter(patient=patient, key=key):
        _audit(actor, AuditAction.DELETE, patient, draft, kind)
        draft.delete()
        deleted += 1
    return deleted
