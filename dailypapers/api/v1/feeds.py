"""The daily feed by day, ISO week and month, and trending: the same lists as the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from dailypapers.api.v1.errors import ApiError
from dailypapers.api.v1.schemas import ErrorOut, FeedOut, TrendingOut, absolute, papers_out
from dailypapers.papers import queries, ranking
from dailypapers.papers.periods import Period, parse_period

router = Router(tags=["feeds"])
ERRORS = {400: ErrorOut, 422: ErrorOut, 429: ErrorOut}
EXAMPLES = {"day": "2025-01-31", "week": "2025-W05", "month": "2025-01"}


def _period(kind: str, key: str) -> Period:
    try:
        return parse_period(kind, key)
    except ValueError:  # malformed, or a date that does not exist (2025-02-30, week 54)
        raise ApiError(400, f"Not a {kind}: {key[:40]!r} (e.g. {EXAMPLES[kind]}).") from None


def _feed(request: HttpRequest, kind: str, key: str, limit: int, offset: int) -> dict:
    period = _period(kind, key)
    rows = list(queries.papers_in_period(period)[offset : offset + limit + 1])
    before, later = queries.neighbour_periods(period)
    return {
        "period": {
            "kind": period.kind,
            "key": period.key,
            "start": period.start,
            "end": period.end,
            "label": period.label,
            "url": absolute(request, period.url),
        },
        "items": papers_out(request, rows[:limit]),
        "offset": offset,
        "limit": limit,
        "next_offset": offset + limit if len(rows) > limit else None,
        "previous": before.key if before else None,
        "next": later.key if later else None,
    }


LIMIT = Query(50, ge=1, le=100)
OFFSET = Query(0, ge=0, le=100_000)


@router.get("/day/{key}", response={200: FeedOut, **ERRORS}, summary="A day's feed")
def day(request: HttpRequest, key: str, limit: int = LIMIT, offset: int = OFFSET) -> dict:
    """Papers submitted that day (YYYY-MM-DD), by upvotes."""
    return _feed(request, "day", key, limit, offset)


@router.get("/week/{key}", response={200: FeedOut, **ERRORS}, summary="A week's feed")
def week(request: HttpRequest, key: str, limit: int = LIMIT, offset: int = OFFSET) -> dict:
    """Papers submitted that ISO week (YYYY-Www), by upvotes."""
    return _feed(request, "week", key, limit, offset)


@router.get("/month/{key}", response={200: FeedOut, **ERRORS}, summary="A month's feed")
def month(request: HttpRequest, key: str, limit: int = LIMIT, offset: int = OFFSET) -> dict:
    """Papers submitted that month (YYYY-MM), by upvotes."""
    return _feed(request, "month", key, limit, offset)


@router.get("/trending", response={200: TrendingOut, **ERRORS}, summary="Trending papers")
def trending(request: HttpRequest, limit: int = LIMIT) -> dict:
    """By time-decayed votes (see the README's Ranking), refreshed every few minutes."""
    ranked = ranking.cached_trending()
    papers = queries.trending_papers(ranked.arxiv_ids)[:limit]
    return {
        "items": papers_out(request, papers),
        "scores": [ranked.scores[paper.arxiv_id] for paper in papers],
        "rule": ranked.rule,
        "stale": ranked.stale,
    }
