"""Dajia settings: one file, driven by the environment, strict about bad values.

- SQLite (WAL) by default so a laptop runs everything; ``DATABASE_URL`` switches to PostgreSQL.
- ``REDIS_URL`` (optional) carries live events between worker processes.
- ``DAJIA_DEBUG=0`` is production: it refuses to start without ``DAJIA_SECRET_KEY``.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from dajia.core.env import EnvError, database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("DAJIA_DEBUG", default=True)
TESTING = env_bool("DAJIA_TESTING", default=False)

SECRET_KEY = env_str("DAJIA_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise EnvError("生产环境必须设置 DAJIA_SECRET_KEY / DAJIA_SECRET_KEY is required when DAJIA_DEBUG=0")
    SECRET_KEY = "dajia-development-only-not-secret"  # noqa: S105 - only used with DEBUG on a laptop

ALLOWED_HOSTS = env_list("DAJIA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DAJIA_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("DAJIA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "dajia.core",
    "dajia.accounts",
    "dajia.orgs",
    "dajia.menu",
    "dajia.scoring",
    "dajia.needs",
    "dajia.consultations",
    "dajia.participation",
    "dajia.agreements",
    "dajia.orders",
    "dajia.live",
    "dajia.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dajia.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "dajia.urls"
WSGI_APPLICATION = "dajia.wsgi.application"
ASGI_APPLICATION = "dajia.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dajia.core.context_processors.navigation",
            ],
        },
    }
]

# Each test run gets its own test database, so two runs on one machine (a developer's and CI's) never clash.
_TEST_SUFFIX = f"_{os.getpid()}" if TESTING else ""

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}{_TEST_SUFFIX}"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("DAJIA_SQLITE_PATH", str(BASE_DIR / "var" / "dajia.sqlite3")),
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
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout: this many failed logins within the window lock the account for the same window.
DAJIA_LOGIN_MAX_FAILURES = env_int("DAJIA_LOGIN_MAX_FAILURES", 5)
DAJIA_LOGIN_LOCK_MINUTES = env_int("DAJIA_LOGIN_LOCK_MINUTES", 15)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DAJIA_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REDIS_URL = env_str("REDIS_URL")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep default cookie name
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DAJIA_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
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
