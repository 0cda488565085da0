"""A fixed-window rate limit in the shared cache, so every worker and host counts together.

Used by search now, and by login, submit, vote and comment. A window's counter lives in the
cache (the database cache on a laptop, Redis at scale); losing it only forgives a client.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: the proxy's X-Forwarded-For entry when the proxy is trusted
    (the rightmost one: the address the proxy itself saw), else the socket's peer."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def over_limit(scope: str, key: str, per_minute: int) -> bool:
    """Count one hit of `key` in `scope`; True once it passes `per_minute` this minute.
    A limit of 0 or less means no limit."""
    if per_minute <= 0:
        return False
    window = int(time.time() // 60)
    name = f"ratelimit:{scope}:{key}:{window}"
    # add() creates the counter only if missing; incr() then counts (atomic on Redis).
    cache.add(name, 0, timeout=120)
    try:
        hits = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=120)
        hits = 1
    return hits > per_minute
