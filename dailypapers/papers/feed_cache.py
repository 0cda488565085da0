"""Rendered feed pages shared between readers.

A page is cached under a key that carries the feed's generation: moderation and new
submissions bump the generation, so what they change shows at once; votes do not (they
flow all the time), so a vote shows within `FEED_CACHE_SECONDS`.
"""

from __future__ import annotations

from django.core.cache import cache

GENERATION_KEY = "feed:generation"


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def forget_feeds() -> None:
    """Every cached feed page is stale from now on (call it after commit)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # never set, or evicted
        cache.set(GENERATION_KEY, 2, timeout=None)
