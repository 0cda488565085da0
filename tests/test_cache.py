"""One cache for every worker and host: a database table by default, Redis with REDIS_URL."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from dailypapers import env

BIN = Path(sys.executable).parent
NOT_INHERITED = {*env.ENV_VARS, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def dailypapers(*args: str, **variables: str) -> str:
    """Run the CLI in a process of its own, as another worker or host would."""
    process_env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED} | variables
    result = subprocess.run(
        [BIN / "dailypapers", *args], env=process_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def cache_set(key: str, value: str, **variables: str) -> None:
    code = f"from django.core.cache import cache; cache.set({key!r}, {value!r}, 60)"
    dailypapers("shell", "--no-imports", "-c", code, **variables)


def cache_get(key: str, **variables: str) -> str:
    code = f"from django.core.cache import cache; print(cache.get({key!r}))"
    return dailypapers("shell", "--no-imports", "-c", code, **variables)


def test_the_cache_is_the_database_unless_redis_url_is_set():
    cache = settings.CACHES["default"]
    if os.environ.get("REDIS_URL"):
        assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert cache["LOCATION"] == os.environ["REDIS_URL"]
    else:
        assert cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        assert cache["LOCATION"] == settings.CACHE_TABLE


def test_migrate_creates_the_cache_table_that_every_process_shares(tmp_path):
    sqlite = {"DAILYPAPERS_DATA_DIR": str(tmp_path)}  # never the suite's own database
    dailypapers("migrate", "-v0", **sqlite)

    with sqlite3.connect(tmp_path / "dailypapers.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert settings.CACHE_TABLE in tables
    cache_set("shared", "from worker one", **sqlite)
    assert cache_get("shared", **sqlite) == "from worker one"


def redis_answers() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(
    not os.environ.get("CI") and not redis_answers(),
    reason=f"no Redis answers at {REDIS_URL} (set TEST_REDIS_URL; CI always runs this)",
)
def test_two_processes_with_redis_url_share_a_value(tmp_path):
    key, value = f"test-{uuid.uuid4().hex}", "seen by every host"
    first = {"REDIS_URL": REDIS_URL, "DAILYPAPERS_DATA_DIR": str(tmp_path / "one")}
    second = {"REDIS_URL": REDIS_URL, "DAILYPAPERS_DATA_DIR": str(tmp_path / "two")}

    cache_set(key, value, **first)

    assert cache_get(key, **second) == value
    stored = redis.Redis.from_url(REDIS_URL).keys(f"*{key}")
    assert len(stored) == 1 and stored[0].startswith(b"dailypapers:")
