"""Settings shared by every environment. The other modules only override.

Every value that differs between machines comes from the environment (see README).
"""

import ipaddress
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "django-insecure-threadline-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "apps.core.admin_site.AdminConfig",  # django.contrib.admin with our site (cached autocomplete)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_prometheus",
    "simple_history",
    "csp",
    "silk",
    "apps.core",
    # Business apps, masters before the transactions that use them (sample data runs in this order).
    "apps.buyers",
    "apps.inventory",
    "apps.samples",
    "apps.orders",
    "apps.purchasing",
    "apps.reports",  # reads every business app: reports, jobs that build them, the dashboard
]

SILK_ENABLED = env_bool("SILK_ENABLED", False)

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "apps.core.middleware.RequestIdMiddleware",
    "apps.core.middleware.RequestSizeLimitMiddleware",  # 413 for an oversized body, before anything reads it
    "apps.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.core.replica.ReplicaRoutingMiddleware",  # only with DATABASE_REPLICA_URL; needs the user
    "apps.core.ratelimit.RateLimitMiddleware",  # anonymous API calls and failed logins; X-RateLimit-*
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
if SILK_ENABLED:
    MIDDLEWARE.append("silk.middleware.SilkyMiddleware")

ROOT_URLCONF = "erp.urls"
WSGI_APPLICATION = "erp.wsgi.application"
AUTH_USER_MODEL = "core.User"

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
            ],
        },
    },
]

# --- Database: psycopg 3 with Django's native pool -------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
# Web requests are cut off server-side; manage.py and Celery set 0 (no limit) by default.
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 15000)
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 3)
# django-prometheus's engine: Django's PostgreSQL backend (pool included) that also counts queries and errors.
_database = dj_database_url.parse(DATABASE_URL, engine="django_prometheus.db.backends.postgresql")
DATABASES = {
    "default": {
        **_database,
        "CONN_MAX_AGE": 0,  # the pool keeps connections; Django requires 0 with it
        # With the pool, Django checks each connection as it leaves the pool, so a dropped one is replaced.
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            **_database.get("OPTIONS", {}),  # e.g. ?host=/socket/dir for the embedded server
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
            "application_name": env_str("DB_APPLICATION_NAME", "threadline"),
            "pool": {
                "min_size": env_int("DB_POOL_MIN_SIZE", 2),
                # A gunicorn thread holds one connection at a time, and /health/ready's checks take up to
                # two more: a larger pool would only idle.
                "max_size": env_int("DB_POOL_MAX_SIZE", env_int("GUNICORN_THREADS", 4) + 2),
                # Seconds a request waits for a free connection before failing with 503.
                "timeout": env_float("DB_POOL_TIMEOUT", 5.0),
                "max_idle": env_float("DB_POOL_MAX_IDLE", 600.0),
            },
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Read replica (optional): safe reads of API pages and admin changelists (apps/core/replica.py) ---
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 10)  # a writer's reads stay on the primary this long
REPLICA_MAX_LAG_SECONDS = env_float("REPLICA_MAX_LAG_SECONDS", 5.0)  # further behind: read the primary
REPLICA_CHECK_INTERVAL = env_float("REPLICA_CHECK_INTERVAL", 5.0)  # seconds each process trusts its last check
# libpq counts whole seconds, at least 2: a dead replica costs one request this long per check interval.
REPLICA_CONNECT_TIMEOUT = env_int("REPLICA_CONNECT_TIMEOUT", 2)
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL, engine=_database["ENGINE"])
    DATABASES["replica"] = {
        **DATABASES["default"],
        **{key: _replica[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")},
        "OPTIONS": {
            # All the primary's but a socket directory (?host=), which would win over the replica's HOST.
            **{key: value for key, value in DATABASES["default"]["OPTIONS"].items() if key != "host"},
            **_replica.get("OPTIONS", {}),
            "connect_timeout": REPLICA_CONNECT_TIMEOUT,
        },
        "TEST": {"MIRROR": "default"},  # tests have one database; the router sees it is no standby
    }
DATABASE_ROUTERS = ["apps.core.replica.ReplicaRouter"]

# --- Redis: cache, sessions, Celery ------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CACHE_TIMEOUT = env_int("CACHE_TIMEOUT", 300)
CACHES = {
    "default": {
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",  # django-redis, counting hits and misses
        "LOCATION": REDIS_URL,
        "TIMEOUT": CACHE_TIMEOUT,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "threadline"),
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": env_float("REDIS_CONNECT_TIMEOUT", 0.25),
            "SOCKET_TIMEOUT": env_float("REDIS_SOCKET_TIMEOUT", 0.5),
            # A Redis outage means "no cache", never an error page.
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Seconds a cached lookup list lives at most; writes invalidate it at once anyway (apps/core/cache.py).
VIEW_CACHE_TTLS = {
    "buyers": env_int("CACHE_TTL_BUYERS", 600),
    "suppliers": env_int("CACHE_TTL_SUPPLIERS", 600),
    "styles": env_int("CACHE_TTL_STYLES", 300),
    "size_ranges": env_int("CACHE_TTL_SIZE_RANGES", 3600),
    "materials": env_int("CACHE_TTL_MATERIALS", 60),  # they show stock on hand
    "warehouses": env_int("CACHE_TTL_WAREHOUSES", 3600),
}
DJANGO_REDIS_LOGGER = "apps.core.cache"
# Sessions read through the cache but live in the database, so logins survive a Redis outage.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 2.0)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# Four queues, each task routed by name: critical (notifications staff wait on), high (work a person
# is waiting for), default, low (housekeeping). Give busy queues their own worker pool (README).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "core.send_email": {"queue": "critical"},
    "reports.generate": {"queue": "high"},
    "reports.check_low_stock": {"queue": "default"},
    "reports.refresh": {"queue": "low"},
    "core.warm_cache": {"queue": "low"},
    "core.cleanup_jobs": {"queue": "low"},
    "core.import_file": {"queue": "default"},
    "inventory.create_movement_partitions": {"queue": "low"},
}
# Limits every task gets unless it sets its own; the soft one raises inside the task so it can stop cleanly.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
REPORT_TIME_LIMIT = env_int("REPORT_TIME_LIMIT", 1800)  # the longest task: a report over all history
IMPORT_TIME_LIMIT = env_int("IMPORT_TIME_LIMIT", 1800)  # an admin import of IMPORT_MAX_ROWS rows
# With acks late, Redis hands an unacknowledged message to another worker after this long: it must
# outlast the longest task and the longest retry countdown, or a slow task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 3600)}
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a worker killed mid-task: the message goes back on the queue
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_RESULT_EXPIRES = 24 * 3600
JOB_RETRY_BASE_SECONDS = env_float("JOB_RETRY_BASE_SECONDS", 10.0)
JOB_RETRY_MAX_SECONDS = env_float("JOB_RETRY_MAX_SECONDS", 1800.0)
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 30)
# Reports: ranges up to this many days (and answers up to this many rows) come back at once, from
# the cache; larger ones run as a job that writes a file.
REPORT_DIRECT_MAX_DAYS = env_int("REPORT_DIRECT_MAX_DAYS", 92)
REPORT_DIRECT_MAX_ROWS = env_int("REPORT_DIRECT_MAX_ROWS", 2000)
REPORT_CACHE_TTL = env_int("REPORT_CACHE_TTL", 24 * 3600)  # writes to the tables read invalidate it sooner
DASHBOARD_CACHE_TTL = env_int("DASHBOARD_CACHE_TTL", 300)
# Imports (manage.py import_data, the admin's import pages): the most data rows one file may hold.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
# The stock ledger's monthly partitions made ahead by a daily task: as many months of slack if beat stops.
STOCK_MOVEMENT_PARTITIONS_AHEAD = env_int("STOCK_MOVEMENT_PARTITIONS_AHEAD", 3)

# --- Email: notifications such as the low-stock check ---------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "threadline@localhost")

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["apps.core.auth.CachedPermissionsBackend"]
PERMISSION_CACHE_TTL = env_int("PERMISSION_CACHE_TTL", 300)
LOGIN_URL = "rest_framework:login"
LOGIN_REDIRECT_URL = "/api/v1/"

# --- I18N, static -----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Job result files. Several app or worker machines must share it (a network volume) or use object storage.
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"

# --- Security headers (HSTS, cookies and TLS are tightened in production.py) ---------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Request bodies. Only the admin's import pages take file uploads, yet Django and DRF would parse one
# anywhere: a whole body (files included) over MAX_REQUEST_BODY_SIZE is refused with 413 before
# anything reads it (apps/core/middleware.py); the rest bound what is parsed.
MAX_REQUEST_BODY_SIZE = env_int("MAX_REQUEST_BODY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", MAX_REQUEST_BODY_SIZE)  # all but files
# The one exception: the admin's "Import a file" pages (/admin/<app>/<model>/import/), staff only.
IMPORT_MAX_UPLOAD_SIZE = env_int("IMPORT_MAX_UPLOAD_SIZE", 50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # an upload larger than this is spooled to a temporary file
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # a changelist action posts one field per selected row (a page of 100)
DATA_UPLOAD_MAX_NUMBER_FILES = 10
HEALTH_CHECK_TIMEOUT = env_float("HEALTH_CHECK_TIMEOUT", 2.0)
# Admin changelists count exactly up to this many rows (by the planner's estimate), then show "about N".
ESTIMATED_COUNT_THRESHOLD = env_int("ESTIMATED_COUNT_THRESHOLD", 20000)

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous caller then gets 401 with WWW-Authenticate, not a bare 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.permissions.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "apps.core.search.SearchFilter",  # ranked; before OrderingFilter, which applies its ordering
        "apps.core.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Threadline ERP API",
    "DESCRIPTION": "Buyers, styles, samples, orders, inventory and purchasing for apparel makers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error answers, in the one error shape, next to what succeeds (apps/core/openapi.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "apps.core.openapi.document_errors"],
    # Several models have a `status`; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "SampleStatusEnum": "apps.samples.choices.SampleStatus",
        "OrderStatusEnum": "apps.orders.choices.OrderStatus",
        "PurchaseOrderStatusEnum": "apps.purchasing.choices.PurchaseOrderStatus",
    },
}

# --- Silk profiler: staff only; no bodies stored (a NUL byte in one breaks its PostgreSQL insert) ---
SILKY_AUTHENTICATION = True
SILKY_AUTHORISATION = True
SILKY_PERMISSIONS = lambda user: user.is_staff  # noqa: E731 - silk wants a callable setting
SILKY_MAX_REQUEST_BODY_SIZE = 0
SILKY_MAX_RESPONSE_BODY_SIZE = 0
SILKY_INTERCEPT_PERCENT = env_int("SILKY_INTERCEPT_PERCENT", 100)
SILKY_MAX_RECORDED_REQUESTS = 10_000
SILKY_PYTHON_PROFILER = False

# --- Rate limiting (django-ratelimit on Redis) ----------------------------------------------
# Counters live in Redis, shared by every worker (apps/core/ratelimit.py). A rate is "count/period", period s, m,
# h or d ("10/m", "100/5m"); an empty rate switches that limit off.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_LOGIN_IP = env_str("RATELIMIT_LOGIN_IP", "10/m")  # failed logins per client address
RATELIMIT_LOGIN_USERNAME = env_str("RATELIMIT_LOGIN_USERNAME", "5/m")  # failed logins per username, any address
RATELIMIT_API_USER = env_str("RATELIMIT_API_USER", "600/m")  # API calls per signed-in user (token or session)
RATELIMIT_API_ANON = env_str("RATELIMIT_API_ANON", "60/m")  # anonymous API calls per client address
RATELIMIT_EXPENSIVE = env_str("RATELIMIT_EXPENSIVE", "20/m")  # reports, downloads, exports, imports, per user
# Trusted reverse proxies in front of gunicorn that append to X-Forwarded-For (0: the caller is REMOTE_ADDR).
RATELIMIT_PROXY_COUNT = env_int("RATELIMIT_PROXY_COUNT", 0)
RATELIMIT_IP_META_KEY = "apps.core.ratelimit.client_ip"
RATELIMIT_FAIL_OPEN = True  # Redis down: nothing is counted or refused (logged); apps/core/ratelimit.py says why
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["apps.core.ratelimit.ApiRateThrottle"]  # per user, after auth

# --- Metrics (django-prometheus) ----------------------------------------------------------
# /metrics answers a caller from these addresses or networks (CIDR) when it comes straight, not through
# a proxy, and anyone sending "Authorization: Bearer <METRICS_TOKEN>" (empty: no token is accepted).
try:
    METRICS_ALLOWED_IPS = [
        ipaddress.ip_network(item, strict=False) for item in env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {exc}") from None
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_BROKER_TIMEOUT = env_float("METRICS_BROKER_TIMEOUT", 0.5)  # seconds to read the queue lengths
SILKY_IGNORE_PATHS = ["/metrics"]  # a scrape every few seconds would fill Silk's tables
# Several gunicorn workers: set PROMETHEUS_MULTIPROC_DIR in the environment (prometheus_client reads it
# there, before Django starts) to an empty directory; /metrics then sums every worker (erp/gunicorn.py).

# --- Error tracking (sentry-sdk, only with SENTRY_DSN) -----------------------------------
SENTRY_DSN = env_str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = env_str("SENTRY_RELEASE", "")
SENTRY_TRACES_SAMPLE_RATE = env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0)  # share of requests and tasks traced
SENTRY_SEND_PII = env_bool("SENTRY_SEND_PII", False)  # users, IP addresses, bodies, query strings, local variables
if SENTRY_DSN:
    from erp.sentry import init_sentry  # sentry-sdk is loaded only when it is used

    init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        send_pii=SENTRY_SEND_PII,
    )

# --- Content security policy (django-csp) -------------------------------------------------
# Scripts only from our own origin: the admin, the dashboard (Chart.js and its data come as
# static files and a json_script block) and the browsable API (its logout is a plain form:
# templates/rest_framework/api.html) run no inline script. The one inline script, Swagger UI's
# start-up at /api/docs/, carries the request's nonce (templates/drf_spectacular/swagger_ui.html).
# Inline *styles* stay allowed: DRF's browsable API and login page and Swagger UI set style
# attributes, and styles run no code. Silk's pages are full of inline script and stay outside
# the policy (staff only, off in production). tests/browser/test_csp.py: no page meets a refusal.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/silk/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # the admin's and Swagger UI's icons are data: URLs in their CSS
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],  # as X-Frame-Options: DENY, for browsers that read only CSP
        "report-uri": env_str("CSP_REPORT_URI", "") or None,
    },
}

# --- Logging: every line carries the request id -------------------------------------------
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(request_id)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {"level": "INFO"},
        "pgserver": {"level": "WARNING"},
    },
}
