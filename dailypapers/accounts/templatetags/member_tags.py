"""Template tags for pages outside this app: the header's login link, an author's claim box."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

from dailypapers.accounts import claims
from dailypapers.accounts.profiles import shown_name
from dailypapers.papers.models import Author

register = template.Library()


@register.simple_tag(takes_context=True)
def login_url(context, view: str = "account_login") -> str:
    """The login (or sign-up) URL that comes back to the current page afterwards; from an
    account page itself (login, reset…) it goes home instead of back into the form."""
    url = reverse(view)
    request = context.get("request")
    if request is None or request.path.startswith("/accounts/"):
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


@register.inclusion_tag("account/_contact.html")
def contact_line(trouble: str) -> dict:
    """Who to write to when `trouble` ("the email does not arrive"), if the operator named
    someone (DAILYPAPERS_CONTACT_EMAIL); nothing otherwise, rather than "contact us"."""
    return {"contact_email": settings.CONTACT_EMAIL, "trouble": trouble}


@register.inclusion_tag("accounts/_author_claim.html", takes_context=True)
def author_claim(context, author: Author) -> dict:
    """Who an author is on this site, or a "This is me" button for a member."""
    user = context["request"].user
    member = author.claimed_by
    state = {"author": author, "member": member, "user": user}
    if member is not None:
        state["member_name"] = shown_name(member)
    elif user.is_authenticated:
        state["pending"] = claims.pending_claim(user, author) is not None
    return state
