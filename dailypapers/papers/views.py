"""Thin views: parse the request, ask `queries`, render."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from dailypapers.papers import cards, http_cache, paper_page, queries, ranking
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.markdown import paper_markdown
from dailypapers.papers.periods import Period, parse_period, period_containing

PAGE_SIZE = 50
# A paper's text changes with a new version or a moderator hiding it: rare, and five
# minutes late is fine for both (the feeds' choice too).
MARKDOWN_MAX_AGE_SECONDS = 300


def read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that only reads: GET and HEAD answer, any other method is a 405.

    Exempt from the CSRF check, which would otherwise answer a POST with a 403 before the
    view could say 405: safe because `require_safe` refuses every unsafe method first.
    """
    return csrf_exempt(require_safe(view))


def _clean(text: str) -> str:
    """User text fit for a query: PostgreSQL rejects NUL characters in parameters."""
    return text.replace("\x00", "").strip()


def _page(request: HttpRequest, papers, size: int = PAGE_SIZE):
    return Paginator(papers, size).get_page(request.GET.get("page"))


def _period_page(request: HttpRequest, period: Period | None) -> HttpResponse:
    """A day, week or month feed (the latest day when `period` is None: the home page).
    Built at most once a second for everyone (`papers.cards`), so the build gets the shared
    request: the page number, nobody's session."""

    def build(shared: HttpRequest) -> tuple[str, dict]:
        shown, notice = (period, "") if period else _home_period()
        before, after = queries.neighbour_periods(shown)
        context = {
            "period": shown,
            "page": _page(shared, queries.papers_in_period(shown)),
            "previous": before,
            "next": after,
            "tab": shown.kind,
            "notice": notice,
        }
        return f"Daily Papers · {shown.label}", context

    return cards.feed_response(request, build)


def _home_period() -> tuple[Period, str]:
    today = feed_today()
    day = queries.latest_feed_date(on_or_before=today) or queries.latest_feed_date()
    period = period_containing("day", day or today)
    notice = ""
    if day is not None and day != today:
        notice = f"No papers yet for today; showing the latest day with papers, {period.label}."
    return period, notice


@read_only
def home(request: HttpRequest) -> HttpResponse:
    return _period_page(request, None)


@read_only
def period_feed(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    try:
        period = parse_period(kind, key)
    except ValueError as error:
        raise Http404(str(error)) from None
    return _period_page(request, period)


@read_only
def latest_period(request: HttpRequest, kind: str) -> HttpResponse:
    day = queries.latest_feed_date(on_or_before=feed_today()) or feed_today()
    return redirect(period_containing(kind, day).url)


@read_only
def trending(request: HttpRequest) -> HttpResponse:
    def build(shared: HttpRequest) -> tuple[str, dict]:
        result = ranking.cached_trending()
        context = {
            "papers": queries.trending_papers(result.arxiv_ids),
            "trending": result,
            "half_life": settings.TRENDING_HALF_LIFE_HOURS,
            "window_days": settings.TRENDING_WINDOW_DAYS,
            "limit": ranking.LIMIT,
            "tab": "trending",
        }
        return "Trending papers · Daily Papers", context

    return cards.feed_response(request, build, "papers/_trending_body.html")


def _paper_or_redirect(request: HttpRequest, arxiv_id: str, route: str = "papers:detail"):
    """The paper, or a permanent redirect from a versioned id to the canonical URL.
    A paper hidden by a moderator is not found, except by moderators."""
    parsed = parse_arxiv_id(arxiv_id)
    if parsed.version is not None:
        return None, redirect(route, parsed.base, permanent=True)
    paper = queries.paper_by_arxiv_id(parsed.base)
    if paper is None or (paper.hidden and not request.user.is_staff):
        raise Http404(f"No paper {parsed.base} here yet.")
    return paper, None


@read_only
def paper_detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Shared between readers (`papers.paper_page`), but for moderators, who see it whole."""
    if not request.user.is_staff:
        parsed = parse_arxiv_id(arxiv_id)
        if parsed.version is not None:
            return redirect("papers:detail", parsed.base, permanent=True)
        return paper_page.response(request, parsed.base)
    paper, response = _paper_or_redirect(request, arxiv_id)
    if response:
        return response
    return render(request, "papers/detail.html", paper_page.full_context(request, paper))


@read_only
def paper_markdown_view(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper, response = _paper_or_redirect(request, arxiv_id, route="papers:markdown")
    if response:
        return response
    response = HttpResponse(paper_markdown(paper), content_type="text/markdown; charset=utf-8")
    if paper.hidden:  # only a moderator gets here: their answer is no one else's
        response["Cache-Control"] = "private, no-store"
        return response
    # Scripts and agents re-read papers: 304s spare them the body (as the feeds do).
    return http_cache.public_conditional(request, response, MARKDOWN_MAX_AGE_SECONDS)


def _upvoted(request: HttpRequest, papers) -> set[int]:
    """The listed papers the reader upvoted, so their cards show the vote pressed (one query;
    none for a visitor). Feed pages do this in `cards`, on their shared body."""
    return queries.upvoted_ids(request.user, [paper.pk for paper in papers])


@read_only
def organization(request: HttpRequest, slug: str) -> HttpResponse:
    org = queries.organization_by_slug(slug)
    if org is None:
        raise Http404(f"No organization {slug!r}.")
    page = _page(request, queries.papers_of_organization(org), size=30)
    context = {"organization": org, "page": page, "upvoted_ids": _upvoted(request, page)}
    return render(request, "papers/organization.html", context)


@read_only
def author(request: HttpRequest, name: str) -> HttpResponse:
    person = queries.author_by_name(_clean(name))
    if person is None:
        raise Http404(f"No author named {name!r}.")
    page = _page(request, queries.papers_of_author(person), size=30)
    context = {"author": person, "page": page, "upvoted_ids": _upvoted(request, page)}
    return render(request, "papers/author.html", context)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Our 404 page: says what was missing when a view told us, and links to search."""
    reason = exception.args[0] if exception.args else ""
    # URL-resolver misses carry a dict of tried patterns: not for readers' eyes.
    message = reason if isinstance(reason, str) else ""
    return render(request, "404.html", {"message": message}, status=404)
