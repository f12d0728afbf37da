"""Certeef settings, read from the environment.

DJANGO_DEBUG        "1" for local development (the Makefile sets it); off by default.
DJANGO_SECRET_KEY   required when debug is off.
DJANGO_ALLOWED_HOSTS comma-separated host names (default: localhost names).
DATABASE_URL        e.g. postgres://user@127.0.0.1:5432/certeef; SQLite file when unset.
DJANGO_EMAIL_*, DJANGO_DEFAULT_FROM_EMAIL   outgoing e-mail (README, "Run in production").
DJANGO_TRUSTED_PROXY_COUNT                  proxies in front of the app (log-in throttling).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - debug only

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's widget templates, for FORM_RENDERER below.
    "django.forms",
    "django_htmx",
    # History of the changes that move money or a BPF figure (certeef/history.py).
    "simple_history",
    # Certeef's apps, from the base up: an app imports only the apps above it in this list
    # (README, "Where things are"; tests/test_layers.py checks it). Summaries registered in
    # AppConfig.ready() run in this order too.
    "certeef",
    "companies",
    "learners",
    "training",
    "attendance",
    "funding",
    "individuals",
    "bpf",
    "dashboard",
    "imports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "certeef.language.UserLanguageMiddleware",
    # Who made a change, for the history (certeef/history.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    "certeef.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "certeef.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves its own static files (collected, hashed, compressed): no CDN, no nginx
    # needed. In debug, runserver and the test live server serve them from the app folders.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "certeef.urls"
WSGI_APPLICATION = "certeef.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "certeef.tenancy.organization_context",
            ],
            "builtins": ["certeef.templatetags.certeef"],
        },
    }
]

# Widgets render through the project's templates, so that templates/django/forms/widgets/
# attrs.html can leave out `maxlength` (a browser would cut a pasted text silently).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. A transaction that began as a reader and then writes
    # cannot wait for the writer before it ("database is locked" at once, a 500): every
    # transaction takes the write lock as it begins (IMMEDIATE), and waits for it up to the busy
    # timeout (seconds) instead of failing. Write-ahead logging: readers do not wait for the
    # writer, nor the writer for readers.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL"}
    )
    # The tests' database is a file too: an in-memory one is shared between threads through
    # SQLite's shared cache, whose table locks fail at once instead of waiting (the concurrency
    # tests send requests from several threads).
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(BASE_DIR / "test-db.sqlite3")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the BPF's reporting queries for longer than they take to run
    # (measured: 1.9 s of JIT for a 0.5 s query at 100 000 allocations). Our queries are short.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks first whether the username is locked out from this address, then Django's
# own backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Log-in throttling (django-axes, failures kept in the database so every worker sees them):
# five wrong passwords for one username from one address lock that pair out for 15 minutes, on
# the application's log-in and the admin's alike. A colleague behind the same office address
# can still log in; an administrator unlocks sooner with `manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "certeef.accounts.locked_out"
# Behind a reverse proxy every request comes from the proxy's address: the client's is read from
# X-Forwarded-For, trusting as many proxies as the deployment says (none by default).
AXES_CLIENT_IP_CALLABLE = "certeef.accounts.client_address"
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# French by default (our users are French training organisations), English complete. A user's
# choice is kept on their profile (certeef.UserProfile) and wins over the browser's language.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates are typed day first in both languages (certeef/locale_formats/en).
FORMAT_MODULE_PATH = ["certeef.locale_formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (after collectstatic); plain files in debug/tests.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Sessions live in the database so that several gunicorn workers share them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# Content Security Policy: scripts only from our own origin, plus the per-request nonce that
# {% htmx_script %} puts on its <script> tags.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    CSRF_TRUSTED_ORIGINS = [
        origin.strip()
        for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
        if origin.strip()
    ]

# Outgoing e-mail (password reset), through Django 6.1's MAILERS. In development the messages
# are printed in the terminal that runs the server; in production they go through the SMTP
# server the environment names (README, "Run in production").
email_use_ssl = env_flag("DJANGO_EMAIL_USE_SSL")
email_use_tls = env_flag("DJANGO_EMAIL_USE_TLS", default=not email_use_ssl)
if email_use_ssl and email_use_tls:
    raise ImproperlyConfigured("Set DJANGO_EMAIL_USE_TLS or DJANGO_EMAIL_USE_SSL, not both.")
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_BACKEND_NAME = os.environ.get("DJANGO_EMAIL_BACKEND") or (
    "certeef.mail.ReadableConsoleBackend" if DEBUG else SMTP_BACKEND
)
MAILERS: dict[str, dict] = {"default": {"BACKEND": EMAIL_BACKEND_NAME}}
if EMAIL_BACKEND_NAME == SMTP_BACKEND:
    MAILERS["default"]["OPTIONS"] = {
        # Empty when unset: `manage.py check --deploy` then says so (certeef/checks.py).
        "host": os.environ.get("DJANGO_EMAIL_HOST", ""),
        "port": int(os.environ.get("DJANGO_EMAIL_PORT", "465" if email_use_ssl else "587")),
        "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
        "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
        "use_tls": email_use_tls,
        "use_ssl": email_use_ssl,
        "timeout": int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10")),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Certeef <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF they build at INFO: keep only their problems.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes announces its version at every start; its lockouts are warnings, kept.
        "axes.apps": {"level": "WARNING"},
    },
}
