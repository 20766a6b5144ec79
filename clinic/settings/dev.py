"""Local development: `make run`. Debug pages on, plain HTTP."""

from clinic.settings.base import *  # noqa: F403
from clinic.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)

# Static files straight from the app folders (no collectstatic step needed).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
