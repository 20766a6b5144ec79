"""Fingerprints of signed records: canonical JSON (sorted keys, no whitespace, text as is) and
its SHA-256. Interviews, addenda and treatment plans are signed with these, so one record's
hash can be recomputed and compared by any of them the same way."""

import hashlib
import json


def canonical_json(content) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_sha256(content) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
