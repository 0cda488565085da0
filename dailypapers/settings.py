"""Django settings: everything configurable comes from `dailypapers.env`."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from dailypapers import env
from dailypapers.accounts import config as accounts_config

PACKAGE_DIR = Path(__file__).resolve().parent

DATA_DIR = env.data_dir()
BASE_DIR = DATA_DIR.parent

SECRET_KEY = env.secret_key(DATA_DIR)
DEBUG = env.get_bool("DAILYPAPERS_DEBUG", False)

# BASE_URL (the public origin, for absolute links in feeds, emails and the API),
# ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, SECURE_PROXY_SSL_HEADER, secure cookies, HSTS and the
# https redirect all follow from DAILYPAPERS_BASE_URL and DAILYPAPERS_TRUST_PROXY_HEADERS.
globals().update(env.site_settings())
# HSTS covers the subdomains of the base URL's host too (*.papers.example.org). Preloading
# is not ours to opt into: it binds the whole registrable domain for months, so an operator
# who wants it sets it in a settings override and submits the domain.
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

INSTALLED_APPS = [
    "dailypapers.admin_site.AdminConfig",  # django.contrib.admin, branded (admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dailypapers.papers",
    "dailypapers.ingest",
    "dailypapers.search",
    "dailypapers.accounts",
    "dailypapers.api",
    "dailypapers.digests",
    "ninja",
    "corsheaders",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dailypapers.papers.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dailypapers.urls"
WSGI_APPLICATION = "dailypapers.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
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

SQLITE_OPTIONS = {
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN
    # so two writers wait on busy_timeout instead of failing with "database is locked".
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 5,
}


def _database() -> dict:
    url = env.get_str("DATABASE_URL")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "dailypapers.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
        }
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = SQLITE_OPTIONS
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
USE_I18N = False
USE_TZ = True
TIME_ZONE = "UTC"
# The day a submission belongs to is taken in this zone (the feed's "today").
FEED_TIME_ZONE = env.get_str("DAILYPAPERS_TIME_ZONE", "UTC")
TRENDING_HALF_LIFE_HOURS = env.get_float("DAILYPAPERS_TRENDING_HALF_LIFE_HOURS", 36.0)
TRENDING_WINDOW_DAYS = env.get_int("DAILYPAPERS_TRENDING_WINDOW_DAYS", 7)

# Ingestion sources. The URLs are settings so tests (and mirrors) can point elsewhere.
ARXIV_API_URL = env.get_str("DAILYPAPERS_ARXIV_API_URL", "https://export.arxiv.org/api/query")
ARXIV_OAI_URL = env.get_str("DAILYPAPERS_ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai")
# arXiv asks for 3 s between calls to its API and OAI-PMH service.
ARXIV_DELAY_SECONDS = env.get_float("DAILYPAPERS_ARXIV_DELAY_SECONDS", 3.0)
# Hugging Face's own variable, so one setting serves huggingface_hub and our importer.
HF_ENDPOINT = env.get_str("HF_ENDPOINT", "https://huggingface.co").rstrip("/")

# The schedule the job queue keeps (no cron): new papers of these arXiv categories every
# few hours and at start (0 turns it off); Hugging Face's day feed once a day when enabled;
# trending every few minutes. A source with no successful run for this long is flagged.
ARXIV_CATEGORIES = env.get_list(
    "DAILYPAPERS_ARXIV_CATEGORIES", ["cs.LG", "cs.CL", "cs.CV", "cs.AI"]
)
ARXIV_EVERY_HOURS = env.get_int("DAILYPAPERS_ARXIV_EVERY_HOURS", 4)
HF_DAILY = env.get_bool("DAILYPAPERS_HF_DAILY", False)
HF_DAILY_HOUR = env.get_int("DAILYPAPERS_HF_DAILY_HOUR", 6)
TRENDING_REFRESH_MINUTES = env.get_int("DAILYPAPERS_TRENDING_REFRESH_MINUTES", 10)
INGEST_STALE_HOURS = env.get_float("DAILYPAPERS_INGEST_STALE_HOURS", 36.0)

# Search: the embedding model (a name from `search.embeddings.MODELS`; changing it rebuilds
# every vector), the reciprocal-rank-fusion constant, where vectors are searched (`auto`:
# pgvector when PostgreSQL has the extension, else an index file in the data dir), and
# how many searches one IP may make per minute.
# Defaults chosen on bench/relevance (40 queries over the demo corpus, bench/search_quality.py):
# MiniLM at 128 tokens matched 256 tokens and embeds 2.7x faster; RRF with k = 5 and the
# keyword list weighted 3 was the one fusion better than keyword alone on recall@10, nDCG@10
# and MRR (0.77 / 0.76 / 0.87 against 0.75 / 0.74 / 0.85; plain k = 60: 0.80 / 0.75 / 0.83).
EMBEDDING_MODEL = env.get_str("DAILYPAPERS_EMBEDDING_MODEL", "minilm-128")
SEARCH_RRF_K = env.get_int("DAILYPAPERS_SEARCH_RRF_K", 5)
SEARCH_KEYWORD_WEIGHT = env.get_float("DAILYPAPERS_SEARCH_KEYWORD_WEIGHT", 3.0)
VECTOR_INDEX = env.get_str("DAILYPAPERS_VECTOR_INDEX", "auto")
SEARCH_RATE_PER_MINUTE = env.get_int("DAILYPAPERS_SEARCH_RATE_PER_MINUTE", 60)

# Email (sign-up verification, password reset, digests): EMAIL_URL such as
# smtp://user:password@host:587/?tls=True, or console: (the default) to print messages.
globals().update(env.email_settings())
# Named on the account pages where an email may not arrive ("write to …"); unset, no line.
CONTACT_EMAIL = env.get_str("DAILYPAPERS_CONTACT_EMAIL")

# Accounts (django-allauth; the `accounts` app configures it). GitHub sign-in is offered only
# when both of its variables are set.
GITHUB_CLIENT_ID = env.get_str("DAILYPAPERS_GITHUB_CLIENT_ID")
GITHUB_CLIENT_SECRET = env.get_str("DAILYPAPERS_GITHUB_CLIENT_SECRET")

# Allauth: members sign up with a username, an email they must confirm before the first login,
# and a password; they log in with either the username or the email. Rate limits come from
# RATE_LIMITS["login"] and ["signup"] (`accounts.config`); going over answers our 429 page.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# One address per member; a new one replaces the old once its owner confirms it.
ACCOUNT_CHANGE_EMAIL = True
# Tell members by email when their password or address changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Daily Papers] "
ACCOUNT_USERNAME_MIN_LENGTH = 2
ACCOUNT_ADAPTER = "dailypapers.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "dailypapers.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = accounts_config.socialaccount_providers(
    GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET
)

# Submissions to the daily feed: how old a paper may be, how many one member may submit per
# feed day, and whether Saturday and Sunday are feed days one can submit to.
SUBMIT_MAX_AGE_DAYS = env.get_int("DAILYPAPERS_SUBMIT_MAX_AGE_DAYS", 14)
SUBMIT_DAILY_CAP = env.get_int("DAILYPAPERS_SUBMIT_DAILY_CAP", 5)
SUBMIT_WEEKENDS = env.get_bool("DAILYPAPERS_SUBMIT_WEEKENDS", True)

# Per-member and per-IP requests per minute for each community action (`papers.ratelimit`).
RATE_LIMITS = env.get_rate_limits("DAILYPAPERS_RATE_LIMITS", env.DEFAULT_RATE_LIMITS)
# Allauth's login and sign-up limits, from the "login" and "signup" entries.
ACCOUNT_RATE_LIMITS = accounts_config.allauth_rate_limits(RATE_LIMITS)

# How long a rendered feed page is shared between anonymous readers: a vote shows on every
# reader's page within this many seconds (moderation drops it at once).
FEED_CACHE_SECONDS = env.get_float("DAILYPAPERS_FEED_CACHE_SECONDS", 1.0)

# Email digests: how many papers each carries, the hour (in the feed's time zone) daily ones
# go out, the weekday (0 = Monday) of weekly ones, whether Saturday and Sunday get a daily
# digest, and after how many hard bounces an address is skipped.
DIGEST_SIZE = env.get_int("DAILYPAPERS_DIGEST_SIZE", 10)
DIGEST_DAILY_HOUR = env.get_int("DAILYPAPERS_DIGEST_DAILY_HOUR", 7)
DIGEST_WEEKLY_DAY = env.get_int("DAILYPAPERS_DIGEST_WEEKLY_DAY", 0)
DIGEST_WEEKENDS = env.get_bool("DAILYPAPERS_DIGEST_WEEKENDS", False)
DIGEST_MAX_BOUNCES = env.get_int("DAILYPAPERS_DIGEST_MAX_BOUNCES", 3)
# "For you": papers per section, upvotes a member needs first, the profile's half-life in days.
DIGEST_FOR_YOU_SIZE = env.get_int("DAILYPAPERS_DIGEST_FOR_YOU_SIZE", 5)
DIGEST_FOR_YOU_MIN_UPVOTES = env.get_int("DAILYPAPERS_DIGEST_FOR_YOU_MIN_UPVOTES", 3)
DIGEST_FOR_YOU_HALF_LIFE_DAYS = env.get_int("DAILYPAPERS_DIGEST_FOR_YOU_HALF_LIFE_DAYS", 30)
# An unconfirmed subscription gets its one reminder this many hours after subscribing.
DIGEST_REMIND_AFTER_HOURS = env.get_int("DAILYPAPERS_DIGEST_REMIND_AFTER_HOURS", 48)

# Any site may read the API from a browser (GET only); writes need a token, never cookies.
# Also the machine-readable pages, so a web app can show them: a paper's Markdown
# (`/papers/<id>.md`, an old-style id has one slash) and every RSS/Atom feed (each ends in
# `/feed.rss` or `/feed.atom`). Not the HTML pages.
CORS_URLS_REGEX = r"^(/api/.*|/papers/[^/]+(/[^/]+)?\.md|(/.*)?/feed\.(rss|atom))$"
# Scripts in other origins may read these too: paging (`Link`), rate limits, validators.
CORS_EXPOSE_HEADERS = ["Link", "ETag", "RateLimit", "RateLimit-Policy", "Retry-After"]
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the package when collectstatic has not run (tests, first boot).
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# One cache for every worker and host (trending, later rendered cards and rate limits):
# a table in the database by default, so a laptop needs no other service (the papers app
# creates the table after `migrate`); Redis when REDIS_URL is set.
CACHE_TABLE = "dailypapers_cache"


def _cache() -> dict:
    redis_url = env.get_str("REDIS_URL")
    if redis_url:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "dailypapers",
        }
    # Django's default of 300 entries would cull (a DELETE on a write) all the time once
    # rate-limit counters, feed pages and trending share the table.
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }


CACHES = {"default": _cache()}


def _huey() -> dict:
    """The job queue (huey): a SQLite file in the data dir, so a laptop needs no service, or
    Redis when REDIS_URL is set, so consumers on several hosts share one queue. Tasks run in
    the consumer (`dailypapers worker`, or the one `dailypapers serve` starts), never inline:
    `immediate` would run the schedule's imports inside a web request."""
    common = {"name": "dailypapers", "immediate": False, "utc": True}
    redis_url = env.get_str("REDIS_URL")
    if redis_url:
        return {**common, "huey_class": "huey.RedisHuey", "url": redis_url}
    return {**common, "huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")}


HUEY = _huey()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"dailypapers": {"level": "INFO"}},
}
