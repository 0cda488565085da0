"""What the vote control (`papers/_vote.html`) needs, cheap enough for 50 cards a page."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import reverse

register = template.Library()

_SAMPLE = "2401.00001"
# What django.urls.reverse leaves unquoted in a path argument (as `models.route_url`).
_PATH_SAFE = "!$&'()*+,;=/~:@"


@lru_cache(maxsize=1)
def _upvote_route() -> tuple[str, str]:
    # The route's text around its one argument, learned once: reverse() per card costs.
    prefix, _, suffix = reverse("papers:upvote", args=[_SAMPLE]).partition(_SAMPLE)
    return prefix, suffix


@register.filter
def upvote_url(arxiv_id: str) -> str:
    """`reverse("papers:upvote", args=[arxiv_id])`, without the resolver walk."""
    prefix, suffix = _upvote_route()
    return prefix + quote(arxiv_id, safe=_PATH_SAFE) + suffix


@register.filter
def upvote_intent_url(arxiv_id: str, page: str) -> str:
    """A visitor's ▲: to login keeping the vote, then back to `page` (`papers.vote_intent`).
    The same for every visitor of a page, as a shared page needs."""
    return f"{upvote_url(arxiv_id)}/intent?next={quote(page, safe='/')}"


@register.simple_tag
def vote_count(count, paper) -> int:
    """The number the control shows: `count` when the caller passed one (the view after a
    vote, the paper page), else the card's annotated `score`, else the paper's total. A
    count of 0 is a count, which `default` in the template would not respect."""
    if isinstance(count, int):
        return count
    score = getattr(paper, "score", None)
    return score if score is not None else paper.total_upvotes


@register.filter
def upvoted_in(paper, upvoted_ids) -> bool:
    """Whether the reader upvoted this card's paper: `upvoted_ids` is the set a list view
    read in one query (`queries.upvoted_ids`); absent (a visitor, a page without it): no."""
    return bool(upvoted_ids) and paper.pk in upvoted_ids
