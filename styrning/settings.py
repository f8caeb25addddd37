"""Settings for Styrning, read from environment variables with safe local defaults.

Every deployment knob is an environment variable: DATABASE_URL, REDIS_URL,
SECRET_KEY, DEBUG, ALLOWED_HOSTS, EMAIL_URL. Without them the site runs on an
SQLite file under var/ and runs background jobs in-process.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "insecure-local-development-key-change-me"

env = environ.Env()


def envbool(name: str, default: bool) -> bool:
    """Read a boolean; refuse values that are not clearly true or false."""
    raw = env.str(name, default="1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {raw!r}")


LOCAL_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]
# `make run`: a demo on this machine only, served as users would see it (DEBUG off), over
# plain http on 127.0.0.1. It may use the public development key; production may not.
LOCAL_DEMO = envbool("LOCAL_DEMO", False)
DEBUG = envbool("DEBUG", not LOCAL_DEMO)
SECRET_KEY = env.str("SECRET_KEY", default=DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=LOCAL_HOSTS)
if LOCAL_DEMO and set(ALLOWED_HOSTS) - set(LOCAL_HOSTS):
    raise ImproperlyConfigured("LOCAL_DEMO=1 is for this machine: ALLOWED_HOSTS must be local.")
if not DEBUG and not LOCAL_DEMO and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG=0: the default key is public.")
# Production: neither DEBUG nor the local demo. HTTPS-only cookies, redirects and HSTS.
PRODUCTION = not DEBUG and not LOCAL_DEMO

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "simple_history",
    "axes",
    "csp",
    "styrning",
    "goals",
    "budget",
    "followup",
    "reports",
    "fixtures",
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
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-csp's, the policy built once (styrning/middleware.py).
    "styrning.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

# templates.W003 warns of a template library name two modules use: TEMPLATES replaces
# Django's i18n and static on purpose (tests/styrning/test_literal_tags.py checks that no
# other name is used twice). models.W040: SQLite (make run) builds the measurements'
# covering index without its included value column, which only PostgreSQL reads from it.
SILENCED_SYSTEM_CHECKS = ["templates.W003", "models.W040"]

ROOT_URLCONF = "styrning.urls"
# Django's form templates, the plain <input>, <textarea> and <select> written in Python (a
# table of hundreds of fields rendered each through two templates): styrning/widgets.py.
FORM_RENDERER = "styrning.widgets.FormRenderer"
WSGI_APPLICATION = "styrning.wsgi.application"

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
                "styrning.context_processors.navigation",
            ],
            # Django's libraries with quicker tags for literals: {% translate "…" %} and
            # {% static "…" %}.
            "libraries": {
                "i18n": "styrning.templatetags.i18n_literal",
                "static": "styrning.templatetags.static_literal",
            },
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'styrning.sqlite3'}")
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Keep a worker's database connection between requests (a new PostgreSQL connection costs
# a backend process each time); a broken one is noticed and replaced before it is used.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: PostgreSQL compiles any query it estimates as costly, and on
    # these queries (the roll-up's indicators at Stockholm's size, estimated at 140 000)
    # compiling took 20–40 ms of a query that runs in 60.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
# The collation units' names are compared in, so lists of nämnder and förvaltningar come in
# Swedish order (… Y, Z, Å, Ä, Ö), whatever locale the database was created with (C puts
# Ä before Å; en_US puts Ä among the A's). PostgreSQL's ICU collation; SQLite (make run)
# compares bytes, which differs from Swedish only for Å before Ä.
NAME_COLLATION = (
    env.str(
        "NAME_COLLATION",
        default="sv-x-icu" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "",
    )
    or None
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first (Django's recommendation): a login checked its PBKDF2 hash of a million
# rounds in 1.5–2 s on a shared 2-core machine (the trial timed every role's login);
# Argon2 takes a tenth of that and resists GPUs better. Older hashes still check and are
# rehashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "styrning.permissions.AdminRoleBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT failures for a username from one address,
# that login is locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The address counted: REMOTE_ADDR, or behind the documented proxy (BEHIND_PROXY=1) the
# address that proxy appended to X-Forwarded-For; entries a client sent are never trusted.
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
AXES_CLIENT_IP_CALLABLE = "styrning.proxy.client_ip"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Database sessions, read without the ORM's per-request compiling (styrning/sessions.py).
SESSION_ENGINE = "styrning.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # amounts are grouped by the num filter; years are not
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["styrning.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # No Redis: jobs run in-process, so `make run` needs no services.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_IGNORE_RESULT = True

# Results kept between requests (followup.finals): shared in Redis in production; without
# Redis each process keeps its own in memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "styrning",
        }
    }
CELERY_TIMEZONE = TIME_ZONE

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="styrning@localhost")
# The site's own address, for links in e-mails (no request to build them from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Behind a TLS-terminating proxy in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy: every asset comes from the app itself, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# "celery" with a broker; otherwise a thread of the web process (`make run`).
BACKGROUND_JOBS = env.str("BACKGROUND_JOBS", default="celery" if REDIS_URL else "thread")

# Background jobs (styrning.jobs): a running job silent this long, or a queued job nobody
# started this long, is marked failed by the sweep (seconds).
JOB_HEARTBEAT_TIMEOUT = env.int("JOB_HEARTBEAT_TIMEOUT", default=15 * 60)
JOB_QUEUE_TIMEOUT = env.int("JOB_QUEUE_TIMEOUT", default=60 * 60)
CELERY_BEAT_SWEEP_SECONDS = env.int("CELERY_BEAT_SWEEP_SECONDS", default=5 * 60)
# The hour (local time, 0–23) beat runs the årshjul's daily task: it opens the due periods.
FOLLOWUP_DAILY_HOUR = env.int("FOLLOWUP_DAILY_HOUR", default=6)
if not 0 <= FOLLOWUP_DAILY_HOUR <= 23:
    raise ImproperlyConfigured("FOLLOWUP_DAILY_HOUR must be an hour from 0 to 23")
# Uploads: an XLSX may unpack to at most this much; no cell or CSV line may be longer.
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=500 * 1024 * 1024)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=200)
IMPORT_MAX_LINE_CHARS = env.int("IMPORT_MAX_LINE_CHARS", default=2000)
