"""Who is calling and how often: API tokens for members' writes, rate limits for everyone.

Tokens travel in `Authorization: Bearer dp_…` only, never in cookies, so a page on another
site cannot make a member's browser write (CORS lets other origins read, never write).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from dailypapers.accounts.tokens import PREFIX, hash_key, user_for_token
from dailypapers.api.v1.errors import RETRY_AFTER_SECONDS
from dailypapers.papers.ratelimit import action_limited


class TokenAuth(HttpBearer):
    """A member's API token; the request's `auth` is then their user."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        return user_for_token(token)


class ApiThrottle(BaseThrottle):
    """RATE_LIMITS["api"]: per token (whoever sends it) and per client address."""

    def allow_request(self, request: HttpRequest) -> bool:
        return not action_limited(request, "api", member_key=_token_key(request))

    def wait(self) -> float:
        return RETRY_AFTER_SECONDS


def _token_key(request: HttpRequest) -> str:
    # Keyed by the token's hash, not its owner: no database read to count a read request,
    # and one member's scripts with separate tokens get separate budgets.
    raw = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not raw.startswith(PREFIX):
        return ""
    return f"token:{hash_key(raw)[:32]}"
