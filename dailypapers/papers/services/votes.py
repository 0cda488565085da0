"""Upvotes: one per member per paper, with `Paper.upvotes` kept equal to the rows.

The row and the counter change in one transaction, and the counter moves by the number of
rows the statement really inserted or deleted, never by what this request believed: two
requests that race to remove the same vote delete one row between them, so the counter
drops once. On PostgreSQL the counter's `UPDATE … SET upvotes = upvotes ± n` locks the
paper's row until commit; on SQLite every write transaction is IMMEDIATE (one writer at a
time, the others wait on busy_timeout).

Removal here is a raw DELETE, which sends no delete signals: deletes from elsewhere (the
admin, a member's account deleted) go through `papers.vote_counts`, which must not count
these a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from dailypapers.papers import feed_cache
from dailypapers.papers.models import Paper, Upvote


@dataclass(frozen=True)
class VoteResult:
    upvoted: bool  # the member's vote stands after this call
    upvotes: int  # the total a page shows: local votes plus imported ones


def toggle_upvote(user: AbstractBaseUser, paper: Paper) -> VoteResult:
    """Remove the member's vote if there is one, else cast it."""
    with transaction.atomic():
        if _remove(user, paper):
            return VoteResult(False, _total(paper))
        # False from `_add` means a concurrent request cast this same vote first: it stands.
        _add(user, paper)
        return VoteResult(True, _total(paper))


def set_upvote(user: AbstractBaseUser, paper: Paper, upvoted: bool) -> VoteResult:
    """Make the member's vote be cast (`upvoted`) or not, whatever it was: idempotent, so a
    page that showed a stale state (another tab, a double click) cannot flip it back."""
    with transaction.atomic():
        if upvoted:
            _add(user, paper)
        else:
            _remove(user, paper)
        return VoteResult(upvoted, _total(paper))


def _add(user: AbstractBaseUser, paper: Paper) -> bool:
    """Insert the vote; False when it was already there (no counter change)."""
    try:
        # A savepoint: the duplicate's IntegrityError leaves the outer transaction usable.
        with transaction.atomic():
            Upvote.objects.create(user=user, paper=paper)
    except IntegrityError:
        if _has_vote(user, paper):  # the unique pair: already voted
            return False
        raise  # anything else (a paper deleted meanwhile) is not ours to hide
    _move_counter(paper, 1)
    _rebuild_feeds_for(user)
    return True


def _remove(user: AbstractBaseUser, paper: Paper) -> bool:
    """Delete the vote; False when there was none. The DELETE's own row count decides: on
    PostgreSQL a second concurrent delete waits on the row lock, then deletes nothing."""
    votes = Upvote.objects.filter(user=user, paper=paper)
    deleted = votes._raw_delete(votes.db)  # no signals, no pre-read: the statement's count
    if deleted:
        _move_counter(paper, -deleted)
        _rebuild_feeds_for(user)
    return bool(deleted)


def _move_counter(paper: Paper, by: int) -> None:
    # Never below zero: a counter that had already drifted low (rows written behind the
    # service's back) must not fail a member's unvote on the column's CHECK constraint;
    # `dailypapers votes reconcile` reports and repairs such drift.
    Paper.objects.filter(pk=paper.pk).update(upvotes=Greatest(F("upvotes") + by, 0))


def _rebuild_feeds_for(user: AbstractBaseUser) -> None:
    # Shared feed pages lag votes by up to FEED_CACHE_SECONDS; the voter's own next page
    # must not (their pressed button beside the old count, after the no-JS redirect).
    transaction.on_commit(partial(feed_cache.member_voted, user.pk))


def _has_vote(user: AbstractBaseUser, paper: Paper) -> bool:
    return Upvote.objects.filter(user=user, paper=paper).exists()


def _total(paper: Paper) -> int:
    """Read inside the transaction, after our own UPDATE: the count our change produced."""
    local, imported = Paper.objects.filter(pk=paper.pk).values_list("upvotes", "imported_upvotes")[
        0
    ]
    paper.upvotes, paper.imported_upvotes = local, imported
    return local + imported
