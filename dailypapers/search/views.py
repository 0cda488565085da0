"""The search pages: thin, like every view; `service.search` does the work."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dailypapers.papers.queries import upvoted_ids
from dailypapers.papers.ratelimit import Refusal, client_ip, refusal, with_limit_headers
from dailypapers.papers.views import read_only
from dailypapers.search.filters import MODES, SORTS, Filters
from dailypapers.search.service import MAX_DEPTH, search

PAGE_SIZE = 20
LIVE_SIZE = 6
# What a query may be: more is cut (the parser keeps less still), never refused.
MAX_QUERY = 500


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").replace("\x00", "")[:MAX_QUERY].strip()


def _limited(request: HttpRequest) -> HttpResponse | None:
    if refused := search_refusal(request):
        return with_limit_headers(render(request, "search/limited.html", status=429), refused)
    return None


def search_refusal(request: HttpRequest) -> Refusal | None:
    """Count one search from this address (the page, live search and the feed share it)."""
    return refusal("search", client_ip(request), settings.SEARCH_RATE_PER_MINUTE)


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return max(1, min(number, MAX_DEPTH // PAGE_SIZE))


@read_only
def results(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    filters = Filters.from_params(request.GET)
    mode = request.GET.get("mode", "hybrid")
    sort = request.GET.get("sort", "relevance")
    context = {"query": query, "filters": filters, "modes": MODES, "sorts": SORTS}
    context.update(
        mode=mode if mode in MODES else "hybrid", sort=sort if sort in SORTS else "relevance"
    )
    if query or filters.active:
        if limited := _limited(request):
            return limited
        number = _page_number(request)
        page = search(
            query,
            mode=mode,
            filters=filters,
            sort=sort,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        shown = [paper.pk for paper in page.papers + page.suggestions]
        context.update(page=page, number=number, upvoted_ids=upvoted_ids(request.user, shown))
    return render(request, "search/results.html", context)


@read_only
def live(request: HttpRequest) -> HttpResponse:
    """The header box's results as you type (htmx swaps this fragment in)."""
    query = _query(request)
    if len(query) < 2:
        return HttpResponse("")
    if limited := _limited(request):
        return limited
    page = search(query, limit=LIVE_SIZE)
    return render(request, "search/_live.html", {"query": query, "page": page})
