"""Typed readers for every environment variable the project understands.

One module so that parsing, defaults and the README table stay in one place
(`tests/test_docs.py` checks that each name here is documented).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

ENV_VARS = (
    "DAILYPAPERS_DATA_DIR",
    "DATABASE_URL",
    "DAILYPAPERS_SECRET_KEY",
    "DAILYPAPERS_DEBUG",
    "ALLOWED_HOSTS",
    "DAILYPAPERS_BASE_URL",
    "DAILYPAPERS_TRUST_PROXY_HEADERS",
    "DAILYPAPERS_HSTS_SECONDS",
    "REDIS_URL",
    "DAILYPAPERS_TIME_ZONE",
    "DAILYPAPERS_TRENDING_HALF_LIFE_HOURS",
    "DAILYPAPERS_TRENDING_WINDOW_DAYS",
    "PORT",
    "DAILYPAPERS_WORKERS",
    "DAILYPAPERS_ARXIV_API_URL",
    "DAILYPAPERS_ARXIV_OAI_URL",
    "DAILYPAPERS_ARXIV_DELAY_SECONDS",
    "HF_ENDPOINT",
    "DAILYPAPERS_ARXIV_CATEGORIES",
    "DAILYPAPERS_ARXIV_EVERY_HOURS",
    "DAILYPAPERS_HF_DAILY",
    "DAILYPAPERS_HF_DAILY_HOUR",
    "DAILYPAPERS_TRENDING_REFRESH_MINUTES",
    "DAILYPAPERS_INGEST_STALE_HOURS",
    "DAILYPAPERS_EMBEDDING_MODEL",
    "DAILYPAPERS_SEARCH_RRF_K",
    "DAILYPAPERS_SEARCH_KEYWORD_WEIGHT",
    "DAILYPAPERS_VECTOR_INDEX",
    "DAILYPAPERS_SEARCH_RATE_PER_MINUTE",
    "EMAIL_URL",
    "DAILYPAPERS_FROM_EMAIL",
    "DAILYPAPERS_CONTACT_EMAIL",
    "DAILYPAPERS_GITHUB_CLIENT_ID",
    "DAILYPAPERS_GITHUB_CLIENT_SECRET",
    "DAILYPAPERS_SUBMIT_MAX_AGE_DAYS",
    "DAILYPAPERS_SUBMIT_DAILY_CAP",
    "DAILYPAPERS_SUBMIT_WEEKENDS",
    "DAILYPAPERS_RATE_LIMITS",
    "DAILYPAPERS_FEED_CACHE_SECONDS",
    "DAILYPAPERS_DIGEST_SIZE",
    "DAILYPAPERS_DIGEST_DAILY_HOUR",
    "DAILYPAPERS_DIGEST_WEEKLY_DAY",
    "DAILYPAPERS_DIGEST_WEEKENDS",
    "DAILYPAPERS_DIGEST_MAX_BOUNCES",
    "DAILYPAPERS_DIGEST_FOR_YOU_SIZE",
    "DAILYPAPERS_DIGEST_FOR_YOU_MIN_UPVOTES",
    "DAILYPAPERS_DIGEST_FOR_YOU_HALF_LIFE_DAYS",
    "DAILYPAPERS_DIGEST_REMIND_AFTER_HOURS",
)


def get_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip() or default


def get_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean (use true/false)")


def get_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None


def get_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


# Requests per minute per member and per client IP. Per-IP limits are high on purpose: a lab
# of 100 people behind one address must be able to vote and comment at once. For login the
# "member" count is per account tried (the email or username typed), for sign-up there is none.
DEFAULT_RATE_LIMITS = {
    "vote": (60, 600),
    "comment": (6, 300),
    "submit": (10, 120),
    "login": (10, 300),
    "signup": (0, 60),
    # The JSON API and the MCP endpoint: per token, per IP.
    "api": (120, 600),
}


def get_rate_limits(name: str, defaults: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """`vote=60/600,comment=6/300`: per-member/per-IP requests per minute; 0 means no limit.
    Actions left out keep their default."""
    limits = dict(defaults)
    for item in get_list(name, []):
        action, _, rates = item.partition("=")
        member, _, ip = rates.partition("/")
        if (
            action.strip() not in defaults
            or not member.strip().isdigit()
            or not ip.strip().isdigit()
        ):
            raise ValueError(
                f"{name}: {item!r} is not action=member/ip with action one of "
                f"{', '.join(defaults)} and whole numbers (e.g. vote=60/600)"
            )
        limits[action.strip()] = (int(member), int(ip))
    return limits


def data_dir() -> Path:
    path = Path(get_str("DAILYPAPERS_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(data: Path) -> str:
    """The configured key, else one generated once and kept in the data dir."""
    configured = get_str("DAILYPAPERS_SECRET_KEY")
    if configured:
        return configured
    key_file = data / "secret_key"
    if not key_file.exists():
        create_private_file_once(key_file, secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def create_private_file_once(path: Path, text: str) -> None:
    """Write `text` to `path` (mode 0600) unless `path` exists.

    The text goes in full to a private temporary name, which is then hard-linked to `path`:
    the file never exists world-readable or half-written, and when several workers start at
    once the first link wins and the others, finding the name taken, read the winner's text.
    """
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another worker's key won
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)


LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ONE_YEAR = 365 * 24 * 60 * 60
# The header a TLS-terminating proxy sets (nginx: `proxy_set_header X-Forwarded-Proto $scheme`;
# Caddy sets it by itself). Trusted only on request: a client could send it too.
FORWARDED_PROTO = ("HTTP_X_FORWARDED_PROTO", "https")


def base_url() -> str:
    """The public origin (`https://papers.example.org`), without a trailing slash."""
    return get_str("DAILYPAPERS_BASE_URL").rstrip("/")


def base_url_problem(url: str) -> str:
    """Why `url` cannot be the public origin; "" when it can (or is unset)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (parses the port: "host:https" raises here)
    except ValueError:
        return "it is not a well-formed URL"
    if parts.scheme not in {"http", "https"}:
        return "it must start with https:// (or http://)"
    if not parts.hostname or parts.username or parts.password:
        return "it must name a host, and no user or password"
    if parts.path.strip("/") or parts.query or parts.fragment:
        return "it must be an origin only, without a path, query or fragment"
    return ""


def _public_origin() -> SplitResult | None:
    url = base_url()
    return urlsplit(url) if url and not base_url_problem(url) else None


def _host_pattern(parts: SplitResult) -> str:
    host = parts.hostname or ""
    return f"[{host}]" if ":" in host else host


def site_settings() -> dict[str, object]:
    """The Django settings that follow from the public origin and the proxy in front of it.

    An https base URL turns on secure cookies, HSTS and (when the proxy's header is trusted,
    so that Django can tell an https request from an http one) the redirect to https.
    A malformed base URL derives nothing here; the system check reports it.
    """
    public = _public_origin()
    https = public is not None and public.scheme == "https"
    trust_proxy = get_bool("DAILYPAPERS_TRUST_PROXY_HEADERS", False)
    hosts = LOCAL_HOSTS + ([_host_pattern(public)] if public else [])
    return {
        "BASE_URL": base_url(),
        "ALLOWED_HOSTS": get_list("ALLOWED_HOSTS", hosts),
        "CSRF_TRUSTED_ORIGINS": [f"{public.scheme}://{public.netloc.lower()}"] if public else [],
        "SECURE_PROXY_SSL_HEADER": FORWARDED_PROTO if trust_proxy else None,
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_SECURE": https,
        "SECURE_SSL_REDIRECT": https and trust_proxy,
        "SECURE_HSTS_SECONDS": get_int("DAILYPAPERS_HSTS_SECONDS", ONE_YEAR if https else 0),
    }


def email_settings() -> dict[str, object]:
    """Django's EMAIL_* settings from EMAIL_URL (dj-email-url): smtp://, smtp+tls://,
    console:, file:///path… The console backend prints messages (and their links) to the log."""
    import dj_email_url

    config = dj_email_url.parse(get_str("EMAIL_URL", "console:"))
    settings = {
        "EMAIL_BACKEND": config["EMAIL_BACKEND"],
        "EMAIL_HOST": config["EMAIL_HOST"] or "localhost",
        "EMAIL_PORT": config["EMAIL_PORT"] or 25,
        "EMAIL_HOST_USER": config["EMAIL_HOST_USER"] or "",
        "EMAIL_HOST_PASSWORD": config["EMAIL_HOST_PASSWORD"] or "",
        "EMAIL_USE_TLS": config["EMAIL_USE_TLS"],
        "EMAIL_USE_SSL": config["EMAIL_USE_SSL"],
        "EMAIL_TIMEOUT": config["EMAIL_TIMEOUT"] or 30,
    }
    if config.get("EMAIL_FILE_PATH"):
        settings["EMAIL_FILE_PATH"] = config["EMAIL_FILE_PATH"]
    sender = get_str("DAILYPAPERS_FROM_EMAIL", "Daily Papers <noreply@localhost>")
    settings["DEFAULT_FROM_EMAIL"] = settings["SERVER_EMAIL"] = sender
    return settings
