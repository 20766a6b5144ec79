"""Local development and the demo: `make run`. Plain HTTP on loopback.

DEBUG stays off unless a developer sets DJANGO_DEBUG=1: the demo shows what a clinic would see
(the app's own 404 with its emergency-access offer, never Django's debug page with the URL list
and settings). Static files are served by WhiteNoise from the app folders either way."""

from clinic.settings.base import *  # noqa: F403
from clinic.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)

# Static files straight from the app folders (no collectstatic step needed).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
