"""The one settings module. Every option is an environment variable documented in the README."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url

from relance.conf import ConfigError, data_dir, env, env_bool, env_int

DEFAULT_SECRET_KEY = "relance-development-secret-key-do-not-use-in-production"

DEBUG = env_bool("RELANCE_DEBUG", False)
PRODUCTION = env_bool("RELANCE_PRODUCTION", False)
SECRET_KEY = env("RELANCE_SECRET_KEY", DEFAULT_SECRET_KEY)
if PRODUCTION and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ConfigError(
        "RELANCE_PRODUCTION is on but RELANCE_SECRET_KEY is the development default: set a secret"
    )
ALLOWED_HOSTS = [h.strip() for h in env("RELANCE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "anymail",
    "ninja",
    "relance.accounts",
    "relance.ledger",
    "relance.dunning",
    "relance.mail",
    "relance.tracking",
    "relance.web",
    "relance.api",
    # For a task backend that brings its own models, such as django_tasks_db.
    *[app.strip() for app in env("RELANCE_EXTRA_APPS", "").split(",") if app.strip()],
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "relance.web.middleware.WorkspaceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "relance.urls"
WSGI_APPLICATION = "relance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "relance.web.context.web",
            ]
        },
    }
]


def _database() -> dict[str, object]:
    url = env("DATABASE_URL", f"sqlite:///{data_dir() / 'relance.sqlite3'}")
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while the daily run writes; IMMEDIATE takes the write lock at BEGIN
        # so two writers wait for each other instead of failing half-way with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Tests use a file too (not shared-cache memory, whose table locks ignore the busy timeout), so that
        # concurrency tests see the same locking as production.
        # One file per test process, so that two test sessions at once never share one.
        config["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"relance-test-{os.getpid()}.sqlite3")}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
USE_I18N = True
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = data_dir() / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing folder even when finders serve everything
# Static files come straight from the apps: no collectstatic step before `relance serve`.
WHITENOISE_USE_FINDERS = True

# Tasks run in process on the embedded default; at scale point RELANCE_TASK_BACKEND at a maintained backend
# (for example django_tasks_db.DatabaseBackend with `db_worker` processes).
TASKS = {
    "default": {"BACKEND": env("RELANCE_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}
}

EMAIL_URL = env("EMAIL_URL", "")
# Password resets and other account mail go through the same EMAIL_URL as the reminders.
EMAIL_BACKEND = "relance.mail.django_backend.EmailBackend"
DEFAULT_FROM_EMAIL = env("RELANCE_ACCOUNTS_FROM", "Relance <relance@localhost>")

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins per account and per address before a pause (RELANCE_LOGIN_MAX_FAILURES in
# RELANCE_LOGIN_LOCKOUT_MINUTES). Counted in the database, so that every `relance serve` process and
# thread sees the same count.
LOGIN_MAX_FAILURES = env_int("RELANCE_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("RELANCE_LOGIN_LOCKOUT_MINUTES", 15)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "SAMEORIGIN"  # the message preview is an iframe of our own page
SMTP_TIMEOUT = env_int("RELANCE_SMTP_TIMEOUT", 30)
SEND_MAX_ATTEMPTS = env_int("RELANCE_SEND_MAX_ATTEMPTS", 6)

# Public address of this instance (e.g. https://relance.acme.example), used in the links a reminder carries:
# open pixel and click redirects (when the workspace tracks), one-click unsubscribe of courtesy reminders,
# the contact page. Empty: messages carry none of them.
# Reply-To as compta+<signed token>@…, so that replies find their message even without In-Reply-To;
# only when the mailbox accepts sub-addresses.
RELANCE_REPLY_PLUS_ADDRESSING = env_bool("RELANCE_REPLY_PLUS_ADDRESSING", False)
RELANCE_BASE_URL = env("RELANCE_BASE_URL", "").strip().rstrip("/")
if RELANCE_BASE_URL and not RELANCE_BASE_URL.startswith(("https://", "http://")):
    raise ConfigError(f"RELANCE_BASE_URL={RELANCE_BASE_URL!r}: expected an http(s):// address")

# Providers' delivery webhooks (django-anymail) at /webhooks/anymail/<provider>/tracking/, protected by HTTP
# basic auth: RELANCE_ANYMAIL_WEBHOOK_SECRET="user:password" (several: comma-separated), given to the
# provider inside the webhook URL (https://user:password@host/webhooks/anymail/sendgrid/tracking/). Without a
# secret the webhook URLs are not mounted at all: nobody could then post fake bounces.
ANYMAIL = {
    "WEBHOOK_SECRET": [s.strip() for s in env("RELANCE_ANYMAIL_WEBHOOK_SECRET", "").split(",") if s.strip()],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("RELANCE_LOG_LEVEL", "WARNING")},
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("RELANCE_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
