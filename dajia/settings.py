"""Dajia settings: one file, driven by the environment, strict about bad values.

- SQLite (WAL) by default so a laptop runs everything; ``DATABASE_URL`` switches to PostgreSQL.
- ``REDIS_URL`` (optional) carries live events between worker processes.
- ``DAJIA_DEBUG=0`` is production: it refuses to start without ``DAJIA_SECRET_KEY``. Debug is on by default for
  ``manage.py`` on a laptop, off under a local trial (``make run``); ``DAJIA_DEBUG=1`` turns it on there too.
- A local trial (``DAJIA_LOCAL_TRIAL``) keeps its secret key in ``var/secret_key`` and, bound to every interface
  (``make run HOST=0.0.0.0``), allows the machine's address on the venue's network and puts it in QR codes.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from dajia.core.env import (
    EnvError,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    stored_secret_key,
)
from dajia.core.middleware import parse_frame_ancestors, parse_live_url
from dajia.core.siteurl import trial_site_url, url_host

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

TESTING = env_bool("DAJIA_TESTING", default=False)
# A trial on one machine (``make run``, ``dajia serve --trial``), not a service people rely on: the development
# SMS sender (codes written to a file, nothing sent) is allowed only here; ``check --deploy`` refuses it elsewhere.
DAJIA_LOCAL_TRIAL = env_bool("DAJIA_LOCAL_TRIAL", default=False)
# A trial shows what the office will see — the site's own error pages, not Django's debug pages.
DEBUG = env_bool("DAJIA_DEBUG", default=not DAJIA_LOCAL_TRIAL)

SECRET_KEY = env_str("DAJIA_SECRET_KEY")
if not SECRET_KEY and DAJIA_LOCAL_TRIAL:
    SECRET_KEY = stored_secret_key(Path(env_str("DAJIA_SECRET_KEY_FILE") or BASE_DIR / "var" / "secret_key"))
if not SECRET_KEY:
    if not DEBUG:
        raise EnvError("生产环境必须设置 DAJIA_SECRET_KEY / DAJIA_SECRET_KEY is required when DAJIA_DEBUG=0")
    SECRET_KEY = "dajia-development-only-not-secret"  # noqa: S105 - only used with DEBUG on a laptop

# Where QR codes and links for phones point (dajia/core/siteurl.py). Empty: the address the page was opened by.
# A trial bound to every interface (make run HOST=0.0.0.0 sets DAJIA_SERVE_HOST/PORT) uses this machine's
# address on the local network, which the phones at the venue can reach.
DAJIA_SERVE_HOST = env_str("DAJIA_SERVE_HOST", "127.0.0.1")
DAJIA_SERVE_PORT = env_int("DAJIA_SERVE_PORT", 8000)
SITE_URL = env_str("DAJIA_SITE_URL").rstrip("/")
if not SITE_URL and DAJIA_LOCAL_TRIAL:
    SITE_URL = trial_site_url(DAJIA_SERVE_HOST, DAJIA_SERVE_PORT)
ALLOWED_HOSTS = env_list("DAJIA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DAJIA_CSRF_TRUSTED_ORIGINS", [])
if SITE_URL:  # the site's own address (a trial's detected one included) is always served
    ALLOWED_HOSTS.append(url_host(SITE_URL))
    CSRF_TRUSTED_ORIGINS.append(SITE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "dajia.core",
    "dajia.accounts",
    "dajia.orgs",
    "dajia.menu",
    "dajia.scoring",
    "dajia.needs",
    "dajia.consultations",
    "dajia.participation",
    "dajia.notices",
    "dajia.agreements",
    "dajia.orders",
    "dajia.live",
    "dajia.notifications",
    "dajia.workbench",
    "dajia.desk",
    "dajia.checkups",
    "dajia.lectures",
    "dajia.finance",
    "dajia.ledger",
    "dajia.demo",
]

MIDDLEWARE = [
    # First, so that its headers (CSP …) reach every response, also those the others answer early.
    "dajia.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that its 400 page for a number beyond 64 bits is rendered in the user's language, as the user.
    "dajia.core.inputs.BadInputMiddleware",
]

ROOT_URLCONF = "dajia.urls"
CSRF_FAILURE_VIEW = "dajia.core.errors.csrf_failure"
WSGI_APPLICATION = "dajia.wsgi.application"
ASGI_APPLICATION = "dajia.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["dajia.core.templatetags.moments"],  # {{ when|minute }} (the module says why)
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dajia.core.context_processors.navigation",
                "dajia.core.context_processors.trial",
                "dajia.notifications.context_processors.unread",
            ],
        },
    }
]

# Widgets render through core's renderer: a select's empty choice reads "请选择…", never "---------".
FORM_RENDERER = "dajia.core.renderers.FormRenderer"

# Each test run gets its own test database, so two runs on one machine (a developer's and CI's) never clash.
_TEST_SUFFIX = f"_{os.getpid()}" if TESTING else ""

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}{_TEST_SUFFIX}"}
        # Connections (docs/DEPLOY.md; ``dajia serve`` sets these per process). Under ASGI (uvicorn) each request
        # runs in a thread of its own, so a persistent connection per thread would exhaust PostgreSQL: use a
        # pool there (DAJIA_DB_POOL_MAX_SIZE > 0). Under gunicorn's fixed threads DAJIA_CONN_MAX_AGE is fine.
        _pool_max = env_int("DAJIA_DB_POOL_MAX_SIZE", 0)
        _conn_max_age = env_int("DAJIA_CONN_MAX_AGE", 0)
        if _pool_max > 0:
            if _conn_max_age:
                raise EnvError(
                    "DAJIA_DB_POOL_MAX_SIZE 与 DAJIA_CONN_MAX_AGE 不能同时使用 / "
                    "use either a pool (DAJIA_DB_POOL_MAX_SIZE) or persistent connections (DAJIA_CONN_MAX_AGE)"
                )
            # With CONN_HEALTH_CHECKS (above) the pool checks each connection before lending it, so one killed by
            # a database restart or pg_terminate_backend is replaced, not lent.
            DATABASES["default"]["OPTIONS"] = {
                "pool": {
                    "min_size": min(env_int("DAJIA_DB_POOL_MIN_SIZE", 1), _pool_max),
                    "max_size": _pool_max,
                    "timeout": env_int("DAJIA_DB_POOL_TIMEOUT", 10),
                }
            }
        else:
            DATABASES["default"]["CONN_MAX_AGE"] = _conn_max_age
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("DAJIA_SQLITE_PATH", str(BASE_DIR / "var" / "dajia.sqlite3")),
            # gunicorn's threads keep theirs (``dajia serve`` sets it): opening one costs every request the
            # PRAGMAs below, reading the schema again and the close.
            "CONN_MAX_AGE": env_int("DAJIA_CONN_MAX_AGE", 0),
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers (big screens, menus) proceed while a sheet is being written; IMMEDIATE takes the
    # write lock at BEGIN so two concurrent writers queue on the busy timeout instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not memory, for the test database: live-server, concurrency and cross-process tests need
    # several connections (and processes) to see one database with WAL semantics.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("DAJIA_SQLITE_TEST_PATH", str(BASE_DIR / "var" / "test_dajia.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["dajia.accounts.backends.UsernameOrMobileBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "core:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DAJIA_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# Production serves the collected, hashed files (`dajia serve` runs collectstatic); tests' real servers read
# the apps' static folders directly, so a fresh clone needs no collectstatic to run them.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DAJIA_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Folders of MEDIA_ROOT anyone may read (project photos on the public menu), served by the pages server itself
# (dajia/core/media.py) or by nginx (docs/DEPLOY.md). Everything else in MEDIA_ROOT is only reachable through a
# view that checks permissions.
DAJIA_PUBLIC_MEDIA_PREFIXES = ["projects/"]
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
# Delivery photos are evidence about named people at a workplace: they live outside MEDIA_ROOT (never under a
# public URL) and are served only by orders' permission-checked view. With DAJIA_MEDIA_ACCEL_REDIRECT set to an
# nginx `internal` location that aliases DAJIA_PRIVATE_MEDIA_ROOT (e.g. "/_evidence/"), that view answers with
# X-Accel-Redirect after its check instead of streaming the file itself.
DAJIA_PRIVATE_MEDIA_ROOT = Path(env_str("DAJIA_PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
DAJIA_MEDIA_ACCEL_REDIRECT = env_str("DAJIA_MEDIA_ACCEL_REDIRECT")
STORAGES["evidence"] = {"BACKEND": "dajia.core.uploads.PrivateStorage"}
# One rule for every uploaded photo (dajia.core.uploads): at most this many bytes each, and at most
# DAJIA_DELIVERY_PHOTOS_MAX photos on one delivery record.
DAJIA_UPLOAD_MAX_BYTES = env_int("DAJIA_UPLOAD_MAX_BYTES", 8 * 1024 * 1024)
DAJIA_DELIVERY_PHOTOS_MAX = env_int("DAJIA_DELIVERY_PHOTOS_MAX", 9)
# Sign-in attempts one address may make for one session per window (dajia.core.devices.address_limit: never
# below twice the session's capacity, since a venue's attendees share one address).
DAJIA_SIGNIN_ATTEMPTS_PER_ADDRESS = env_int("DAJIA_SIGNIN_ATTEMPTS_PER_ADDRESS", 60)
DAJIA_SIGNIN_RATE_WINDOW_SECONDS = env_int("DAJIA_SIGNIN_RATE_WINDOW_SECONDS", 3600)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Imports (dajia.core.spreadsheets): a file is refused before it is parsed when it is larger than max_bytes, when
# an xlsx's parts would inflate beyond max_inflated, or when it declares or holds more than max_rows rows (the
# header aside). Sized for a district: 600 paper sheets a session, a few thousand needs, 50,000 members.
DAJIA_IMPORT_CAPS = {
    "sheets": {"max_bytes": 2 * 1024 * 1024, "max_rows": 5000, "max_inflated": 10 * 1024 * 1024},
    "needs": {"max_bytes": 2 * 1024 * 1024, "max_rows": 5000, "max_inflated": 25 * 1024 * 1024},
    "roll": {"max_bytes": 5 * 1024 * 1024, "max_rows": 50000, "max_inflated": 40 * 1024 * 1024},
}

REDIS_URL = env_str("REDIS_URL")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep default cookie name
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages another site may show in a frame (a union's website showing the session's live page or big screen),
# as CSP sources: "https://www.example.org https://*.example.cn". Only the views named in
# DAJIA_EMBEDDABLE_VIEWS (or decorated with dajia.core.middleware.embeddable) may be framed, by this site and
# these; every other page answers X-Frame-Options: DENY and frame-ancestors 'none'. Empty: none of them.
DAJIA_FRAME_ANCESTORS = parse_frame_ancestors(env_str("DAJIA_FRAME_ANCESTORS"))
DAJIA_EMBEDDABLE_VIEWS = [
    "participation:live",
    "participation:agenda",
    "consultations:screen",
    "consultations:screen_progress",
    "consultations:ranking",
    "consultations:ranking_partial",
]
# Where browsers reach the live endpoints (/live/...): "" — this site (a reverse proxy sends /live/ to the ASGI
# server); "https://live.example.org" — another origin; ":8001" — the page's own host on port 8001 (what
# ``dajia serve`` sets when nothing is in front). Pages carry it in <meta name="dajia-live-url">.
DAJIA_LIVE_URL = parse_live_url(env_str("DAJIA_LIVE_URL"))
# Whether a live stream reaching the WSGI server stays open (polling for up to a minute, one thread each) or gets
# a poll answer at once. Open only where no live server runs beside it (``runserver``); ``dajia serve`` turns it
# off for gunicorn, so streams never tie up the pages' threads (docs/DEPLOY.md).
DAJIA_WSGI_LONG_STREAMS = env_bool("DAJIA_WSGI_LONG_STREAMS", default=DEBUG or DAJIA_LOCAL_TRIAL)
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For (nginx: 1). The
# login rate limit counts per client address; 0 trusts no header and uses the socket's address.
DAJIA_TRUSTED_PROXIES = env_int("DAJIA_TRUSTED_PROXIES", 0)
# The login gate (dajia.core.ratelimit): failures from one address for one account refuse that address for that
# account for the hold; beyond the free failures per hour, each failure delays the account's next attempt
# (doubling, at most the max delay). Never a lock.
DAJIA_LOGIN_FAILURES_PER_ADDRESS = env_int("DAJIA_LOGIN_FAILURES_PER_ADDRESS", 5)
DAJIA_LOGIN_ADDRESS_HOLD_SECONDS = env_int("DAJIA_LOGIN_ADDRESS_HOLD_SECONDS", 900)
DAJIA_LOGIN_FREE_FAILURES_PER_HOUR = env_int("DAJIA_LOGIN_FREE_FAILURES_PER_HOUR", 10)
DAJIA_LOGIN_MAX_DELAY_SECONDS = env_int("DAJIA_LOGIN_MAX_DELAY_SECONDS", 30)
# A provider's registration texts a code first: requests per client address and per number in an hour.
DAJIA_REGISTER_CODES_PER_ADDRESS = env_int("DAJIA_REGISTER_CODES_PER_ADDRESS", 10)
DAJIA_REGISTER_CODES_PER_MOBILE = env_int("DAJIA_REGISTER_CODES_PER_MOBILE", 3)
# Production speaks HTTPS (TLS at the reverse proxy). DAJIA_HTTPS=0 only for a plain-HTTP trial on one machine.
DAJIA_HTTPS = env_bool("DAJIA_HTTPS", default=not DEBUG)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DAJIA_SSL_REDIRECT", default=DAJIA_HTTPS)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = DAJIA_HTTPS
    CSRF_COOKIE_SECURE = DAJIA_HTTPS
    # Sent on HTTPS responses only, so harmless on a plain-HTTP trial.
    SECURE_HSTS_SECONDS = env_int("DAJIA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DAJIA_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50

DAJIA_BRAND = _("Dajia")

# Live participation (viewers verify a mobile number by one-time code). The file sender writes numbers and
# codes in clear for a laptop and tests; production names the HTTP sender and its gateway (``check --deploy``
# and ``dajia serve`` refuse a development sender outside DAJIA_LOCAL_TRIAL: dajia/core/checks.py).
DAJIA_SMS_BACKEND = env_str("DAJIA_SMS_BACKEND", "dajia.core.sms.FileSender")
DAJIA_SMS_FILE = env_str("DAJIA_SMS_FILE", str(BASE_DIR / "var" / "sms-outbox.jsonl"))
DAJIA_SMS_HTTP_URL = env_str("DAJIA_SMS_HTTP_URL")
DAJIA_SMS_HTTP_TOKEN = env_str("DAJIA_SMS_HTTP_TOKEN")
DAJIA_SMS_HTTP_TIMEOUT = env_int("DAJIA_SMS_HTTP_TIMEOUT", 5)
# Text messages that tell someone an event waits for them (dajia/notifications). Chinese gateways send only
# registered templates under a registered signature: the HTTP sender sends the signature and, per event, the
# template id set here (DAJIA_SMS_TEMPLATE_<EVENT>, e.g. DAJIA_SMS_TEMPLATE_ORDER_DISPATCHED=SMS_123456) with the
# event's parameters. An event added by a later module adds its line below.
DAJIA_SMS_SIGN_NAME = env_str("DAJIA_SMS_SIGN_NAME")
DAJIA_SMS_TEMPLATES = {
    event: env_str(f"DAJIA_SMS_TEMPLATE_{event.upper()}")
    for event in (
        "verification_code",
        "registration_code",
        "registration_number_taken",
        "order_dispatched",
        "order_accepted",
        "order_declined",
        "order_cancelled",
        "agreement_to_sign",
        "agreement_voided",
        "objection_filed",
        "objection_answered",
        "need_answered",
    )
}
# A message the gateway refused is tried again after 1, 2, 4… minutes, this many times in all.
DAJIA_SMS_MAX_ATTEMPTS = env_int("DAJIA_SMS_MAX_ATTEMPTS", 5)
DAJIA_SMS_RETRY_SECONDS = env_int("DAJIA_SMS_RETRY_SECONDS", 60)
# Background tasks (the SMS outbox drain). ``dajia serve`` queues them in the database and runs a worker beside
# the servers (DAJIA_TASKS_BACKEND=database); ``make run``, runserver and the tests run them at once, in-process.
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_task_backend = env_str("DAJIA_TASKS_BACKEND", "immediate")
if _task_backend not in _TASK_BACKENDS:
    raise EnvError(
        f"DAJIA_TASKS_BACKEND={_task_backend!r} 无效（immediate 或 database）/ must be immediate or database"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}
# Viewer identities are keyed hashes of their numbers; a separate key lets SECRET_KEY rotate without
# resetting who has already voted.
DAJIA_PARTICIPATION_HASH_KEY = env_str("DAJIA_PARTICIPATION_HASH_KEY")
DAJIA_PARTICIPATION_CODE_MINUTES = env_int("DAJIA_PARTICIPATION_CODE_MINUTES", 5)
DAJIA_PARTICIPATION_CODE_ATTEMPTS = env_int("DAJIA_PARTICIPATION_CODE_ATTEMPTS", 5)
DAJIA_PARTICIPATION_IP_DAYS = env_int("DAJIA_PARTICIPATION_IP_DAYS", 30)

# The rules an office may tune (each read here once; the code reads ``settings.DAJIA_…``, no default of its own).
# Orders: how long before a session a union may still order or cancel; a union rates a delivery within days.
DAJIA_ORDER_LEAD_HOURS = env_int("DAJIA_ORDER_LEAD_HOURS", 48)
DAJIA_ORDER_CANCEL_HOURS = env_int("DAJIA_ORDER_CANCEL_HOURS", 48)
DAJIA_RATING_DAYS = env_int("DAJIA_RATING_DAYS", 7)
# The sign-in sheet of a delivery opens this many minutes before it starts and closes this many after.
DAJIA_SIGNIN_OPENS_MINUTES_BEFORE = env_int("DAJIA_SIGNIN_OPENS_MINUTES_BEFORE", 30)
DAJIA_SIGNIN_CLOSES_MINUTES_AFTER = env_int("DAJIA_SIGNIN_CLOSES_MINUTES_AFTER", 120)
# An agreement runs for at most this many months.
DAJIA_AGREEMENT_MAX_TERM_MONTHS = env_int("DAJIA_AGREEMENT_MAX_TERM_MONTHS", 12)
# Workers' needs raised and supported on the web, per account.
DAJIA_NEEDS_PER_HOUR = env_int("DAJIA_NEEDS_PER_HOUR", 5)
DAJIA_NEEDS_PER_DAY = env_int("DAJIA_NEEDS_PER_DAY", 20)
DAJIA_SUPPORTS_PER_HOUR = env_int("DAJIA_SUPPORTS_PER_HOUR", 60)
# The key prefix of live events in Redis (two installations may share one Redis).
DAJIA_LIVE_REDIS_PREFIX = env_str("DAJIA_LIVE_REDIS_PREFIX", "dajia:")
# Where the public holidays and 调休 working days come from (dotted path of a HolidayCalendar).
DAJIA_HOLIDAY_CALENDAR = env_str("DAJIA_HOLIDAY_CALENDAR", "dajia.core.workdays.ChineseCalendar")
# The public side's rate limits, by action: {"support": (hits, seconds), ...} overrides the defaults in the
# rate-limit module (tests and a trial tighten or loosen them).
DAJIA_PARTICIPATION_LIMITS: dict[str, tuple[int, int]] = {}
# The fast paths coalesce one project's progress events to at most one per this many seconds per process.
DAJIA_FASTPATH_EVENT_SECONDS = 0.25

# Expert desk. A volunteer who advised one side of a case may not take the other side's case while it is open or
# for this many years after it closed. A worker party's personal data is kept this many years after the case.
DAJIA_DESK_CONFLICT_YEARS = env_int("DAJIA_DESK_CONFLICT_YEARS", 3)
DAJIA_DESK_WORKER_DATA_YEARS = env_int("DAJIA_DESK_WORKER_DATA_YEARS", 3)
# Service targets in working hours (the office's hours on working days, dajia/core/workdays.py), per urgency:
# (first response, resolution).
DAJIA_DESK_TARGETS = {
    "urgent": (
        env_int("DAJIA_DESK_URGENT_RESPONSE_HOURS", 2),
        env_int("DAJIA_DESK_URGENT_RESOLUTION_HOURS", 16),
    ),
    "normal": (
        env_int("DAJIA_DESK_NORMAL_RESPONSE_HOURS", 8),
        env_int("DAJIA_DESK_NORMAL_RESOLUTION_HOURS", 40),
    ),
    "low": (env_int("DAJIA_DESK_LOW_RESPONSE_HOURS", 16), env_int("DAJIA_DESK_LOW_RESOLUTION_HOURS", 80)),
}
DAJIA_DESK_ATTACHMENTS_MAX = env_int("DAJIA_DESK_ATTACHMENTS_MAX", 5)
# Legal health checks: the return visit falls this many working days after the report (the office may move it).
DAJIA_CHECKUPS_VISIT_WORKING_DAYS = env_int("DAJIA_CHECKUPS_VISIT_WORKING_DAYS", 20)
