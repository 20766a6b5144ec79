"""The secrets of a self-report link (docs/clinical-rules.md#self-report): the URL token and
the waiting-room tablet code, and the SHA-256 under which each is stored and looked up.

- The token is `secrets.token_urlsafe(32)`: 256 random bits, beyond any guessing.
- The code is 8 characters from a 31-character alphabet with nothing a patient could misread
  (no 0/O, 1/I/L): 31**8, about 8.5 * 10**11 codes (39 bits). A client address may get
  SELF_REPORT_MAX_ATTEMPTS (5) codes wrong in CODE_WINDOW (15 minutes) before the tablet page
  answers 429, so guessing any one of a thousand open codes takes some 10**8 windows (thousands
  of years) from one address. It is shown as `ABCD-EFGH`; dashes, spaces and case are ignored.

Neither is kept in clear: only the hash, so a reader of the database cannot open a patient's
page. A lookup is by the hash of what was typed (an index lookup, not a comparison of secrets
in Python): a timing difference could only tell the attacker about the hash of their own
guess, which says nothing of any stored token or code."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_WINDOW = datetime.timedelta(minutes=15)
# What a token or a code may look like at all: anything else is unknown without a query.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_CODE_SEPARATORS = re.compile(r"[\s-]+")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_display(code: str) -> str:
    """`ABCD-EFGH`: two groups of four, easier to read out and type."""
    return f"{code[:4]}-{code[4:]}"


def normalized_code(typed: str) -> str | None:
    """The code as stored from what a patient typed (case, spaces and dashes ignored); None
    when it cannot be a code at all."""
    code = _CODE_SEPARATORS.sub("", typed or "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def digest(secret: str) -> str:
    """SHA-256 (hex) of a token or a normalized code: what the link stores."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_looks_valid(token: str) -> bool:
    return bool(TOKEN_SHAPE.match(token or ""))
