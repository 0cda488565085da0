"""The paper page, shared between readers the way feed pages are (`papers.cards`).

It is the page outside links land on, and rendering it whole costs ~20 ms: the paper with its
authors, the similar papers (a vector search), the comments. So what every reader sees alike
(facts, abstract, similar papers, and the comments as a visitor sees them) is rendered once
and kept in `papers.feed_cache` under the feed generation, for at most `FEED_CACHE_SECONDS`:
- comments posted, edited, deleted or hidden and moderation bump the generation (after
  commit): they show at once;
- votes, like on the feeds, show within `FEED_CACHE_SECONDS` (at once to the voter);
- new similar papers (the vector index grows in the worker) show within the same bound.

A visitor without cookies gets the whole page as it was rendered. A member gets the shared
part with their own vote control in its slot and the comments section rendered for them
(reply, edit, report forms with their CSRF token). Moderators get the page rendered in full:
they see hidden papers and comments, and their controls.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe

from dailypapers.papers import cards, comment_views, feed_cache, queries, related
from dailypapers.papers.models import Paper

TOP_TEMPLATE = "papers/_paper_top.html"
PAGE_TEMPLATE = "papers/detail.html"
COMMENTS_TEMPLATE = "papers/_comments.html"


@dataclass(frozen=True)
class SharedPaper:
    """A paper page's shared part: the top (with the vote control's slot), the comments as a
    visitor sees them, and the fields a member's frame needs (no model instance pickled)."""

    pk: int
    arxiv_id: str
    title: str
    top: cards.Body
    visitor_comments: str

    def stub(self) -> Paper:
        """Enough of the paper for the frame and a member's comments section."""
        return Paper(pk=self.pk, arxiv_id=self.arxiv_id, title=self.title, hidden=False)


def full_context(request: HttpRequest, paper: Paper) -> dict:
    """Everything `papers/detail.html` needs rendered in full (moderators)."""
    similar = queries.cards_in_order(related.similar_paper_ids(paper))
    upvoted = paper.pk in queries.upvoted_ids(request.user, [paper.pk])
    context = {"paper": paper, "similar": similar, "upvoted": upvoted}
    return context | comment_views.section_context(request, paper)


def response(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """The page of the paper `arxiv_id` (a base id: no version) for this reader."""
    user = request.user
    member = user if user.is_authenticated else None
    shared = _shared_request(request)
    page = feed_cache.shared(
        f"paper:{arxiv_id}", lambda: _build(shared, arxiv_id), member and member.pk
    )
    if page is None:
        raise Http404(f"No paper {arxiv_id} here yet.")
    if member:
        answer = _for_member(request, page)
    elif cards.plain_visitor(request):
        placeholder = page.top.token_placeholder
        answer = HttpResponse(cards.with_token(request, page.top.visitor_page, placeholder))
    else:  # a visitor with a session or messages: the frame is theirs
        answer = _framed(request, page, page.top.for_visitor(), page.visitor_comments)
    patch_vary_headers(answer, ["Cookie"])
    return answer


def _shared_request(request: HttpRequest) -> HttpRequest:
    # The page's path only: no parameter makes a copy of its own.
    shared = cards.page_request(request)
    shared.GET = QueryDict()
    shared.META["QUERY_STRING"] = ""
    return shared


def _build(shared: HttpRequest, arxiv_id: str) -> SharedPaper | None:
    paper = queries.paper_by_arxiv_id(arxiv_id)
    if paper is None or paper.hidden:
        return None  # kept like a page: an unknown id asked again and again costs nothing
    similar = queries.cards_in_order(related.similar_paper_ids(paper))
    comments = render_to_string(
        COMMENTS_TEMPLATE, comment_views.section_context(shared, paper), request=shared
    )
    frame = {"paper": paper, "comments_html": mark_safe(comments)}
    context = {"paper": paper, "papers": [paper], "similar": similar}
    title = f"{paper.title} · Daily Papers"
    top = cards.render_body(shared, title, context, TOP_TEMPLATE, PAGE_TEMPLATE, frame)
    return SharedPaper(paper.pk, paper.arxiv_id, paper.title, top, comments)


def _for_member(request: HttpRequest, page: SharedPaper) -> HttpResponse:
    upvoted = queries.upvoted_ids(request.user, [page.pk])
    top = page.top.for_member(upvoted, get_token(request))
    paper = page.stub()
    comments = render_to_string(
        COMMENTS_TEMPLATE, comment_views.section_context(request, paper), request=request
    )
    answer = _framed(request, page, top, comments)
    # Their token and their votes: for their own browser only.
    patch_cache_control(answer, private=True)
    return answer


def _framed(request: HttpRequest, page: SharedPaper, top: str, comments: str) -> HttpResponse:
    context = {"paper": page.stub(), "body": mark_safe(top), "comments_html": mark_safe(comments)}
    return render(request, PAGE_TEMPLATE, context)
