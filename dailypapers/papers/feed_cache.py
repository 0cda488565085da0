"""Rendered feed pages shared between readers, for at most `FEED_CACHE_SECONDS`.

An entry records the feed generation it was built under and when its build started:
- moderation and new submissions bump the generation (`forget_feeds`, after commit), so
  what they change shows at once: an entry of an older generation is never served;
- votes flow all the time and bump nothing: an entry is served until `FEED_CACHE_SECONDS`
  after its build *started*, so a vote committed before that start is in it, and any vote
  shows on every reader's page within `FEED_CACHE_SECONDS`;
- a member who just voted gets a page built after their vote (`member_voted`), so their
  own button and its count agree when the no-JS form redirects back to the feed.

No stampede when an entry ages: past half its life the first request to take a short lock
(`cache.add`) rebuilds it while the others keep serving it; a missing or outdated entry is
built by the lock holder while the others wait for it (at most a second or two, then
they build it themselves).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "feed:generation"
LOCK_SECONDS = 10  # a builder that died frees its lock after this long
WAIT_SECONDS = 2.0  # how long a request waits for another's build before building itself
WAIT_STEP = 0.02


def _now() -> float:
    """Wall-clock seconds, comparable between processes (tests move it)."""
    return time.time()


def _new_generation() -> int:
    # Clock-based, not 1: if the counter is evicted (the database cache culls entries), a
    # new one must not repeat a value that entries still in the cache carry.
    return time.time_ns()


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, _new_generation, timeout=None)


def forget_feeds() -> None:
    """Every cached feed page is stale from now on (call it after commit)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # never set, or evicted
        cache.set(GENERATION_KEY, _new_generation(), timeout=None)


def member_voted(user_id: int) -> None:
    """This member just voted (call it after commit): their next feed page is built after it."""
    cache.set(_voted_key(user_id), _now(), timeout=_keep_seconds())


@dataclass(frozen=True)
class Entry:
    generation: int
    started: float  # _now() before the build read anything
    value: Any = None

    @property
    def stamp(self) -> Entry:
        return Entry(self.generation, self.started)


# The last entries this process fetched, by key: a request reads only the small stamp from
# the shared cache and the page itself once per build, not a few hundred KB every time.
_local: OrderedDict[str, Entry] = OrderedDict()
_local_lock = threading.Lock()
LOCAL_ENTRIES = 64


def shared(key: str, build: Callable[[], Any], member_id: int | None = None) -> Any:
    """`build()`'s value for `key`, shared between requests and processes (see the module)."""
    ttl = settings.FEED_CACHE_SECONDS
    if ttl <= 0:
        return build()
    page_key = f"feed:page:{key}"
    names = [GENERATION_KEY, _stamp_key(page_key), _lock_key(page_key)]
    if member_id is not None:
        names.append(_voted_key(member_id))
    found = cache.get_many(names)  # the one round trip of the common path
    current = found.get(GENERATION_KEY) or generation()
    newer_than = found.get(_voted_key(member_id), 0.0)
    # Seen held, the lock is not tried: on the database cache every try is a write.
    held = _lock_key(page_key) in found
    entry = _entry(page_key, found.get(_stamp_key(page_key)), current, newer_than)
    if entry is not None:
        if _now() - entry.started < ttl / 2 or held or not _lock(page_key):
            return entry.value  # fresh, or someone else is rebuilding it
        return _build(page_key, current, build, locked=True)
    return _wait_or_build(page_key, current, newer_than, build, held)


def _entry(page_key: str, stamp: Entry | None, current: int, newer_than: float) -> Entry | None:
    """The entry `stamp` names, if it may be served to this reader now."""
    if not _usable(stamp, current, newer_than, settings.FEED_CACHE_SECONDS):
        return None
    return _fetch(page_key, stamp)


def _fetch(page_key: str, stamp: Entry) -> Entry | None:
    """The entry of this stamp: from this process's memory, else from the shared cache."""
    with _local_lock:
        entry = _local.get(page_key)
    if entry is not None and entry.stamp == stamp:
        return entry
    entry = cache.get(page_key)
    if entry is None or entry.stamp != stamp:  # replaced meanwhile: treat as missing
        return None
    _remember(page_key, entry)
    return entry


def _remember(page_key: str, entry: Entry) -> None:
    with _local_lock:
        _local[page_key] = entry
        _local.move_to_end(page_key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def _usable(entry: Entry | None, current: int, newer_than: float, ttl: float) -> bool:
    return (
        entry is not None
        and entry.generation == current
        and entry.started > newer_than
        and _now() - entry.started < ttl
    )


def _build(page_key: str, current: int, build: Callable[[], Any], locked: bool) -> Any:
    started = _now()
    try:
        entry = Entry(current, started, build())
        # The page before its stamp: whoever reads the new stamp finds the page it names.
        cache.set(page_key, entry, timeout=_keep_seconds())
        cache.set(_stamp_key(page_key), entry.stamp, timeout=_keep_seconds())
        _remember(page_key, entry)
    finally:
        if locked:
            cache.delete(_lock_key(page_key))
    return entry.value


def _wait_or_build(
    page_key: str, current: int, newer_than: float, build: Callable[[], Any], held: bool
) -> Any:
    """No usable entry: build it under the lock, or wait a little for whoever holds it."""
    deadline = time.monotonic() + min(WAIT_SECONDS, settings.FEED_CACHE_SECONDS)
    while True:
        if not held and _lock(page_key):
            return _build(page_key, current, build, locked=True)
        if time.monotonic() > deadline:  # the holder is slow or gone: do not wait forever
            return _build(page_key, current, build, locked=False)
        time.sleep(WAIT_STEP)
        found = cache.get_many([_stamp_key(page_key), _lock_key(page_key)])
        held = _lock_key(page_key) in found
        entry = _entry(page_key, found.get(_stamp_key(page_key)), current, newer_than)
        if entry is not None:
            return entry.value


def _lock(page_key: str) -> bool:
    return cache.add(_lock_key(page_key), 1, timeout=LOCK_SECONDS)


def _lock_key(page_key: str) -> str:
    return f"{page_key}:lock"


def _stamp_key(page_key: str) -> str:
    return f"{page_key}:stamp"


def _voted_key(user_id: int | None) -> str:
    return f"feed:voted:{user_id}"


def _keep_seconds() -> int:
    # An entry is useless past FEED_CACHE_SECONDS; keep it a little longer, not forever,
    # so stale pages do not pile up in the cache table.
    return int(settings.FEED_CACHE_SECONDS) + 2
