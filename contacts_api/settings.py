"""Settings for the Contacts API.

Everything that differs between machines comes from the environment (or an optional
`.env` file beside manage.py) through django-environ. README.md lists every setting.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# An insecure key is only acceptable for local development and tests; `make run` writes
# a random one into `.env`.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-change-me-" + "x" * 24)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Base of absolute links in emails (the welcome email's set-password link is sent from a
# background task that has no request to build a URL from).
# By default the address `make run` serves on (BIND, or 127.0.0.1:PORT).
_served_at = env.str("BIND", default="") or f"127.0.0.1:{env.str('PORT', default='8000')}"
SITE_URL = env.str("SITE_URL", default=f"http://{_served_at}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "clients",
    "contacts",
    "dataio",
    "idempotency",
    "events",
    "webhooks",
]

MIDDLEWARE = [
    "contacts_api.api.middleware.RequestIDMiddleware",
    "contacts_api.db_deadline.DatabaseDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "contacts_api.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Everything from this host, no inline scripts (Swagger UI loads its start-up script as
# a file: SpectacularSwaggerSplitView). Inline styles are allowed: the admin's templates
# and Redoc's styled components write them. Images as data: and Redoc's worker as blob:
# are what the two bundles make themselves.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

ROOT_URLCONF = "contacts_api.urls"
WSGI_APPLICATION = "contacts_api.wsgi.application"
# The API answers with and without a trailing slash and never redirects (API.md 1).
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "contacts_api" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# An empty DATABASE_URL means the default, like an unset one.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write to one file: WAL lets readers run beside the writer,
    # IMMEDIATE takes the write lock when a transaction starts (no deadlock-prone lock
    # upgrade), and the busy timeout makes a writer wait instead of "database is locked".
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            # A 64 MiB page cache (the default is 2 MiB) keeps the indexes of a million
            # contacts in memory for imports and searches.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-65536;PRAGMA temp_store=MEMORY;"
            ),
        }
    )
else:
    # PostgreSQL: persistent connections checked before reuse, a short connect timeout and
    # a statement timeout, so an outage or a runaway query fails fast (503) instead of
    # holding every worker.
    _db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": env.int("DB_CONNECT_TIMEOUT", default=2),
            # A peer that vanishes (a partition that drops packets) is noticed within
            # seconds, also outside requests (commands, the webhook worker); a frozen server
            # whose host still answers TCP is the request deadline's case (db_deadline.py).
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 3,
            "keepalives_count": 3,
            "tcp_user_timeout": 10000,
            # A search's plan depends on its words: plan_cache_mode keeps PostgreSQL from
            # switching a prepared statement to a generic plan made without them.
            "options": (
                f"-c statement_timeout={env.int('DB_STATEMENT_TIMEOUT_MS', default=10000)}"
                " -c plan_cache_mode=force_custom_plan"
            ),
            # Parameters bound by the server, so that a statement has the same text every
            # time and psycopg prepares it after a few runs: PostgreSQL then skips parsing
            # and planning, most of the cost of a small query. Behind a pooler in
            # transaction mode (PgBouncer < 1.21), set DB_PREPARED_STATEMENTS=false.
            "server_side_binding": True,
            "prepare_threshold": 5 if env.bool("DB_PREPARED_STATEMENTS", default=True) else None,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL: a request's database work is cut off past this (a hung server answers
# nothing), and API requests then answer 503 at once for DB_BACKOFF_SECONDS (db_deadline.py).
# A request that was cut may still try one new connection (Django reconnects to end its
# transaction), bounded by DB_CONNECT_TIMEOUT (2, libpq's least): 2.5 + 2 stays under 5 s.
DB_REQUEST_TIMEOUT_SECONDS = env.float("DB_REQUEST_TIMEOUT_SECONDS", default=2.5)
DB_BACKOFF_SECONDS = env.float("DB_BACKOFF_SECONDS", default=2)

# --- Cache (rate limits) ------------------------------------------------------------------
# Rate-limit counters must be shared by every worker process: Redis when configured,
# otherwise a table in the database (never per-process memory).
_redis_url = env.str("REDIS_URL", default="")
_redis_timeout = env.float("REDIS_TIMEOUT_SECONDS", default=0.1)
CACHE_BACKOFF_SECONDS = env.float("CACHE_BACKOFF_SECONDS", default=10)
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            # A hung Redis costs the first request that meets it this much, no more: then
            # the limits skip the cache for CACHE_BACKOFF_SECONDS (api/throttling.py).
            "OPTIONS": {"socket_connect_timeout": _redis_timeout, "socket_timeout": _redis_timeout},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "contacts_api.db_cache.DatabaseCache",
            "LOCATION": "django_cache",
            # Django's `incr` writes the value back with this timeout: a day, the longest
            # rate-limit period, so that a window's counter outlives its window.
            "TIMEOUT": 86400 + 1,
        }
    }

# --- HTTPS (production: see the README's settings table) ---------------------------------
# Off by default, for `make run` on plain http://127.0.0.1; behind TLS set them on, and
# `manage.py check --deploy` is clean.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a proxy that terminates TLS and says so in X-Forwarded-Proto.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# The welcome email's one-time link stays valid this long (Django's reset token).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

# --- Email and background tasks ------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Contacts <no-reply@localhost>")

_tasks_backend = env.str("TASKS_BACKEND", default="immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[_tasks_backend]
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- API ------------------------------------------------------------------------------------
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="1000/min")
API_AUTH_FAILURE_LIMIT = env.str("API_AUTH_FAILURE_LIMIT", default="30/min")
API_MAX_BODY_SIZE = env.int("API_MAX_BODY_SIZE", default=1024 * 1024)
# Events are kept this many days (decimals allowed; 0 keeps them forever), API.md 7.1.
EVENTS_RETENTION_DAYS = env.float("EVENTS_RETENTION_DAYS", default=30)
# Soft-deleted contacts are erased this many days after their deletion (API.md 8.2; 0: never).
CONTACTS_ERASE_DELETED_AFTER_DAYS = env.float("CONTACTS_ERASE_DELETED_AFTER_DAYS", default=30)
# Webhooks (API.md 7.4). Private networks (and http://) only for development and tests.
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10)
WEBHOOKS_DISABLE_AFTER = timedelta(days=env.float("WEBHOOKS_DISABLE_AFTER_DAYS", default=3))
WEBHOOKS_OLD_SECRET_HOURS = env.float("WEBHOOKS_OLD_SECRET_HOURS", default=24)
WEBHOOKS_POLL_SECONDS = env.float("WEBHOOKS_POLL_SECONDS", default=0.5)
WEBHOOKS_WORKER_THREADS = env.int("WEBHOOKS_WORKER_THREADS", default=8)
# How long a write's answer is kept under its Idempotency-Key (API.md 6.2).
API_IDEMPOTENCY_TTL_HOURS = env.int("API_IDEMPOTENCY_TTL_HOURS", default=24)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_SIZE
# Above this many rows a list's total is an estimate (API.md 1.2, contacts_api/api/plans.py).
API_EXACT_COUNT_LIMIT = 10_000
# List requests running at once in one process, and how long one waits for its turn
# (contacts_api/api/concurrency.py).
API_CONCURRENT_LISTS = env.int("API_CONCURRENT_LISTS", default=1)
API_LIST_WAIT_SECONDS = env.float("API_LIST_WAIT_SECONDS", default=10)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.APIKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.HasAPIKeyScope"],
    "DEFAULT_THROTTLE_CLASSES": ["contacts_api.api.throttling.APIKeyRateThrottle"],
    # The client address of the auth-failure limit: REMOTE_ADDR unless this many proxies
    # in front add X-Forwarded-For (trusting it by default would let anyone pick an address).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DEFAULT_RENDERER_CLASSES": ["contacts_api.api.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "contacts_api.api.parsers.StrictJSONParser",
        "contacts_api.api.parsers.NestedFormParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "contacts_api.api.negotiation.JSONOnlyNegotiation",
    "DEFAULT_PAGINATION_CLASS": "contacts_api.api.pagination.EnvelopePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "contacts_api.api.schema.EnvelopeAutoSchema",
    "EXCEPTION_HANDLER": "contacts_api.api.exceptions.envelope_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "PAGE_SIZE": 25,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Contacts API",
    "DESCRIPTION": (
        "Manage the contacts of client accounts. Every response is wrapped in the envelope "
        "`{success, message, data[, meta]}`; errors are `{success: false, message, code[, errors]}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs pages are public (API.md 2).
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["contacts_api.api.schema.paths_without_trailing_slash"],
    "COMPONENT_SPLIT_REQUEST": True,
    "TAGS": [
        {"name": "contacts", "description": "The people who work at a client company (API.md 3, 6, 8.2)."},
        {"name": "clients", "description": "Client accounts, read-only (API.md 4)."},
        {"name": "roles", "description": "Contact roles, read-only (API.md 4)."},
        {"name": "events", "description": "Every change of a contact, in an order that never skips one (API.md 7.2)."},
        {"name": "webhooks", "description": "Endpoints that receive every event, signed (API.md 7.4)."},
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "contacts_api.api.schema.add_list_components",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ContactStatusEnum": "accounts.models.User.Status",
        "WritableContactStatusEnum": ["active", "inactive"],
        "ClientStatusEnum": "clients.models.Client.Status",
        "YesNoEnum": ["yes", "no"],
    },
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "contacts_api.request_id.RequestIDLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Our own request log has every request; Django's 4xx warnings would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # A bad Host is a 400 in the request log; Django would add a traceback that repeats
        # the attacker's header (Django's docs suggest silencing this logger).
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
    },
}
