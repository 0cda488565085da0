"""Who is calling and how often: API tokens for members' writes, rate limits for everyone.

Tokens travel in `Authorization: Bearer dp_…` only, never in cookies, so a page on another
site cannot make a member's browser write (CORS lets other origins read, never write).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from dailypapers.accounts.tokens import rate_limit_key, user_for_token
from dailypapers.papers.ratelimit import action_limited


class TokenAuth(HttpBearer):
    """A member's API token; the request's `auth` is then their user."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        return user_for_token(token)


class ApiThrottle(BaseThrottle):
    """RATE_LIMITS["api"]: per token (see `rate_limit_key`) and per client address. The 429
    and its headers come from `errors._throttled`, with the refusal noted on the request."""

    def allow_request(self, request: HttpRequest) -> bool:
        return not action_limited(request, "api", member_key=rate_limit_key(request))

    def wait(self) -> float | None:
        # None: ninja would overwrite Retry-After with it, and this one instance serves every
        # request, so it cannot know this request's wait (`_throttled` sets the headers).
        return None
