"""Keep `Paper.upvotes` exact when votes are deleted outside `services.votes`.

The admin (one vote, or "delete selected") and a deleted member's cascade delete votes through
Django's deletion collector, which sends `pre_delete` and `post_delete` for every vote it
*collected*, whether or not its DELETE then removed that row: a member's unvote racing the
admin would be counted twice by a plain post_delete decrement. So the receiver runs before
the delete, locks the vote's row and decrements only when the row is still there; the
collector's DELETE, in the same transaction, then removes exactly that row. (On SQLite the
IMMEDIATE transaction holds the database's write lock instead.)

`services.votes` deletes with a raw DELETE, which sends no signal: nothing counts twice.

`drift()` and `recount()` serve `dailypapers votes reconcile`, for rows written behind the
services' back (raw SQL, a restored backup).
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.db.models.signals import pre_delete

from dailypapers.papers.models import Paper, Upvote


def vote_deleted(sender, instance: Upvote, using: str, origin=None, **kwargs) -> None:
    if _deleting_papers(origin):
        return  # the paper and its counter go too
    still_there = Upvote.objects.using(using).select_for_update().filter(pk=instance.pk)
    if still_there.exists():
        papers = Paper.objects.using(using).filter(pk=instance.paper_id)
        papers.update(upvotes=Greatest(F("upvotes") - 1, 0))


def _deleting_papers(origin) -> bool:
    if isinstance(origin, QuerySet):
        return origin.model is Paper
    return isinstance(origin, Paper)


def connect() -> None:
    pre_delete.connect(vote_deleted, sender=Upvote, dispatch_uid="papers.vote_counts")


class Drift(NamedTuple):
    paper_pk: int
    arxiv_id: str
    stored: int
    counted: int


def drift() -> list[Drift]:
    """Every paper whose counter differs from its vote rows, in one statement: one snapshot,
    so votes being cast meanwhile (row and counter commit together) show no false drift.
    Each paper costs one probe of the votes' paper index."""
    papers = Paper.objects.annotate(counted=_counted())
    rows = papers.exclude(upvotes=F("counted")).order_by("arxiv_id")
    return [Drift(*row) for row in rows.values_list("pk", "arxiv_id", "upvotes", "counted")]


def papers_with_votes() -> int:
    return Paper.objects.filter(Q(upvotes__gt=0) | Q(votes__isnull=False)).distinct().count()


def recount(paper_pk: int) -> tuple[int, int]:
    """Set the counter to the rows: (before, after). The paper's row is locked first, so
    a vote in flight either committed before the count, or moves the counter after it."""
    with transaction.atomic():
        locked = Paper.objects.select_for_update().filter(pk=paper_pk)
        before = locked.values_list("upvotes", flat=True).first()
        if before is None:
            return 0, 0  # deleted meanwhile
        after = Upvote.objects.filter(paper_id=paper_pk).count()
        if after != before:
            locked.update(upvotes=after)
        return before, after


def _counted() -> Coalesce:
    votes = Upvote.objects.filter(paper=OuterRef("pk")).order_by().values("paper")
    return Coalesce(Subquery(votes.annotate(n=Count("*")).values("n")), 0)
