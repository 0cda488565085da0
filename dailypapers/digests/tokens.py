"""Signed links for digests: confirm a subscription, unsubscribe, RFC 8058 one-click, and
"not interested" in a paper of the "for you" section.

Tokens are `django.core.signing` payloads (no table): the subscription's id and address, so
a token for one address never acts on another, plus the issue time for confirmations. A
"not interested" token names the member and the paper: the mark belongs to the member (their
profile), not to the address the email went to.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.urls import reverse

from dailypapers.digests.models import Subscription

CONFIRM_SALT = "dailypapers.digests.confirm"
UNSUBSCRIBE_SALT = "dailypapers.digests.unsubscribe"
NOT_INTERESTED_SALT = "dailypapers.digests.not-interested"
# A confirmation link works for a week; an unsubscribe link works forever (old emails too).
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60
# Where links point when DAILYPAPERS_BASE_URL is unset (a laptop's `runserver`): the sender
# runs outside any request, so it cannot ask one for its host.
FALLBACK_BASE_URL = "http://localhost:8000"


class BadToken(Exception):
    """A token that is malformed, tampered with, expired or for no current subscription."""


def absolute(path: str) -> str:
    """`path` on the public origin (BASE_URL, else the local fallback)."""
    return f"{(settings.BASE_URL or FALLBACK_BASE_URL).rstrip('/')}{path}"


def confirm_token(subscription: Subscription) -> str:
    payload = {"s": subscription.pk, "e": subscription.email, "t": int(time.time() * 1000)}
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def unsubscribe_token(subscription: Subscription) -> str:
    payload = {"s": subscription.pk, "e": subscription.email}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def confirm_url(subscription: Subscription) -> str:
    return absolute(reverse("digests:confirm", args=[confirm_token(subscription)]))


def unsubscribe_url(subscription: Subscription) -> str:
    """The page with an Unsubscribe button (the link in every digest's footer)."""
    return absolute(reverse("digests:unsubscribe", args=[unsubscribe_token(subscription)]))


def one_click_url(subscription: Subscription) -> str:
    """The RFC 8058 `List-Unsubscribe` target: mail clients POST `List-Unsubscribe=One-Click`."""
    return absolute(reverse("digests:one_click", args=[unsubscribe_token(subscription)]))


def not_interested_url(user_id: int, paper_id: int) -> str:
    """The page with a "Not interested" button for this member and paper. Never expires:
    an old digest's link still works. Five of these go in each email, hence the plain
    signer over a two-number list (no JSON object keys, no compression: short and cheap)."""
    token = _not_interested_signer().sign_object([user_id, paper_id])
    return absolute(reverse("digests:not_interested", args=[token]))


def read_not_interested(token: str) -> tuple[int, int]:
    """The (user id, paper id) a "not interested" token names; BadToken when it is broken.
    The caller checks that both still exist."""
    try:
        payload = _not_interested_signer().unsign_object(token)
    except signing.BadSignature as error:
        raise BadToken("This link is invalid.") from error
    valid = (
        isinstance(payload, list)
        and len(payload) == 2
        and all(type(value) is int for value in payload)
    )
    if not valid:
        raise BadToken("This link is invalid.")
    return payload[0], payload[1]


def _not_interested_signer() -> signing.Signer:
    # Built per call (cheap): the secret key is read when signing, as `signing.dumps` does.
    return signing.Signer(salt=NOT_INTERESTED_SALT)


def _load(token: str, salt: str, max_age: int | None) -> dict:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature too
        raise BadToken("This link is invalid or has expired.") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise BadToken("This link is invalid.")
    return payload


def _subscription(payload: dict) -> Subscription:
    found = Subscription.objects.filter(pk=payload["s"], email=payload.get("e")).first()
    if found is None:
        raise BadToken("This link is for a subscription that no longer exists.")
    return found


def read_confirm(token: str) -> tuple[Subscription, int]:
    """The subscription a confirmation token names, and when the token was issued (ms)."""
    payload = _load(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    return _subscription(payload), int(payload.get("t", 0))


def read_unsubscribe(token: str) -> Subscription:
    return _subscription(_load(token, UNSUBSCRIBE_SALT, None))
