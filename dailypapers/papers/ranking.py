"""Trending: a time-decayed vote score.

Each vote weighs ``0.5 ** (age_hours / half_life)``, so a vote loses half its weight every
``DAILYPAPERS_TRENDING_HALF_LIFE_HOURS`` (default 36 h). A paper's score is the sum over its
votes. Counts imported from another site carry no vote times; each imported upvote is taken
as cast when the paper entered the feed (the fallback rule, named on the page).

Only papers that entered the feed in the last ``DAILYPAPERS_TRENDING_WINDOW_DAYS`` are
candidates. When the site has no such papers (an archive, or the demo corpus), the window
ends at the latest submission instead of now, and the page says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, Value
from django.utils import timezone

from dailypapers.papers.models import Submission, Upvote

CACHE_KEY = "trending:v1"
CACHE_SECONDS = 600
RULE_VOTES = "votes"
RULE_IMPORTED = "imported"

# `hidden=False` compiles to `NOT hidden`, which SQLite cannot match against the
# (hidden, submitted_at) index: it scanned every submission. `hidden = 0` is an index range.
_VISIBLE = Q(hidden=Value(False))


@dataclass(frozen=True)
class Trending:
    arxiv_ids: list[str]
    scores: dict[str, float]
    anchor: dt.datetime  # the "now" ages are measured from
    window_start: dt.datetime
    rule: str  # RULE_VOTES when local votes exist in the window, else RULE_IMPORTED
    stale: bool  # True when the window was moved back to the latest submission


def decay(age: dt.timedelta, half_life_hours: float) -> float:
    hours = max(age.total_seconds() / 3600.0, 0.0)
    return 0.5 ** (hours / half_life_hours)


def compute_trending(now: dt.datetime | None = None, limit: int = 100) -> Trending:
    now = now or timezone.now()
    window = dt.timedelta(days=settings.TRENDING_WINDOW_DAYS)
    latest = _latest_submission(now)
    stale = latest is not None and latest < now - window
    anchor = latest if stale else now
    start = _earlier(anchor, window)
    submissions = Submission.objects.filter(
        _VISIBLE, submitted_at__gte=start, submitted_at__lte=anchor, paper__hidden=False
    ).values_list("paper_id", "paper__arxiv_id", "submitted_at", "paper__imported_upvotes")
    half_life = settings.TRENDING_HALF_LIFE_HOURS
    scores: dict[str, float] = defaultdict(float)
    ids_by_pk: dict[int, str] = {}
    for paper_pk, arxiv_id, submitted_at, imported in submissions:
        ids_by_pk[paper_pk] = arxiv_id
        scores[arxiv_id] += imported * decay(anchor - submitted_at, half_life)
    votes = Upvote.objects.filter(paper_id__in=ids_by_pk, created_at__lte=anchor)
    has_votes = False
    for paper_pk, created_at in votes.values_list("paper_id", "created_at").iterator():
        has_votes = True
        scores[ids_by_pk[paper_pk]] += decay(anchor - created_at, half_life)
    ranked = sorted(scores, key=lambda arxiv_id: (-scores[arxiv_id], arxiv_id))[:limit]
    return Trending(
        arxiv_ids=ranked,
        scores={arxiv_id: scores[arxiv_id] for arxiv_id in ranked},
        anchor=anchor,
        window_start=start,
        rule=RULE_VOTES if has_votes else RULE_IMPORTED,
        stale=stale,
    )


def _latest_submission(now: dt.datetime) -> dt.datetime | None:
    """The latest visible submission up to now: one seek at the end of an index range.
    (A submission dated in the future is not the site's latest news.)"""
    submissions = Submission.objects.filter(_VISIBLE, submitted_at__lte=now)
    return submissions.aggregate(t=Max("submitted_at"))["t"]


def _earlier(moment: dt.datetime, span: dt.timedelta) -> dt.datetime:
    """`moment - span`, clamped to the first representable moment (a year-1 submission)."""
    first = dt.datetime.min.replace(tzinfo=dt.UTC)
    return first if moment - first < span else moment - span


def cached_trending() -> Trending:
    """The last computed trending list; computed now when none is cached."""
    trending = cache.get(CACHE_KEY)
    if trending is None:
        trending = refresh_trending()
    return trending


def refresh_trending() -> Trending:
    trending = compute_trending()
    cache.set(CACHE_KEY, trending, CACHE_SECONDS)
    return trending


def forget_trending() -> None:
    """Drop the cached list: the next page computes it afresh (after a moderator's change)."""
    cache.delete(CACHE_KEY)
