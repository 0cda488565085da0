"""The "for you" section of a digest: papers of the digest's period nearest to what the member
upvoted, never one an earlier digest showed them, and their "not interested" marks.

Who gets one: a subscription of a member (`user`) with `wants_for_you`, whose member has at
least DIGEST_FOR_YOU_MIN_UPVOTES upvotes.

The profile: the sum over the member's latest upvotes of w * v, minus the same sum over the
papers they marked "not interested", normalised; v is the paper's unit vector (the search's
embeddings, current model) and w = 0.5 ** (age_days / DIGEST_FOR_YOU_HALF_LIFE_DAYS) the age of
the vote (or mark), so this month's interests outweigh last year's. Papers without a vector
are left out; a profile that comes out empty means no section.

The candidates: every paper of the period's feed, minus the digest's own top list, the
member's upvoted and "not interested" papers, and those an earlier digest showed them in this
section. A paper belongs to one feed day, so only a digest whose period overlaps this one (a
day of this week, this day's week) can have shown one: their deliveries' `for_you_ids` are
read, one query per batch, never the whole history. The delivery of this same period is not
read: its earlier attempt failed, and the retry picks the same papers from the same data.

A run composes the sections of a batch of subscriptions together: one query each for the
batch's votes, marks, earlier sections and vectors, then matrix products. The candidates
(`Pool`) are read once per run; nothing kept grows with the number of subscribers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from dailypapers import search
from dailypapers.digests import tokens
from dailypapers.digests.compose import Digest, DigestPaper, digest_paper
from dailypapers.digests.models import DigestDelivery, NotInterested, Subscription
from dailypapers.papers import queries
from dailypapers.papers.models import Paper
from dailypapers.papers.periods import period_containing

# The latest votes a profile reads per member: bounds a batch's memory (500 members x 200
# vectors of 384 floats: 150 MB at worst) whatever a member's history. With a 30-day half-life
# a member's 200th latest vote weighs little unless they vote rarely, and then it is in.
MAX_PROFILE_VOTES = 200
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Pool:
    """The papers a section may pick from: the period's feed papers with a vector, the top
    list left out. As large as the period (a week's feed), read once per run."""

    papers: list[DigestPaper]
    matrix: np.ndarray  # (papers, dimensions) float32 unit rows, in `papers`' order
    column: dict[int, int]  # paper id -> row of `matrix`


def candidate_pool(digest: Digest) -> Pool:
    shown = digest.paper_ids
    papers = [p for p in queries.papers_in_period(digest.period) if p.pk not in shown]
    vectors = search.paper_vectors([paper.pk for paper in papers])
    papers = [paper for paper in papers if paper.pk in vectors]
    if not papers:
        return Pool([], np.zeros((0, 0), dtype=np.float32), {})
    matrix = np.stack([vectors[paper.pk] for paper in papers]).astype(np.float32, copy=False)
    return Pool(
        papers=[digest_paper(paper) for paper in papers],
        matrix=matrix,
        column={paper.pk: column for column, paper in enumerate(papers)},
    )


def overlapping_period_keys(digest: Digest) -> list[str]:
    """The other digests' period keys that share a feed day with `digest`'s period (<= 8)."""
    period = digest.period
    week = period_containing("week", period.start)
    days = [week.start + dt.timedelta(days=n) for n in range((week.end - week.start).days + 1)]
    if period.kind == "day":
        days = [period.start]
    keys = [f"{Subscription.DAILY}:{day.isoformat()}" for day in days]
    keys.append(f"{Subscription.WEEKLY}:{week.key}")
    return [key for key in keys if key != digest.period_key]


class ForYou:
    """The sections of one digest's run: `sections(batch)` per batch of subscriptions."""

    def __init__(self, digest: Digest, now: dt.datetime | None = None) -> None:
        self.digest = digest
        self.now = now or timezone.now()
        self.earlier_keys = overlapping_period_keys(digest)

    @cached_property
    def pool(self) -> Pool:
        # Read on the first batch that has a member to pick for, not before.
        return candidate_pool(self.digest)

    def sections(self, subscriptions: Iterable[Subscription]) -> dict[int, list[DigestPaper]]:
        """The "for you" papers by subscription id, best first; subscriptions without a
        section are left out."""
        wanting = {s.user_id: s for s in subscriptions if s.user_id and s.wants_for_you}
        if not wanting or settings.DIGEST_FOR_YOU_SIZE <= 0:
            return {}
        votes = queries.recent_upvotes_of(wanting, MAX_PROFILE_VOTES)
        counts: dict[int, int] = defaultdict(int)
        for user_id, _, _ in votes:
            counts[user_id] += 1
        members = [u for u in wanting if counts[u] >= settings.DIGEST_FOR_YOU_MIN_UPVOTES]
        if not members or not self.pool.papers:
            return {}
        marks = list(
            NotInterested.objects.filter(user_id__in=members).values_list(
                "user_id", "paper_id", "created_at"
            )
        )
        shown = self._shown([wanting[u].pk for u in members])
        profiles, has_profile = self._profiles(members, votes, marks)
        if not has_profile.any():
            return {}
        members = [u for u, ok in zip(members, has_profile, strict=True) if ok]
        scores = profiles[has_profile] @ self.pool.matrix.T
        self._exclude(scores, members, wanting, votes, marks, shown)
        return {
            wanting[user_id].pk: [self.pool.papers[column] for column in columns]
            for user_id, columns in zip(members, _best(scores), strict=True)
            if columns
        }

    def _shown(self, subscription_ids: list[int]) -> dict[int, set[int]]:
        """The papers earlier digests of an overlapping period showed in this section."""
        shown: dict[int, set[int]] = defaultdict(set)
        deliveries = DigestDelivery.objects.filter(
            subscription_id__in=subscription_ids, period_key__in=self.earlier_keys
        ).values_list("subscription_id", "for_you_ids")
        for subscription_id, paper_ids in deliveries:
            shown[subscription_id].update(pk for pk in paper_ids or () if isinstance(pk, int))
        return shown

    def _profiles(
        self,
        members: list[int],
        votes: Sequence[tuple[int, int, dt.datetime]],
        marks: Sequence[tuple[int, int, dt.datetime]],
    ) -> tuple[np.ndarray, np.ndarray]:
        """One unit profile row per member (in `members`' order), and which rows are usable."""
        row = {user_id: n for n, user_id in enumerate(members)}
        entries = [(u, p, t, 1.0) for u, p, t in votes if u in row]
        entries += [(u, p, t, -1.0) for u, p, t in marks]
        vectors = search.paper_vectors({paper_id for _, paper_id, _, _ in entries})
        entries = [entry for entry in entries if entry[1] in vectors]
        dimensions = self.pool.matrix.shape[1]
        profiles = np.zeros((len(members), dimensions), dtype=np.float32)
        if entries:
            ids = list(vectors)
            index = {paper_id: n for n, paper_id in enumerate(ids)}
            matrix = np.stack([vectors[paper_id] for paper_id in ids])
            rows = np.fromiter((row[u] for u, _, _, _ in entries), np.int64, len(entries))
            columns = np.fromiter((index[p] for _, p, _, _ in entries), np.int64, len(entries))
            weights = np.fromiter(
                (sign * self._weight(when) for _, _, when, sign in entries),
                np.float32,
                len(entries),
            )
            # Sum each member's weighted vectors: sorted by row, one reduceat over the runs.
            order = np.argsort(rows, kind="stable")
            rows, columns, weights = rows[order], columns[order], weights[order]
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            sums = np.add.reduceat(matrix[columns] * weights[:, None], starts, axis=0)
            profiles[rows[starts]] = sums
        norms = np.linalg.norm(profiles, axis=1)
        usable = norms > 1e-6
        profiles[usable] /= norms[usable, None]
        return profiles, usable

    def _weight(self, when: dt.datetime) -> float:
        age_days = max((self.now - when).total_seconds(), 0.0) / SECONDS_PER_DAY
        return 0.5 ** (age_days / max(settings.DIGEST_FOR_YOU_HALF_LIFE_DAYS, 1e-9))

    def _exclude(
        self,
        scores: np.ndarray,
        members: list[int],
        wanting: dict[int, Subscription],
        votes: Sequence[tuple[int, int, dt.datetime]],
        marks: Sequence[tuple[int, int, dt.datetime]],
        shown: dict[int, set[int]],
    ) -> None:
        """-inf for each member's upvoted, "not interested" and already shown candidates."""
        row = {user_id: n for n, user_id in enumerate(members)}
        column = self.pool.column
        cells = [(row[u], column[p]) for u, p, _ in (*votes, *marks) if u in row and p in column]
        for user_id, n in row.items():
            seen = shown.get(wanting[user_id].pk, ())
            cells += [(n, column[p]) for p in seen if p in column]
        if cells:
            rows, columns = zip(*cells, strict=True)
            scores[list(rows), list(columns)] = -np.inf


def _best(scores: np.ndarray) -> list[list[int]]:
    """Each row's DIGEST_FOR_YOU_SIZE best columns, best first, excluded ones (-inf) left out."""
    k = min(settings.DIGEST_FOR_YOU_SIZE, scores.shape[1])
    if k <= 0:
        return [[] for _ in range(scores.shape[0])]
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    top_scores = np.take_along_axis(scores, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    top, top_scores = (
        np.take_along_axis(top, order, axis=1),
        np.take_along_axis(top_scores, order, axis=1),
    )
    return [
        [int(c) for c, s in zip(columns, values, strict=True) if np.isfinite(s)]
        for columns, values in zip(top, top_scores, strict=True)
    ]


def section_for(digest: Digest, subscription: Subscription) -> list[DigestPaper]:
    """One subscription's section, outside a run (`--email`, the staff preview): the same
    picks a run would make; nothing is recorded."""
    return ForYou(digest).sections([subscription]).get(subscription.pk, [])


def section_ids(papers: Sequence[DigestPaper]) -> list[int]:
    """What a delivery stores in `for_you_ids`."""
    return [paper.paper_id for paper in papers]


# "Not interested": the link in each "for you" paper (signed, no login).


def not_interested_target(token: str):
    """The (member, paper) a "not interested" token names; BadToken when the link is broken
    or either is gone (a deleted account, a paper taken down)."""
    user_id, paper_id = tokens.read_not_interested(token)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    papers = queries.cards_in_order([paper_id])
    if user is None or not papers:
        raise tokens.BadToken("This link is for an account or a paper that no longer exists.")
    return user, papers[0]


def mark_not_interested(user, paper: Paper) -> bool:
    """Record that `user` is not interested in `paper`: it never comes back in their section
    and its vector weighs against their profile. Idempotent: True when newly recorded."""
    _, created = NotInterested.objects.get_or_create(user=user, paper=paper)
    return created
