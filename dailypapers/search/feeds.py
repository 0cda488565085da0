"""The search feed: `/search/feed.rss|atom?q=…` with the search page's mode, sort and
filters (`from`, `to`, `org`, `code`, `feed`), its first page of results as items.

No query and no filter is an empty feed; a filter that does not parse is a 400 naming it
(the page leaves such a filter out and says so; a feed has nowhere to say it). A search
costs what the page's does, so the feed shares the page's rate limit.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from dailypapers.papers.feeds import Listing, ListingFeed, entries, feed_view, origin
from dailypapers.papers.ratelimit import with_limit_headers
from dailypapers.search.filters import MODES, SORTS, Filters
from dailypapers.search.service import search
from dailypapers.search.views import MAX_QUERY, PAGE_SIZE, search_refusal


class SearchFeed(ListingFeed):
    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _searches(request) and (refused := search_refusal(request)):
            response = HttpResponse("Too many searches; try again in a minute.", status=429)
            response["Content-Type"] = "text/plain; charset=utf-8"
            return with_limit_headers(response, refused)
        return super().__call__(request, *args, **kwargs)

    def listing(self, request: HttpRequest) -> Listing:
        query = _query(request)
        filters = Filters.from_params(request.GET)
        if filters.errors:
            raise BadRequest("; ".join(filters.errors))
        papers = []
        if query or filters.active:
            mode, sort = _choice(request, "mode", MODES), _choice(request, "sort", SORTS)
            page = search(query, mode=mode, filters=filters, sort=sort, limit=PAGE_SIZE)
            papers = page.papers
        params = request.GET.urlencode()
        return Listing(
            title=f"Search: {query} · Daily Papers" if query else "Search · Daily Papers",
            page=origin(request) + reverse("search:results") + (f"?{params}" if params else ""),
            description=f"Papers matching “{query}”." if query else "Papers matching a search.",
            entries=entries(papers, request),
        )


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").replace("\x00", "")[:MAX_QUERY].strip()


def _searches(request: HttpRequest) -> bool:
    """Whether the request runs a search (the bare form, as on the page, is free)."""
    return bool(_query(request) or Filters.from_params(request.GET).active)


def _choice(request: HttpRequest, name: str, choices: tuple[str, ...]) -> str:
    """The parameter when it is one of `choices`, else the first (as the page does)."""
    value = request.GET.get(name, "")
    return value if value in choices else choices[0]


results = feed_view(SearchFeed)
