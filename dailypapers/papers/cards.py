"""Feed pages rendered once, shared between readers, and finished per request.

A feed body (tabs, dates, 50 cards, pager) is the same for every reader but for the upvote
controls: a visitor gets a link to log in, a member a form with their own CSRF token,
pressed on the papers they upvoted. So the body is rendered once with a marked slot per
control, and `papers/_vote.html` is rendered beside it in each state, with a placeholder
for the token. Finishing a page for a reader is then a join of strings and one query for a
member's votes, instead of ~40 ms of template rendering; the frame around the body (the
header: who is logged in, messages) is still rendered per request.

Nothing of one reader is ever in the shared body: it is rendered for an anonymous request
with a random placeholder where a token would go.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe

from dailypapers.papers import feed_cache, queries

BODY_TEMPLATE = "papers/_feed_body.html"
FRAME_TEMPLATE = "papers/feed.html"
MESSAGES_COOKIE = CookieStorage.cookie_name
VOTE_TEMPLATE = "papers/_vote.html"
# Stands in for a member in the shared vote forms: a signed-in user with no identity.
SOMEONE = SimpleNamespace(is_authenticated=True, is_anonymous=False, pk=None, id=None, username="")


@dataclass(frozen=True)
class VoteSlot:
    paper_id: int
    visitor: str  # the control as an anonymous visitor sees it
    member: str  # a member who has not upvoted the paper (with the token placeholder)
    upvoted: str  # a member who has


@dataclass(frozen=True)
class Body:
    """A rendered feed body: `parts` around `slots` (one more part than slots)."""

    title: str
    parts: tuple[str, ...]
    slots: tuple[VoteSlot, ...]
    token_placeholder: str
    visitor_page: str = ""  # the whole page, frame included, for a visitor without cookies

    @property
    def paper_ids(self) -> list[int]:
        return [slot.paper_id for slot in self.slots]

    def for_member(self, upvoted: set[int], csrf_token: str) -> str:
        html = self._join(lambda slot: slot.upvoted if slot.paper_id in upvoted else slot.member)
        return html.replace(self.token_placeholder, csrf_token)

    def for_visitor(self) -> str:
        return self._join(lambda slot: slot.visitor)

    def _join(self, control: Callable[[VoteSlot], str]) -> str:
        pieces = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            pieces += [control(slot), part]
        return "".join(pieces)


def page_request(request: HttpRequest) -> HttpRequest:
    """The request a shared body is rendered for: this path and page number, nobody's
    session or user, no other parameters (they would differ between readers)."""
    shared = HttpRequest()
    shared.method = "GET"
    shared.path = shared.path_info = request.path
    shared.GET = QueryDict(mutable=True)
    page = _page_number(request.GET.get("page", ""))
    if page != "1":
        shared.GET["page"] = page
    shared.META = {
        name: request.META[name]
        for name in ("HTTP_HOST", "SERVER_NAME", "SERVER_PORT")
        if name in request.META
    }
    shared.META["QUERY_STRING"] = shared.GET.urlencode()
    shared.user = AnonymousUser()
    return shared


def _page_number(text: str) -> str:
    # Only small whole numbers make a page of their own: anything else is page 1, so odd
    # parameters cannot fill the cache with copies of one page.
    return text if text.isdigit() and 0 < len(text) <= 6 and int(text) > 0 else "1"


def render_body(
    shared: HttpRequest,
    title: str,
    context: dict[str, Any],
    template: str = BODY_TEMPLATE,
    frame: str = FRAME_TEMPLATE,
    frame_context: dict[str, Any] | None = None,
) -> Body:
    """Render a feed body for `shared` (see `page_request`) with a slot per vote control,
    and the whole page (`frame` around it) as a visitor without cookies sees it."""
    marker, placeholder = secrets.token_hex(8), secrets.token_hex(16)
    context = {**context, "vote_slots": marker, "csrf_token": placeholder}
    html = render_to_string(template, context, request=shared)
    # The marker is random per render, so no text a reader wrote can pose as a slot.
    pieces = re.split(rf"<!--{marker}:(\d+)-->", html)
    papers = {paper.pk: paper for paper in _papers_in(context)}
    slots = tuple(_vote_slot(papers[int(pk)], shared, placeholder) for pk in pieces[1::2])
    body = Body(title, tuple(pieces[0::2]), slots, placeholder)
    around = {"title": title, "body": mark_safe(body.for_visitor()), "csrf_token": placeholder}
    around |= frame_context or {}
    return replace(body, visitor_page=render_to_string(frame, around, request=shared))


def _papers_in(context: dict[str, Any]) -> list[Any]:
    return list(context.get("page") or context.get("papers") or [])


def _vote_slot(paper: Any, shared: HttpRequest, placeholder: str) -> VoteSlot:
    def control(user: Any, upvoted: bool) -> str:
        context = {
            "paper": paper,
            "user": user,
            "request": shared,
            "upvoted": upvoted,
            "csrf_token": placeholder,
        }
        return render_to_string(VOTE_TEMPLATE, context)

    return VoteSlot(
        paper.pk, control(AnonymousUser(), False), control(SOMEONE, False), control(SOMEONE, True)
    )


def feed_response(
    request: HttpRequest,
    build: Callable[[HttpRequest], tuple[str, dict[str, Any]]],
    template: str = BODY_TEMPLATE,
) -> HttpResponse:
    """A list page for this reader: the shared body (`template` rendered with the context
    `build(shared_request)` returns beside the title) finished for them, in the frame."""
    shared = page_request(request)
    user = request.user
    member = user if user.is_authenticated else None

    def build_body() -> Body:
        title, context = build(shared)
        return render_body(shared, title, context, template)

    body = feed_cache.shared(shared.get_full_path(), build_body, member and member.pk)
    if member:
        upvoted = queries.upvoted_ids(member, body.paper_ids)
        response = _framed(request, body.title, body.for_member(upvoted, get_token(request)))
        # A member's page (their token, their votes) must stay in their own browser.
        patch_cache_control(response, private=True)
    elif plain_visitor(request):
        response = HttpResponse(with_token(request, body.visitor_page, body.token_placeholder))
    else:
        html = with_token(request, body.for_visitor(), body.token_placeholder)
        response = _framed(request, body.title, html)
    # One URL, two audiences: a shared cache must key on the cookie.
    patch_vary_headers(response, ["Cookie"])
    return response


def plain_visitor(request: HttpRequest) -> bool:
    """No session and no flash messages: the frame is the same as everyone's, so the
    page rendered with the body serves as it is."""
    return not {settings.SESSION_COOKIE_NAME, MESSAGES_COOKIE} & request.COOKIES.keys()


def _framed(request: HttpRequest, title: str, body: str) -> HttpResponse:
    return render(request, FRAME_TEMPLATE, {"title": title, "body": mark_safe(body)})


def with_token(request: HttpRequest, html: str, placeholder: str) -> str:
    # Only when some form outside the vote controls asked for a token does a visitor get
    # one (and the CSRF cookie), as on an uncached page.
    if placeholder in html:
        return html.replace(placeholder, get_token(request))
    return html
