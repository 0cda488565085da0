"""`{% digest_settings %}`: the digest section of the member settings page.

The page belongs to accounts, which must not import digests; loading this tag from the
template keeps that dependency in the template, pointing from digests' side."""

from __future__ import annotations

from django import template
from django.conf import settings

from dailypapers.digests.member_settings import digest_state

register = template.Library()


@register.inclusion_tag("digests/_settings_form.html", takes_context=True)
def digest_settings(context) -> dict:
    user = context["request"].user
    return {
        "state": digest_state(user),
        "min_upvotes": settings.DIGEST_FOR_YOU_MIN_UPVOTES,
        # An inclusion tag renders in a fresh context: the form needs the page's CSRF token.
        "csrf_token": context.get("csrf_token"),
    }
