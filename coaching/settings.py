"""Settings for the coaching engagement manager, read from environment variables only.

Every variable is listed with a comment in `.env.example`. A malformed value stops start-up with a
message naming the variable. Without `DATABASE_URL` the app uses SQLite (WAL mode) under `var/`;
without `REDIS_URL` Celery uses its filesystem transport under `var/` and the cache lives on disk.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from zoneinfo import available_timezones

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off); got {raw!r}.")


def _int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    return value


DEBUG = _bool("DEBUG", False)
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
# Commands that only read or write migration files or translation catalogues: they never serve a
# request or sign anything, so a checkout can run them without a production secret.
SCHEMA_TOOL = len(sys.argv) > 1 and sys.argv[1] in {
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "makemessages",
    "compilemessages",
}

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING or SCHEMA_TOOL:
        SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789abcdef"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production refuses to start without it (set DEBUG=1 for local development)."
        )
# Previous secret keys, comma-separated, newest first: links and cookies signed with them keep
# working while they are listed (README, "Rotating the secret key").
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
if any(not key.strip() for key in SECRET_KEY_FALLBACKS):
    raise ImproperlyConfigured("SECRET_KEY_FALLBACKS has an empty entry; list the old keys separated by commas.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Unset, the public address follows PORT (the port `make run` serves on), so links in e-mails reach
# the site wherever it runs locally.
PORT = _int("PORT", 8000, minimum=1)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "accounts.admin_site.SiteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "notifications",
    "engagements",
    "fieldwork",
    "stakeholders",
    "booking",
    "webhooks",
    "programs",
    "coaching",
    "api",
    "exports",
    "retention",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages (not static files: WhiteNoise answered those above); see coaching/compression.py.
    "coaching.compression.PageGZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    # After authentication: the signed-in person's language, else their practice's, else the browser's.
    "accounts.middleware.UserLanguageMiddleware",
]

ROOT_URLCONF = "coaching.urls"
WSGI_APPLICATION = "coaching.wsgi.application"

# Outside DEBUG every template is read and compiled once per process (the cached loader); in
# development each request reads them afresh, so an edited template shows at once.
_TEMPLATE_LOADERS = ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coaching.context_processors.roles",
            ],
            "loaders": _TEMPLATE_LOADERS if DEBUG else [("django.template.loaders.cached.Loader", _TEMPLATE_LOADERS)],
        },
    }
]

# --- Timeouts for the database and Redis --------------------------------------------------------
# An unreachable or hung server must cost a request seconds, not a worker timeout: every connection
# gives up after these. PostgreSQL starts a process per connection, which takes over 2 s on a busy
# machine, so its connect timeout is longer than Redis's (libpq counts anything below 2 s as 2 s).
DB_CONNECT_TIMEOUT = _int("DB_CONNECT_TIMEOUT", 5, minimum=2)
# A server-side limit on one SQL statement, in seconds (0: none). Off by default because migrations
# and the benchmark's seeder run long statements; set it for the web processes (below gunicorn's
# 30-second worker timeout, for example 25).
DB_STATEMENT_TIMEOUT = _int("DB_STATEMENT_TIMEOUT", 0)
REDIS_CONNECT_TIMEOUT = _int("REDIS_CONNECT_TIMEOUT", 2, minimum=1)
# Longer than the one-second blocking read with which a Celery worker waits for tasks.
REDIS_SOCKET_TIMEOUT = _int("REDIS_SOCKET_TIMEOUT", 2, minimum=2)
POSTGRES_CONNECTION_OPTIONS: dict = {
    "connect_timeout": DB_CONNECT_TIMEOUT,
    # A server that vanished (a dead host, a dropped network) is noticed on a kept connection too.
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
if DB_STATEMENT_TIMEOUT:
    POSTGRES_CONNECTION_OPTIONS["options"] = f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}"
REDIS_CONNECTION_OPTIONS = {
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
}

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    try:
        DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("CONN_MAX_AGE", _int("DB_CONN_MAX_AGE", 60))
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"].setdefault("OPTIONS", {}).update(POSTGRES_CONNECTION_OPTIONS)
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Broker and cache -------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://; got {REDIS_URL!r}.")

CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600, **REDIS_CONNECTION_OPTIONS}
    CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
    # Handing a task to an unreachable broker is tried twice, not four times: the callers keep the
    # row due (the outbox tick enqueues it again), so waiting longer would only hold up a page.
    CELERY_TASK_PUBLISH_RETRY_POLICY = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
    # There is no result backend (CELERY_TASK_IGNORE_RESULT); should one be added on Redis, same timeouts.
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
    CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
    CACHES = {
        "default": {
            # The cache holds rate-limit counters and page fragments, so it fails open: with Redis
            # unreachable, limits are not counted for a while (one warning in the log), pages are
            # rendered from the database, and every request goes on.
            # See coaching/cache.py before caching anything whose loss would matter.
            "BACKEND": "coaching.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="coaching"),
            "OPTIONS": REDIS_CONNECTION_OPTIONS,
        }
    }
else:
    CELERY_BROKER_URL = "filesystem://localhost//"  # the host is ignored; naming it keeps kombu quiet
    for sub in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }
if TESTING and not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
# Two queues, so the clock never waits behind a backlog of e-mail: the minute tick and the round opener
# go to "clock", every send (and any task not routed here) to "mail". Run a worker for each (README).
# A worker started without -Q consumes both.
_CLOCK_QUEUE, _MAIL_QUEUE = "clock", "mail"
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name), routing_key=name) for name in (_CLOCK_QUEUE, _MAIL_QUEUE))
CELERY_TASK_DEFAULT_QUEUE = _MAIL_QUEUE
CELERY_TASK_ROUTES = {
    "notifications.tick": {"queue": _CLOCK_QUEUE},
    "stakeholders.tasks.open_due_feedback_rounds": {"queue": _CLOCK_QUEUE},
    "notifications.send": {"queue": _MAIL_QUEUE},
    "notifications.send_batch": {"queue": _MAIL_QUEUE},
    "stakeholders.tasks.send_feedback_request": {"queue": _MAIL_QUEUE},
    "booking.tasks.sync_due_calendars": {"queue": _CLOCK_QUEUE},
    "webhooks.redeliver": {"queue": _CLOCK_QUEUE},
    "retention.run": {"queue": _CLOCK_QUEUE},
    "retention.erase": {"queue": _MAIL_QUEUE},
}

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Fast hashing keeps the suite quick; production always uses argon2 (first in the list above).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Failed sign-ins: `/ip` counts an address across accounts; `/key` counts one address on one account
# (accounts.adapters.AccountAdapter puts the address into the key), so a stranger's wrong guesses never
# lock the real person out. Across all addresses an account is only slowed down, never refused.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/5m/ip,5/5m/key",
    "reset_password": "5/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
LOGIN_ACCOUNT_SLOWDOWN_AFTER = _int("LOGIN_ACCOUNT_SLOWDOWN_AFTER", 10, minimum=1)
LOGIN_ACCOUNT_SLOWDOWN_SECONDS = _int("LOGIN_ACCOUNT_SLOWDOWN_SECONDS", 2)
LOGIN_ACCOUNT_WINDOW_SECONDS = 900
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Coaching engagements"
INVITATION_DAYS = _int("INVITATION_DAYS", 14, minimum=1)
# Days an export's download link works; minutes after which an export still waiting for a worker is given up.
EXPORT_LINK_DAYS = _int("EXPORT_LINK_DAYS", 7, minimum=1)
EXPORT_STALE_MINUTES = _int("EXPORT_STALE_MINUTES", 30, minimum=1)
# Retention (retention/): months a leader's data is kept after the engagement ends, for a practice that
# has not set its own period, and days before erasure the leader is told and offered their record.
RETENTION_DEFAULT_MONTHS = _int("RETENTION_DEFAULT_MONTHS", 24, minimum=1)
if RETENTION_DEFAULT_MONTHS > 120:
    raise ImproperlyConfigured(f"RETENTION_DEFAULT_MONTHS must be at most 120; got {RETENTION_DEFAULT_MONTHS}.")
RETENTION_NOTICE_DAYS = _int("RETENTION_NOTICE_DAYS", 30, minimum=1)
# Webhooks: attempts per delivery, the first wait and the longest wait between attempts (seconds), the
# answer timeout, and whether addresses on loopback or private networks may be registered (off: a
# registered address could otherwise reach servers inside the installation's own network).
WEBHOOKS_MAX_ATTEMPTS = _int("WEBHOOKS_MAX_ATTEMPTS", 5, minimum=1)
WEBHOOKS_RETRY_BACKOFF = _int("WEBHOOKS_RETRY_BACKOFF", 30, minimum=1)
WEBHOOKS_RETRY_BACKOFF_MAX = _int("WEBHOOKS_RETRY_BACKOFF_MAX", 3600, minimum=1)
WEBHOOKS_TIMEOUT_SECONDS = _int("WEBHOOKS_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOKS_ALLOW_PRIVATE_HOSTS = _bool("WEBHOOKS_ALLOW_PRIVATE_HOSTS", False)

# --- REST API (api/) -------------------------------------------------------------------------------
# Personal access tokens only (never the session cookie); JSON in and out; cursor pagination; errors
# as JSON with a message. API_RATE_LIMIT counts requests per token in the cache.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/hour")
if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", API_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT must look like 600/hour (per second, minute, hour or day); got {API_RATE_LIMIT!r}."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.PersonalTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ByIdCursor",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coaching engagements API",
    "DESCRIPTION": (
        "Engagements, goals, sessions, agenda items, fieldwork, reflections, stakeholder rosters, "
        "feedback rounds with anonymous aggregates, and the sponsor summary: each readable by exactly "
        "the people who may read it on the site. Authenticate with a personal access token "
        "(Authorization: Bearer ...), made on the preferences page."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "SessionKindEnum": "engagements.models.Session.Kind",
        "PracticeLogKindEnum": "fieldwork.models.PracticeLog.Kind",
        "RoundKindEnum": "stakeholders.models.FeedbackRound.Kind",
        "SessionStatusEnum": "engagements.models.Session.Status",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    try:
        vars().update(env.email_url_config(EMAIL_URL))
    except Exception as exc:
        raise ImproperlyConfigured(f"EMAIL_URL is not a valid e-mail URL: {exc}") from None
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Coaching <coaching@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications (DESIGN.md section 5) ------------------------------------------------------
# One static beat entry runs the outbox tick; the database, not the broker, decides what is due.
NOTIFICATIONS_TICK_SECONDS = _int("NOTIFICATIONS_TICK_SECONDS", 60, minimum=1)
# A row left in "sending" (its worker died) is retried after this many seconds; longer than EMAIL_TIMEOUT.
NOTIFICATIONS_SENDING_TIMEOUT = _int("NOTIFICATIONS_SENDING_TIMEOUT", 600, minimum=1)
if NOTIFICATIONS_SENDING_TIMEOUT <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        f"NOTIFICATIONS_SENDING_TIMEOUT ({NOTIFICATIONS_SENDING_TIMEOUT}) must be longer than "
        f"EMAIL_TIMEOUT ({EMAIL_TIMEOUT}), or a slow send could be retried while it is still talking to the server."
    )
NOTIFICATIONS_MAX_ATTEMPTS = _int("NOTIFICATIONS_MAX_ATTEMPTS", 5, minimum=1)
NOTIFICATIONS_RETRY_BACKOFF = _int("NOTIFICATIONS_RETRY_BACKOFF", 30, minimum=1)
NOTIFICATIONS_RETRY_BACKOFF_MAX = _int("NOTIFICATIONS_RETRY_BACKOFF_MAX", 180, minimum=1)
# Due rows the tick hands to a worker in one task message (README, "Reminders and e-mail").
NOTIFICATIONS_SEND_BATCH = _int("NOTIFICATIONS_SEND_BATCH", 250, minimum=1)
# Local hour at which a message held back by the one-a-day limit goes out the next day.
NOTIFICATIONS_DEFER_TO_HOUR = 9
# --- Booking -------------------------------------------------------------------------------------
# Fernet keys (comma-separated, newest first) that encrypt coaches' CalDAV passwords.
BOOKING_ENCRYPTION_KEYS = env.list("BOOKING_ENCRYPTION_KEY", default=[])
for _key in BOOKING_ENCRYPTION_KEYS:
    try:
        from cryptography.fernet import Fernet

        Fernet(_key.encode())
    except ValueError:
        raise ImproperlyConfigured(
            "BOOKING_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64-encoded bytes), comma-separated: "
            'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        ) from None
BOOKING_CALENDAR_SYNC_SECONDS = _int("BOOKING_CALENDAR_SYNC_SECONDS", 900, minimum=60)
BOOKING_CALDAV_TIMEOUT = _int("BOOKING_CALDAV_TIMEOUT", 10, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "notifications-tick": {
        "task": "notifications.tick",
        "schedule": float(NOTIFICATIONS_TICK_SECONDS),
        # A tick nobody ran in time is dropped: the next one finds the same rows due.
        "options": {"expires": float(max(1, NOTIFICATIONS_TICK_SECONDS - 1))},
    },
    # Planned stakeholder feedback rounds open on their opening day (in the coach's time zone).
    "stakeholders-open-due-rounds": {
        "task": "stakeholders.tasks.open_due_feedback_rounds",
        "schedule": 900.0,
        "options": {"expires": 899.0},
    },
    # Webhook deliveries whose broker message was lost (broker down when they were recorded).
    "webhooks-redeliver": {
        "task": "webhooks.redeliver",
        "schedule": 60.0,
        "options": {"expires": 59.0},
    },
    # Retention notices, and erasures (handed to the mail queue) of engagements whose period is over.
    "retention-run": {
        "task": "retention.run",
        "schedule": 3600.0,
        "options": {"expires": 3599.0},
    },
    # Busy time from coaches' CalDAV calendars over the booking horizon (also on demand from the page).
    "booking-sync-calendars": {
        "task": "booking.tasks.sync_due_calendars",
        "schedule": float(BOOKING_CALENDAR_SYNC_SECONDS),
        "options": {"expires": float(max(1, BOOKING_CALENDAR_SYNC_SECONDS - 1))},
    },
}

# --- Internationalisation ---------------------------------------------------------------------
# English is the default. A signed-in person reads the site in their own language (User.language),
# else in their practice's (Practice.language), else in the first of their browser's languages that
# the site offers; stakeholders in the one chosen for them (README, "Languages"). Each e-mail and
# calendar text is rendered in its recipient's language. The catalogues under locale/ are compiled by
# `make run` and `make test` (the .mo files are not in the repository).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Named date formats (DATE_MEDIUM, WEEKDAY_DATE_TIME, ...) per language; templates use the names only.
FORMAT_MODULE_PATH = ["coaching.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_USER_TIME_ZONE = env.str("DEFAULT_USER_TIME_ZONE", default="Europe/London")
if DEFAULT_USER_TIME_ZONE not in available_timezones():
    raise ImproperlyConfigured(f"DEFAULT_USER_TIME_ZONE must be an IANA time zone; got {DEFAULT_USER_TIME_ZONE!r}.")

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Security ---------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG and SITE_URL.startswith("https"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _bool("BEHIND_PROXY", False) else None
# How many reverse proxies append to X-Forwarded-For in front of the site: rate limits (sign-in,
# private links, unsubscribe) then count the real client's address instead of the proxy's.
TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SESSION_COOKIE_SECURE = SITE_URL.startswith("https")
CSRF_COOKIE_SECURE = SITE_URL.startswith("https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 31536000)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging ----------------------------------------------------------------------------------
# Every log line the product writes passes through `redact_secrets`, which blanks the token of a
# private link (stakeholder, invitation, unsubscribe) wherever it appears in a path.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "accounts.logs.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default handlers of "django" (one of them prints unfiltered lines in DEBUG),
        # so django.request and django.server records go through the redacting console only.
        "django": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO"), "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
