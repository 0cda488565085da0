"""Typed readers for every environment variable the project understands.

One module so that parsing, defaults and the README table stay in one place
(`tests/test_docs.py` checks that each name here is documented).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_VARS = (
    "DAILYPAPERS_DATA_DIR",
    "DATABASE_URL",
    "DAILYPAPERS_SECRET_KEY",
    "DAILYPAPERS_DEBUG",
    "ALLOWED_HOSTS",
    "DAILYPAPERS_TIME_ZONE",
    "DAILYPAPERS_TRENDING_HALF_LIFE_HOURS",
    "DAILYPAPERS_TRENDING_WINDOW_DAYS",
    "PORT",
    "DAILYPAPERS_WORKERS",
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
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
