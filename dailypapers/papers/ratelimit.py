"""A fixed-window rate limit in the shared store, so every worker and host counts together.

Used by search, votes, comments, submissions, digest sign-ups, the API and `/mcp`; login and
sign-up limits are allauth's, answered by our 429 too. Each hit is one atomic count
(`rate_counter`: Redis, or a table when the cache is the database), so N parallel requests
let exactly the limit through. Losing a counter only forgives a client.

Every 429 carries `Retry-After` (seconds to the window's end) and the IETF draft's
`RateLimit-Policy` / `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-09, as
huggingface_hub's `parse_ratelimit_headers` reads them): `limit_headers` builds all three.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from dailypapers.papers import rate_counter

# Where `action_limited` notes its refusal, for the 429 built further on (ninja's handlers).
_NOTED = "_rate_limit_refusal"


@dataclass(frozen=True)
class Refusal:
    """A limit that said no, as the RateLimit fields advertise it."""

    policy: str  # a word: huggingface_hub reads the name as `\w+`
    quota: int  # hits allowed per window
    reset: int  # seconds until the window ends (at least 1)

    @classmethod
    def whole_window(cls, policy: str, quota: int) -> Refusal:
        """For a limit counted elsewhere (allauth's sliding windows): wait a whole window."""
        return cls(policy, quota, rate_counter.WINDOW_SECONDS)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the proxy's X-Forwarded-For entry when the proxy is trusted
    (the rightmost one: the address the proxy itself saw), else the socket's peer."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def refusal(scope: str, key: str, per_minute: int, policy: str = "") -> Refusal | None:
    """Count one hit of `key` in `scope`; a Refusal once it passes `per_minute` this minute,
    advertised as `policy` (default: the scope). A limit of 0 or less means no limit."""
    if per_minute <= 0:
        return None
    now = time.time()
    if rate_counter.hit(f"{scope}:{key}", now) <= per_minute:
        return None
    return Refusal(policy or scope, per_minute, rate_counter.seconds_left(now))


def over_limit(scope: str, key: str, per_minute: int) -> bool:
    """`refusal` as a yes or no."""
    return refusal(scope, key, per_minute) is not None


def action_limited(request: HttpRequest, action: str, member_key: str = "") -> Refusal | None:
    """Count one `action` (a key of settings.RATE_LIMITS) for the member and for the client
    IP; the Refusal when either is over its per-minute limit (also noted on the request for
    the 429, see `noted_refusal`). `member_key` defaults to the signed-in user."""
    per_member, per_ip = settings.RATE_LIMITS[action]
    user = getattr(request, "user", None)
    if not member_key and user is not None and user.is_authenticated:
        member_key = f"user:{user.pk}"
    by_member = refusal(f"{action}:member", member_key, per_member, action) if member_key else None
    by_ip = refusal(f"{action}:ip", client_ip(request), per_ip, f"{action}_ip")
    found = by_member or by_ip
    if found is not None:
        setattr(request, _NOTED, found)
    return found


def noted_refusal(request: HttpRequest) -> Refusal | None:
    """The refusal `action_limited` noted on this request, if any."""
    return getattr(request, _NOTED, None)


def limit_headers(refusal: Refusal | None) -> dict[str, str]:
    """`Retry-After`, `RateLimit-Policy` and `RateLimit` for a 429: e.g. `"api";q=120;w=60`
    and `"api";r=0;t=37`. Without a refusal (none was noted), only a whole window's wait."""
    if refusal is None:
        return {"Retry-After": str(rate_counter.WINDOW_SECONDS)}
    return {
        "Retry-After": str(refusal.reset),
        "RateLimit-Policy": f'"{refusal.policy}";q={refusal.quota};w={rate_counter.WINDOW_SECONDS}',
        "RateLimit": f'"{refusal.policy}";r=0;t={refusal.reset}',
    }


def with_limit_headers(response: HttpResponse, refusal: Refusal | None) -> HttpResponse:
    for name, value in limit_headers(refusal).items():
        response[name] = value
    return response


def too_many_requests(
    request: HttpRequest, what: str, refusal: Refusal | None = None
) -> HttpResponse:
    """The 429 every limited action answers: a page, or JSON when the client asked for it.
    `refusal` defaults to the one `action_limited` noted on the request."""
    message = f"Too many {what} in a short time. Please wait a minute and try again."
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": "rate_limited", "detail": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    return with_limit_headers(response, refusal or noted_refusal(request))
