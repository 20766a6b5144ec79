"""Production: HTTPS only, secure cookies, HSTS, hashed static files; secrets from the env."""

from django.core.exceptions import ImproperlyConfigured

from clinic.settings.base import *  # noqa: F403
from clinic.settings.env import env_bool, env_int, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of 50+ characters")

AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY")
if len(AUDIT_CHECKPOINT_KEY) < 32:
    raise ImproperlyConfigured(
        "AUDIT_CHECKPOINT_KEY must be set to a random value of 32+ characters, kept off the "
        "database server (docs/security.md)"
    )

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Persistent connections: connecting costs ~4.5 ms a request (bench/README.md).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)  # noqa: F405
for _alias in DATABASES:  # noqa: F405 - the outcome reports' replica, where one is set
    DATABASES[_alias]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)  # noqa: F405

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
