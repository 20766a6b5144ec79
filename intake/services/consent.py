"""Recording and revoking 42 CFR Part 2 consents (§2.31). A consent lacking any element is
refused, naming each missing element; a revocation never reaches back over disclosures made."""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from intake.dates import past_date_error
from intake.exceptions import RecordSigned
from intake.models import AuditAction, Consent, DisclosureContent, Patient
from intake.models.consent import (
    CONSENT_STATEMENTS,
    COUNSELING_NOTES_WORDS,
    SUD_WORDS,
    content_kinds_named_in,
)
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What a §2.31 consent must hold, as staff name it (the patient's name is the patient record).
ELEMENTS = {
    "disclosing_party": "who may disclose (the program's name or a general designation)",
    "recipient": "to whom (the recipient's name or a general designation)",
    "information": "what information and how much, naming substance use disorder information",
    "content_kinds": (
        "which records (patient summary, treatment plan, lab results; or SUD counseling notes "
        "alone)"
    ),
    "purpose": "the purpose of the disclosure",
    "expires_on": "when the consent ends (an expiry date, or an expiry event)",
    "right_to_revoke_acknowledged": "the patient's right to revoke in writing, and its exceptions",
    "signed_on": "the date signed",
    "signed_by": "the signature of the patient or of a person authorised to sign",
}

# Signed copies: the kinds a scanner or phone produces, recognised by content, not by name.
SIGNATURES = {b"%PDF-": "pdf", b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def missing(element: str) -> str:
    return f"Missing element of a 42 CFR 2.31 consent: {ELEMENTS[element]}."


# 42 CFR 2.31(b): docs/clinical-rules.md#counseling-notes.
COUNSELING_NOTES_ALONE = (
    "A consent to disclose SUD counseling notes must name them and nothing else "
    "(42 CFR 2.31(b)): record a separate consent for the other records."
)
COUNSELING_NOTES_EXPLICIT = (
    "The description speaks of counseling notes: SUD counseling notes are covered only when "
    "content_kinds names them explicitly (sud-counseling-notes), and nothing else "
    "(42 CFR 2.31(b))."
)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def consent_check(
    *, data: Mapping[str, Any], today: datetime.date | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The consent's fields, cleaned, and the errors ({field: [messages]}) of every element
    that is missing or unusable. Nothing is stored."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key in ("disclosing_party", "recipient", "information", "purpose", "signed_by"):
        clean[key] = _text(data, key)
        if not clean[key]:
            errors[key] = [missing(key)]
    if clean["information"] and not SUD_WORDS.search(clean["information"]):
        errors["information"] = [
            'Name substance use disorder information explicitly (for example "substance use '
            'disorder diagnosis, treatment and drug screen results"), as 42 CFR 2.31 requires.'
        ]
    kinds, bad = _content_kinds(data, clean["information"], errors)
    clean["content_kinds"] = (
        sorted(set(kinds), key=DisclosureContent.values.index) if not bad else []
    )
    clean["recipient_is_general_designation"] = bool(data.get("recipient_is_general_designation"))
    clean["expires_on"] = data.get("expires_on") or None
    clean["expiry_event"] = _text(data, "expiry_event")
    if clean["expires_on"] is None and not clean["expiry_event"]:
        errors["expires_on"] = [missing("expires_on")]
    # The right to revoke and its exceptions, and the consequences of refusing, are the
    # system's own text (CONSENT_STATEMENTS), shown on the form and stored with the consent. A
    # client need not send the flag (docs/api.md#consents); a false one (not told) is refused.
    acknowledged = data.get("right_to_revoke_acknowledged", True)
    clean["right_to_revoke_acknowledged"] = acknowledged not in (False, "false", "0", "")
    clean["statements"] = CONSENT_STATEMENTS
    if not clean["right_to_revoke_acknowledged"]:
        errors["right_to_revoke_acknowledged"] = [missing("right_to_revoke_acknowledged")]
    clean["signed_on"] = data.get("signed_on") or None
    if clean["signed_on"] is None:
        errors["signed_on"] = [missing("signed_on")]
    elif clean["signed_on"] > today:
        errors["signed_on"] = ["The date signed cannot be in the future."]
    elif too_early := past_date_error(clean["signed_on"], what="The date signed"):
        errors["signed_on"] = [too_early]
    elif clean["expires_on"] is not None and clean["expires_on"] < clean["signed_on"]:
        errors["expires_on"] = ["The consent cannot expire before it was signed."]
    return clean, errors


def _content_kinds(
    data: Mapping[str, Any], information: str, errors: dict[str, list[str]]
) -> tuple[list[str], list[str]]:
    """(the kinds named, the unknown ones among them); a refusal added to `errors`."""
    kinds = data.get("content_kinds")
    if kinds is None or kinds in ("", []):
        if COUNSELING_NOTES_WORDS.search(information):
            # Never inferred, either way: the clinician says whether they are covered.
            errors["content_kinds"] = [COUNSELING_NOTES_EXPLICIT]
            return [], []
        # A client that sends only the description: the kinds it names.
        kinds = content_kinds_named_in(information)
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    bad = [k for k in kinds if k not in DisclosureContent.values]
    if bad:
        errors["content_kinds"] = [
            f"Unknown kind {bad[0]!r}; choose from {', '.join(DisclosureContent.values)}."
        ]
    elif not kinds:
        errors["content_kinds"] = [missing("content_kinds")]
    elif DisclosureContent.SUD_COUNSELING_NOTES in kinds and len(set(kinds)) > 1:
        errors["content_kinds"] = [COUNSELING_NOTES_ALONE]
    return kinds, bad


def _upload_size(upload: UploadedFile) -> int:
    """Django's upload handlers always set the size; an UploadedFile made by hand may leave it
    None, and then the file itself is measured."""
    if upload.size is not None:
        return upload.size
    upload.seek(0, os.SEEK_END)
    size: int = upload.tell()
    upload.seek(0)
    return size


def signed_copy_check(upload: UploadedFile | None) -> str:
    """The file kind ("pdf", "png", "jpg") of an acceptable signed copy; ValidationError
    otherwise."""
    if upload is None:
        return ""
    if _upload_size(upload) > settings.CONSENT_UPLOAD_MAX_BYTES:
        limit = settings.CONSENT_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"signed_copy": [f"The file is larger than {limit} MB."]})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    raise ValidationError({"signed_copy": ["Upload the signed copy as a PDF, PNG or JPEG file."]})


def consent_create(
    *,
    actor: User,
    patient: Patient,
    data: Mapping[str, Any],
    signed_copy: UploadedFile | None = None,
) -> Consent:
    clean, errors = consent_check(data=data)
    try:
        kind = signed_copy_check(signed_copy)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent(patient=patient, created_by=actor, updated_by=actor, **clean)
        consent.full_clean(exclude=["signed_copy"])
        consent.save()
        if signed_copy is not None:
            # The stored name is the consent's id, never the uploaded file's name.
            consent.signed_copy.save(f"signed.{kind}", signed_copy, save=True)
        audit_record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=consent)
    return consent


def consent_revoke(*, actor: User, consent: Consent, revoked_on: datetime.date | None) -> Consent:
    """Revocation takes effect on `revoked_on` and is never retroactive: it cannot be dated
    before the signature, after today, or before a disclosure already made under it."""
    today = timezone.localdate()
    if revoked_on is None:
        raise ValidationError({"revoked_on": ["Give the date the patient revoked the consent."]})
    with transaction.atomic():
        locked = Consent.objects.select_for_update(no_key=True).get(pk=consent.pk)
        if locked.revoked_on is not None:
            raise RecordSigned(f"This consent was already revoked on {locked.revoked_on}.")
        if revoked_on > today:
            raise ValidationError({"revoked_on": ["A revocation cannot be dated in the future."]})
        if revoked_on < locked.signed_on:
            raise ValidationError(
                {"revoked_on": ["A revocation cannot be dated before the consent was signed."]}
            )
        last = locked.disclosures.aggregate(last=Max("disclosed_at"))["last"]
        if last is not None and revoked_on < timezone.localdate(last):
            raise ValidationError(
                {
                    "revoked_on": [
                        "A revocation is not retroactive: information was already disclosed "
                        f"under this consent on {timezone.localdate(last)}; date the revocation "
                        "on or after that day."
                    ]
                }
            )
        locked.revoked_on = revoked_on
        locked.revoked_by = actor
        locked.updated_by = actor
        locked.save(update_fields=["revoked_on", "revoked_by", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            patient_id=locked.patient_id,
            obj=locked,
            detail={"change": "revoked"},
        )
    return locked
