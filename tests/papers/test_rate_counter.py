"""The fixed-window counter: every hit gets its own count however many threads hit at once,
in the database table (the database cache) and in Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.test import override_settings

from dailypapers.papers import rate_counter
from dailypapers.papers.models import RateCounter
from tests.threads import at_once, threads_database  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
THREADS, HITS = 16, 25
NOW = 1_800_000_030.5  # 30.5 s into a window


@pytest.fixture(params=["database", "redis"])
def store(request) -> Iterator[str]:
    if request.param == "database":
        yield request.param
        return
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis answers at {REDIS_URL} (set TEST_REDIS_URL)")
    # A prefix of its own: nothing another run or server counted is seen here. Undone before
    # the suite's cache.clear() runs, which on Redis would empty the whole database.
    backend = "django.core.cache.backends.redis.RedisCache"
    prefix = f"test-{uuid.uuid4().hex}"
    with override_settings(
        CACHES={"default": {"BACKEND": backend, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    ):
        yield request.param
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.mark.usefixtures("threads_database")
def test_hits_from_16_threads_at_once_each_get_their_own_count(store):
    def hits() -> list[int]:
        return [rate_counter.hit("k", NOW) for _ in range(HITS)]

    results, errors = at_once([hits] * THREADS)

    assert errors == []  # a writer waits for SQLite's lock rather than fail
    counts = sorted(count for result in results for count in result)
    assert counts == list(range(1, THREADS * HITS + 1))


def test_a_new_window_counts_from_one_again(store):
    assert [rate_counter.hit("k", NOW) for _ in range(3)] == [1, 2, 3]
    assert rate_counter.hit("other", NOW) == 1

    assert rate_counter.hit("k", NOW + 60) == 1


def test_seconds_left_run_to_the_end_of_the_window():
    assert rate_counter.seconds_left(NOW) == 30  # 29.5, rounded up
    assert rate_counter.seconds_left(1_800_000_000.0) == 60
    assert rate_counter.seconds_left(1_800_000_059.9) == 1


def test_keys_not_seen_for_a_window_are_pruned():
    rate_counter.hit("gone", NOW)
    rate_counter.hit("kept", NOW + 60)

    rate_counter.hit("new", NOW + 120)

    assert set(RateCounter.objects.values_list("key", flat=True)) == {"kept", "new"}


def test_a_key_longer_than_the_column_is_counted_under_its_hash():
    long_key = "login:" + "x" * 300

    assert [rate_counter.hit(long_key, NOW) for _ in range(2)] == [1, 2]
    assert RateCounter.objects.get().key.startswith("sha256:")
