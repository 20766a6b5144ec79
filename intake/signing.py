"""Fingerprints of signed records: JSON-ready values, canonical JSON (sorted keys, no whitespace,
text as is) and its SHA-256. Interviews, addenda, diagnoses and treatment plans are signed with
these, so one record's hash can be recomputed and compared by any of them the same way.

The forms of values below are what every record signed so far was hashed with
(tests/test_signing_hashes.py pins them): changing one would make those records fail to verify."""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def json_ready(value: Any) -> Any:
    """`value` with dates, date-times and decimals as JSON text, inside dicts and lists too.
    A decimal is written without trailing zeros (16.000 -> "16"), so a dose reads the same
    whatever precision the column has; a date-time is written in UTC to the microsecond."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def canonical_json(content: Any) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_sha256(content: Any) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def disclosure_sha256(document: Any) -> str:
    """The digest recorded with each disclosure since disclosures began: JSON with sorted keys,
    Python's default separators (", " and ": ") and non-ASCII escaped. It is not
    `content_sha256` because recipients and the accounting already hold digests made this
    way; a second rule on the same column would make earlier disclosures fail the check."""
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def signer_credentials(user: User) -> str:
    """The licence printed beside a signature ("Physician (MD) 12345"), or "" for a signer
    without one on their staff profile."""
    profile = getattr(user, "staff_profile", None)
    if profile is None or not profile.license_type:
        return ""
    return f"{profile.get_license_type_display()} {profile.license_number}".strip()
