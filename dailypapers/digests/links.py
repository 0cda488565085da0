"""Unsubscribe links for the digest footer and headers.

The subscribe side owns the tokens (`digests.tokens`); until that module exists, a minimal
signed link of the same shape stands in, so digests can be composed and tested meanwhile.
"""

from __future__ import annotations

from django.core import signing

from dailypapers.digests.models import Subscription

_SALT = "digests.unsubscribe"


def _tokens():
    try:
        from dailypapers.digests import tokens
    except ImportError:
        return None
    return tokens


def unsubscribe_url(subscription: Subscription) -> str:
    tokens = _tokens()
    if tokens is not None:
        return tokens.unsubscribe_url(subscription)
    return _fallback(subscription)


def one_click_url(subscription: Subscription) -> str:
    tokens = _tokens()
    if tokens is not None:
        return tokens.one_click_url(subscription)
    return _fallback(subscription) + "/one-click"


def _fallback(subscription: Subscription) -> str:
    from dailypapers.digests.compose import absolute

    return absolute(f"/unsubscribe/{signing.dumps(subscription.pk, salt=_SALT)}")
