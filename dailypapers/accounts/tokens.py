"""API tokens: created with a name, shown once, stored as a SHA-256, revoked by their owner.

A token is `dp_` followed by 43 URL-safe characters (32 random bytes). The random part is
long enough that a plain (unsalted) hash is safe to store and lets a request find its token
with one indexed lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from dailypapers.accounts.models import ApiToken
from dailypapers.papers.ratelimit import client_ip

PREFIX = "dp_"
# How many characters of the key are kept in clear to tell tokens apart.
SHOWN_CHARS = len(PREFIX) + 6
# Longer is no key of ours, and is not worth hashing.
MAX_KEY_CHARS = 200
# A busy script would otherwise write the row on every request.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def assign_new_key(token: ApiToken) -> str:
    """Give an unsaved token a fresh key; returns the key, which is never stored."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token.prefix, token.key_hash = raw[:SHOWN_CHARS], hash_key(raw)
    return raw


def create_token(user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and its key (shown to the member once)."""
    token = ApiToken(user=user, name=name)
    raw = assign_new_key(token)
    token.save()
    return token, raw


def tokens_of(user: AbstractBaseUser) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def revoke_token(user: AbstractBaseUser, token_id: int) -> bool:
    """Delete one of the user's tokens; False when they have no such token."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def bearer(request: HttpRequest) -> str:
    """The request's `Authorization: Bearer …` credential, whoever issued it; "" if none."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else ""


def rate_limit_key(request: HttpRequest) -> str:
    """Whose budget an API request spends (`/api/v1`, the Hugging Face routes and `/mcp`
    alike), besides its address's: a live token of ours, that token's own; a token that looks
    like ours but is not (unknown, revoked, its member deactivated), the one budget every such
    token from that address shares, or each made-up token would bring a fresh one; no token,
    or another site's (huggingface_hub sends its Hugging Face token), none ("").
    Costs one indexed query when a token of ours is sent."""
    raw = bearer(request)
    if not raw.startswith(PREFIX):
        return ""
    digest = hash_key(raw) if len(raw) <= MAX_KEY_CHARS else ""
    if digest and ApiToken.objects.filter(key_hash=digest, user__is_active=True).exists():
        return f"token:{digest[:32]}"
    return f"unverified-token:{client_ip(request)}"


def user_for_token(raw: str) -> AbstractBaseUser | None:
    """The active user a key belongs to, or None. Notes the use (at most once a minute)."""
    raw = (raw or "").strip()
    if not raw.startswith(PREFIX) or len(raw) > MAX_KEY_CHARS:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(raw)).first()
    if token is None or not token.user.is_active:
        return None
    _note_use(token)
    return token.user


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    # A conditional UPDATE: concurrent requests write at most once per minute between them.
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
