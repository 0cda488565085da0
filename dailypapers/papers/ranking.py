"""Trending: a time-decayed vote score.

Each vote weighs ``0.5 ** (age_hours / half_life)``, so a vote loses half its weight every
``DAILYPAPERS_TRENDING_HALF_LIFE_HOURS`` (default 36 h). A paper's score is the sum over its
votes. Counts imported from another site carry no vote times; each imported upvote is taken
as cast when the paper entered the feed. Local and imported votes mix in one score.

Candidates are the papers that entered the feed in the last
``DAILYPAPERS_TRENDING_WINDOW_DAYS``, or, when fewer than the list holds did, the latest
submissions: one new paper on a quiet site must not shrink the list to itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Value
from django.utils import timezone

from dailypapers.papers.models import Submission, Upvote

CACHE_KEY = "trending:v1"
CACHE_SECONDS = 600
LIMIT = 100  # papers in the list
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
    rule: str  # RULE_VOTES when a candidate has local votes, else RULE_IMPORTED
    stale: bool  # True when papers older than the window fill the list


def decay(age: dt.timedelta, half_life_hours: float) -> float:
    hours = max(age.total_seconds() / 3600.0, 0.0)
    return 0.5 ** (hours / half_life_hours)


def compute_trending(now: dt.datetime | None = None, limit: int = LIMIT) -> Trending:
    now = now or timezone.now()
    start = _earlier(now, dt.timedelta(days=settings.TRENDING_WINDOW_DAYS))
    half_life = settings.TRENDING_HALF_LIFE_HOURS
    # Scores are kept as log2 of the sum: a year-old vote weighs 2**-243 and a five-year-old
    # one underflows to 0.0, which would tie an archive's papers (the demo corpus) at zero.
    terms: dict[str, list[float]] = defaultdict(list)
    ids_by_pk: dict[int, str] = {}
    newest: dict[str, dt.datetime] = {}
    for paper_pk, arxiv_id, submitted_at, imported in _candidates(now, start, limit):
        ids_by_pk[paper_pk] = arxiv_id
        newest[arxiv_id] = submitted_at
        if imported:
            terms[arxiv_id].append(math.log2(imported) + _log2_decay(now - submitted_at, half_life))
    votes = Upvote.objects.filter(paper_id__in=ids_by_pk, created_at__lte=now)
    has_votes = False
    for paper_pk, created_at in votes.values_list("paper_id", "created_at").iterator():
        has_votes = True
        terms[ids_by_pk[paper_pk]].append(_log2_decay(now - created_at, half_life))
    log_scores = {arxiv_id: _log2_sum(terms[arxiv_id]) for arxiv_id in newest}
    # Papers without votes stay in the list, after the voted ones, newest first.
    ranked = sorted(newest, key=lambda a: (-log_scores[a], -newest[a].timestamp(), a))[:limit]
    return Trending(
        arxiv_ids=ranked,
        scores={arxiv_id: 2.0 ** log_scores[arxiv_id] for arxiv_id in ranked},
        anchor=now,
        window_start=start,
        rule=RULE_VOTES if has_votes else RULE_IMPORTED,
        stale=any(newest[arxiv_id] < start for arxiv_id in ranked),
    )


def _candidates(now: dt.datetime, start: dt.datetime, limit: int) -> list[tuple]:
    """(paper pk, arXiv id, submitted at, imported upvotes) of the papers in the window, or
    the latest `limit` when fewer entered the feed in it. A submission dated in the future is
    not the site's news. Both reads are ranges of the (hidden, submitted_at) index."""
    shown = Submission.objects.filter(_VISIBLE, submitted_at__lte=now, paper__hidden=False)
    fields = ("paper_id", "paper__arxiv_id", "submitted_at", "paper__imported_upvotes")
    latest = list(shown.order_by("-submitted_at").values_list(*fields)[:limit])
    if len(latest) == limit and latest[-1][2] >= start:  # the window may hold more
        return list(shown.filter(submitted_at__gte=start).values_list(*fields))
    return latest


def _log2_decay(age: dt.timedelta, half_life_hours: float) -> float:
    """log2 of `decay(age)`, which may be too small for a float."""
    return -max(age.total_seconds() / 3600.0, 0.0) / half_life_hours


def _log2_sum(logs: list[float]) -> float:
    """log2 of the sum of 2**x over `logs`, without underflow; -inf for no terms."""
    if not logs:
        return -math.inf
    top = max(logs)
    return top + math.log2(sum(2.0 ** (x - top) for x in logs))


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
