"""Hugging Face–compatible routes: `huggingface_hub` pointed at this site just works.

`HfApi(endpoint=...)` calls `list_daily_papers`, `list_papers`, `paper_info` (and `read_paper`,
served by `papers` as `/papers/<id>.md`). The contract is in `shared/hf-api.md`; shapes are in
`hf_shapes`. Plain Django views, because the shapes are Hugging Face's and not ours to type:
bare JSON arrays for lists, `{"error": ...}` with 400/404, never an `X-Error-Code` header
(the client would turn it into a repository error).

`GET /api/papers` (every paper, newest first, keyset paging) is ours: see `hf_paging`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from dailypapers.accounts.tokens import bearer, rate_limit_key, user_for_token
from dailypapers.api import caching, hf_paging, hf_shapes
from dailypapers.api.v1.errors import malformed_request_message
from dailypapers.papers import feed_cache, queries, ranking
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.models import Paper
from dailypapers.papers.periods import Period, parse_period
from dailypapers.papers.ratelimit import action_limited, with_limit_headers

DAILY_LIMIT = (1, 100, 50)  # min, max, default
SEARCH_LIMIT = (1, 120, 50)
MAX_QUERY = 250
# Deeper pages are refused: an OFFSET that large reads (and throws away) that many rows.
MAX_PAGE = 1000
SORTS = ("publishedAt", "trending")


class BadRequest(Exception):
    """A parameter that does not parse: answered 400 with its message."""


def absolute_url(request: HttpRequest, path: str) -> str:
    """`DAILYPAPERS_BASE_URL` + path when set (behind a proxy the request's host may be
    internal), else the request's own origin."""
    base = settings.BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def hf_route(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only, rate-limited per member (token) and per IP, bad parameters → 400.
    CSRF-exempt: no cookie is read here, and a write must get the JSON 405, not the CSRF
    check's HTML 403."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = error(405, f"{request.method} is not allowed here; use GET.")
            response["Allow"] = "GET, HEAD"
            return response
        # One budget per token across the API (`/api/v1` and `/mcp` count it the same way).
        if refused := action_limited(request, "api", member_key=rate_limit_key(request)):
            response = error(429, "Too many requests; wait a minute and try again.")
            return with_limit_headers(response, refused)
        try:
            return view(request, *args, **kwargs)
        except BadRequest as exc:
            return error(400, str(exc))
        except SuspiciousOperation as exc:  # a query string Django refuses to parse
            return error(400, malformed_request_message(exc))

    return caching.cached_by_rule(wrapper)


def bearer_user(request: HttpRequest):
    """The member of an `Authorization: Bearer dp_...` token of ours; None for anything else
    (the client sends its Hugging Face token too: accepted and ignored)."""
    return user_for_token(bearer(request))


def int_param(request: HttpRequest, name: str, bounds: tuple[int, int, int]) -> int:
    low, high, default = bounds
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only: int() also reads "٣" and " 3 ", which no client means.
    # Short: int() refuses more than 4,300 digits (a 500), and no bound here needs 7.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def _period(request: HttpRequest) -> Period | None:
    given = [(kind, request.GET[name]) for kind, name in _PERIODS if request.GET.get(name)]
    if len(given) > 1:
        raise BadRequest("Give at most one of date, week and month.")
    if not given:
        return None
    kind, key = given[0]
    try:
        return parse_period(kind, key)
    except ValueError:
        raise BadRequest(f"Malformed {_FORMATS[kind]}: {key[:40]!r}.") from None


_PERIODS = (("day", "date"), ("week", "week"), ("month", "month"))
_FORMATS = {"day": "date (use YYYY-MM-DD)", "week": "week (use YYYY-Www)", "month": "month"}


def _cards(papers: QuerySet[Paper]) -> QuerySet[Paper]:
    """Card data plus the submitter, whatever the page size in the same few queries."""
    return queries.with_card_data(papers).select_related("submission__submitter")


def _in_feed() -> QuerySet[Paper]:
    return Paper.objects.filter(hidden=False, submission__hidden=False)


def _submitted_by(username: str, prefix: str = "submission__") -> Q:
    # A local member's username, or the source site's name on an imported submission.
    local = Q(**{f"{prefix}submitter__username": username})
    imported = Q(**{f"{prefix}submitter__isnull": True, f"{prefix}submitter_name": username})
    return local | imported


def _daily_papers(period: Period | None, submitter: str, end: int) -> QuerySet[Paper]:
    """The feed papers of the period (all when None), enough for the first `end`."""
    if period is not None:
        papers = queries.papers_in_period(period)  # by upvotes, as the HTML feed
    else:  # no period: the newest feed days first, by upvotes within a day
        order = ("-submission__feed_date", "-score", "submission__submitted_at", "arxiv_id")
        papers = queries.with_card_data(_in_feed()).order_by(*order)
        if (oldest := _oldest_day_needed(submitter, end)) is not None:
            papers = papers.filter(submission__feed_date__gte=oldest)
    papers = papers.select_related("submission__submitter")
    return papers.filter(_submitted_by(submitter)) if submitter else papers


def _oldest_day_needed(submitter: str, end: int):
    """The feed day of the `end`-th newest submission: the first `end` papers by day are all
    on or after it. Ordering by upvotes within a day is a sort, and without this bound it
    would sort every submission the site has; with it, only the last few days'. One walk
    down the (hidden, feed_date) index."""
    submissions = queries.visible_submissions()
    if submitter:
        submissions = submissions.filter(_submitted_by(submitter, prefix=""))
    days = submissions.order_by("-feed_date").values_list("feed_date", flat=True)
    return days[end - 1 : end].first()


def _trending(period: Period | None, submitter: str) -> list[Paper]:
    """The cached trending ranking (at most a hundred papers), in its order."""
    ids = ranking.cached_trending().arxiv_ids
    papers = _in_feed().filter(arxiv_id__in=ids)
    if period is not None:
        papers = papers.filter(
            submission__feed_date__gte=period.start, submission__feed_date__lte=period.end
        )
    if submitter:
        papers = papers.filter(_submitted_by(submitter))
    by_id = _cards(papers).in_bulk(field_name="arxiv_id")
    return [by_id[arxiv_id] for arxiv_id in ids if arxiv_id in by_id]


@hf_route
def daily_papers(request: HttpRequest) -> HttpResponse:
    """`GET /api/daily_papers`: the daily feed (`date`, `week`, `month`, `submitter`, `sort`,
    `p`, `limit`) as a bare array of daily items.

    The same for every reader, so the body is shared through the feed pages' cache
    (`papers.feed_cache`): moderation and new submissions show at once, votes within
    `FEED_CACHE_SECONDS`, as on the HTML feed, which it must be as fast as."""
    limit = int_param(request, "limit", DAILY_LIMIT)
    page = int_param(request, "p", (0, MAX_PAGE, 0))
    sort = request.GET.get("sort") or "publishedAt"
    if sort not in SORTS:
        raise BadRequest("sort must be publishedAt or trending.")
    period = _period(request)
    # NUL never reaches the database (PostgreSQL refuses it in a string: a 500).
    submitter = request.GET.get("submitter", "").replace("\x00", "").strip()[:150]
    start = page * limit

    def build() -> bytes:
        if sort == "trending":
            papers = _trending(period, submitter)[start : start + limit]
        else:
            papers = list(_daily_papers(period, submitter, start + limit)[start : start + limit])
        return json.dumps([hf_shapes.daily_item(paper) for paper in papers]).encode()

    key = [
        sort,
        period.kind if period else "",
        period.key if period else "",
        submitter,
        start,
        limit,
    ]
    digest = hashlib.sha256(json.dumps(key).encode()).hexdigest()
    body = feed_cache.shared(f"hf-daily:{digest}", build)
    return HttpResponse(body, content_type="application/json")


def _search(query: str, limit: int) -> list[Paper]:
    """Hybrid search's best `limit` papers. Its pages stop at 100 and Hugging Face's limit
    goes to 120: a second page fills the rest."""
    from dailypapers import search  # lazy: loads the search stack on first use

    papers = search.search(query, limit=min(limit, 100)).papers
    if limit > 100 and len(papers) == 100:
        papers += search.search(query, limit=limit - 100, offset=100).papers
    prefetch_related_objects(papers, "submission__submitter")
    return papers


@hf_route
def search_papers(request: HttpRequest) -> HttpResponse:
    """`GET /api/papers/search?q=&limit=`: hybrid search, as search items. Without `q`, the
    newest feed papers (the client omits an empty query)."""
    query = request.GET.get("q", "").replace("\x00", "").strip()
    if len(query) > MAX_QUERY:
        raise BadRequest(f"q must be at most {MAX_QUERY} characters.")
    limit = int_param(request, "limit", SEARCH_LIMIT)
    papers = _search(query, limit) if query else list(_daily_papers(None, "", limit)[:limit])
    upvoted = queries.upvoted_ids(bearer_user(request), [paper.pk for paper in papers])
    items = [hf_shapes.search_item(paper, paper.pk in upvoted) for paper in papers]
    return JsonResponse(items, safe=False)


@hf_route
def paper_info(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """`GET /api/papers/{id}`: one flat paper object; 404 for an unknown or hidden paper."""
    try:
        base = parse_arxiv_id(arxiv_id).base
    except ValueError:
        return error(404, f"Paper {arxiv_id[:80]!r} not found.")
    paper = _cards(Paper.objects.filter(arxiv_id=base, hidden=False)).first()
    if paper is None:
        return error(404, f"Paper {base} not found.")
    return JsonResponse(hf_shapes.paper_info(paper))


@hf_route
def all_papers(request: HttpRequest) -> HttpResponse:
    """`GET /api/papers?cursor=&limit=`: every paper, newest first (see `hf_paging`)."""
    limit = int_param(request, "limit", DAILY_LIMIT)
    try:
        cursor = hf_paging.decode(request.GET.get("cursor", ""))
    except ValueError:
        raise BadRequest("Malformed cursor: pass back the one a previous page gave.") from None
    papers, next_cursor = hf_paging.page(cursor, limit, _cards)
    response = JsonResponse([hf_shapes.paper_info(paper) for paper in papers], safe=False)
    if next_cursor:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        url = absolute_url(request, f"{request.path}?{query.urlencode()}")
        response["Link"] = f'<{url}>; rel="next"'
    return response
