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
from django.utils import timezone

from dailypapers.accounts.models import ApiToken

PREFIX = "dp_"
# How many characters of the key are kept in clear to tell tokens apart.
SHOWN_CHARS = len(PREFIX) + 6
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


def user_for_token(raw: str) -> AbstractBaseUser | None:
    """The active user a key belongs to, or None. Notes the use (at most once a minute)."""
    raw = (raw or "").strip()
    if not raw.startswith(PREFIX) or len(raw) > 200:
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
