"""A visitor's ▲, kept through login and cast once they are in: never by a link alone.

The ▲ a visitor sees sits on a page shared by every visitor (`papers.cards`), so it is one
link for all: `/papers/<id>/upvote/intent?next=<page>`. That GET, for a visitor, draws a
random nonce, keeps it in a cookie of this browser for `INTENT_SECONDS`, and sends them to
login with `next=/papers/<id>/upvote/intent?intent=<signed paper, page and nonce>`. After
login the same URL, now for a member, casts the vote when the signature is good and young
and its nonce is the one in this browser's cookie (used once: the cookie is deleted), and
goes back to the page, on the card (`#paper-<id>`).

Why a nonce in a cookie: a GET that casts a vote is what cross-site request forgery is
made of. A signed intent proves nothing about who asked (any visitor is handed one), and
another site can send a logged-in member's browser to one; but only the browser that
clicked ▲ holds the matching nonce, and no other site can read or set our cookies. A
member who arrives without it (someone else's link, an old tab) gets the card and a note
that nothing was cast: one press of ▲ does it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare

COOKIE = "dailypapers_vote_intent"
COOKIE_PATH = "/papers/"  # the intent URL's: the cookie rides on no other request
SALT = "dailypapers.papers.vote-intent"
# Long enough to log in (or reset a forgotten password) on the way, short enough that an
# intent left behind is gone by the next visit.
INTENT_SECONDS = 15 * 60


@dataclass(frozen=True)
class Intent:
    arxiv_id: str
    page: str  # where the visitor was: a path on this site (the view checked it)
    nonce: str


def sign(arxiv_id: str, page: str) -> tuple[Intent, str]:
    """A new intent and its signed form (for the login's `next`)."""
    intent = Intent(arxiv_id, page, secrets.token_urlsafe(16))
    data = {"a": intent.arxiv_id, "p": intent.page, "n": intent.nonce}
    return intent, signing.dumps(data, salt=SALT, compress=True)


def read(signed: str) -> Intent | None:
    """The intent `signed` carries, if its signature is ours and it is young enough."""
    try:
        data = signing.loads(signed, salt=SALT, max_age=INTENT_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "apn"):
        return None
    return Intent(data["a"], data["p"], data["n"])


def started_here(request: HttpRequest, intent: Intent) -> bool:
    """Whether this browser clicked the ▲ that made `intent` (it holds the nonce)."""
    return constant_time_compare(request.COOKIES.get(COOKIE, ""), intent.nonce)


def remember(response: HttpResponse, intent: Intent) -> None:
    response.set_cookie(
        COOKIE,
        intent.nonce,
        max_age=INTENT_SECONDS,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        # Lax, not Strict: a login through GitHub comes back from another site. The nonce,
        # not SameSite, is what another site cannot forge.
        samesite="Lax",
    )


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Lax")
