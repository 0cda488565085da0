"""A fixed-window rate limit in the shared cache, so every worker and host counts together.

Used by search now, and by login, submit, vote and comment. A window's counter lives in the
cache (the database cache on a laptop, Redis at scale); losing it only forgives a client.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


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


def action_limited(request: HttpRequest, action: str, member_key: str = "") -> bool:
    """Count one `action` (a key of settings.RATE_LIMITS) for the member and for the client
    IP; True when either is over its per-minute limit. `member_key` defaults to the signed-in
    user; login passes the account being tried instead."""
    per_member, per_ip = settings.RATE_LIMITS[action]
    user = getattr(request, "user", None)
    if not member_key and user is not None and user.is_authenticated:
        member_key = f"user:{user.pk}"
    member_over = bool(member_key) and over_limit(f"{action}:member", member_key, per_member)
    ip_over = over_limit(f"{action}:ip", client_ip(request), per_ip)
    return member_over or ip_over


def too_many_requests(request: HttpRequest, what: str) -> HttpResponse:
    """The 429 every limited action answers: a page, or JSON when the client asked for it."""
    message = f"Too many {what} in a short time. Please wait a minute and try again."
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": "rate_limited", "detail": message}, status=429)
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = "60"
    return response
