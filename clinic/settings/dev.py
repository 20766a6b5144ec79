"""Local development and the demo: `make run`. Plain HTTP on loopback.

DEBUG stays off unless a developer sets DJANGO_DEBUG=1: the demo shows what a clinic would see
(the app's own 404 with its emergency-access offer, never Django's debug page with the URL list
and settings). Static files are served by WhiteNoise from the app folders either way."""

import secrets

from clinic.settings.base import *  # noqa: F403
from clinic.settings.env import env_bool

# The demo signs audit checkpoints with a key of its own, kept beside (not in) its database.
if not AUDIT_CHECKPOINT_KEY:  # noqa: F405
    _key_file = BASE_DIR / "var" / "audit-checkpoint.key"  # noqa: F405
    if not _key_file.exists():
        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_hex(32))
        _key_file.chmod(0o600)
    AUDIT_CHECKPOINT_KEY = _key_file.read_text().strip()

DEBUG = env_bool("DJANGO_DEBUG", False)

# Static files straight from the app folders (no collectstatic step needed).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
