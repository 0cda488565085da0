"""Keyset paging for the papers list: the cursor is the last row's sort key, signed.

A keyset page costs one index range whatever its depth (OFFSET 100,000 reads 100,000 rows),
and a page stays correct while papers are added. Signing makes the cursor opaque and tamper-
evident: a cursor that does not verify is a 400, never a query on arbitrary values.
The upvotes order has no index to range over (the score is local plus imported votes), so
each of its pages still ranks every paper the filters allow.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db.models import Q, QuerySet

from dailypapers.api.v1.errors import ApiError
from dailypapers.papers.models import Paper

SALT = "dailypapers.api.v1.cursor"


def make_cursor(sort: str, paper: Paper) -> str:
    if sort == "upvotes":
        key = paper.score
    else:
        key = paper.published_at.isoformat() if paper.published_at else None
    return signing.dumps([sort, key, paper.pk], salt=SALT, compress=True)


def read_cursor(sort: str, cursor: str) -> tuple[object, int]:
    try:
        kind, key, pk = signing.loads(cursor, salt=SALT)
        if kind != sort or not isinstance(pk, int):
            raise ValueError
        if sort == "newest" and key is not None:
            key = dt.datetime.fromisoformat(key)
        elif sort == "upvotes" and not isinstance(key, int):
            raise ValueError
    except (signing.BadSignature, ValueError, TypeError):
        raise ApiError(400, "The cursor is not valid for this list (or this sort).") from None
    return key, pk


def keyset_page(papers: QuerySet[Paper], sort: str, cursor: str, limit: int) -> tuple[list, str]:
    """One page and the cursor of the next ("" at the end)."""
    key, pk = read_cursor(sort, cursor) if cursor else (None, None)
    if sort == "upvotes":
        rows = _by_upvotes(papers, key, pk, limit + 1)
    else:
        rows = _newest(papers, key, pk, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, make_cursor(sort, rows[-1]) if more else ""


def _by_upvotes(papers: QuerySet[Paper], score, pk, count: int) -> list[Paper]:
    if pk is not None:
        papers = papers.filter(score__lte=score).filter(Q(score__lt=score) | Q(pk__lt=pk))
    return list(papers.order_by("-score", "-pk")[:count])


def _newest(papers: QuerySet[Paper], published, pk, count: int) -> list[Paper]:
    """Dated papers newest first, then the (rare) undated ones: two index ranges rather than
    one ORDER BY with NULLS LAST, which PostgreSQL cannot read from the date's index (its
    backward scan puts NULLs first) and so sorted the whole table for every page."""
    rows: list[Paper] = []
    if pk is None or published is not None:
        dated = papers.filter(published_at__isnull=False)
        if published is not None:
            # `<=` is the index range; the OR only trims the rows of the same instant.
            dated = dated.filter(published_at__lte=published).filter(
                Q(published_at__lt=published) | Q(pk__lt=pk)
            )
        rows = list(dated.order_by("-published_at", "-pk")[:count])
    if len(rows) < count:
        undated = papers.filter(published_at__isnull=True)
        if published is None and pk is not None:
            undated = undated.filter(pk__lt=pk)
        rows += list(undated.order_by("-pk")[: count - len(rows)])
    return rows
