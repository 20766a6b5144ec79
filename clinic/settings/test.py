"""Tests: the real PostgreSQL (DATABASE_URL or embedded), a fast hasher, no manifest."""

import tempfile
from pathlib import Path

from clinic.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_FAILURE_LIMIT = 5
# Checkpoints only where a test asks for one: a periodic one would change query counts.
AUDIT_CHECKPOINT_KEY = "test-only-audit-checkpoint-key"
AUDIT_CHECKPOINT_MINUTES = 0
# Every outcome report computed afresh (a test that wants the kept answer turns it on).
OUTCOMES_CACHE_SECONDS = 0
# The test database is made once by migrate: no refresh task left queued in it for every test.
OUTCOMES_REFRESH_AFTER_MIGRATE = False

# Static files straight from the app folders (no collectstatic step needed).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded files go to a throwaway folder, never into the work tree.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="clinic-intake-test-media-"))
