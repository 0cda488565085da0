"""Keyset paging for the papers list: the cursor is the last row's sort key, signed.

A keyset page costs one index range whatever its depth (OFFSET 100,000 reads 100,000 rows),
and a page stays correct while papers are added. Signing makes the cursor opaque and tamper-
evident: a cursor that does not verify is a 400, never a query on arbitrary values.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db.models import F, Q, QuerySet

from dailypapers.api.v1.errors import ApiError
from dailypapers.papers.models import Paper

SALT = "dailypapers.api.v1.cursor"
ORDERS = {
    # Papers without a date come last on both databases (PostgreSQL puts NULLs first in DESC).
    "newest": (F("published_at").desc(nulls_last=True), "-pk"),
    "upvotes": ("-score", "-pk"),
}


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


def after(papers: QuerySet[Paper], sort: str, cursor: str) -> QuerySet[Paper]:
    """The rows that come after the cursor's row in `sort` order."""
    key, pk = read_cursor(sort, cursor)
    if sort == "upvotes":
        return papers.filter(Q(score__lt=key) | Q(score=key, pk__lt=pk))
    if key is None:
        return papers.filter(published_at__isnull=True, pk__lt=pk)
    return papers.filter(
        Q(published_at__lt=key) | Q(published_at=key, pk__lt=pk) | Q(published_at__isnull=True)
    )


def keyset_page(papers: QuerySet[Paper], sort: str, cursor: str, limit: int) -> tuple[list, str]:
    """One page and the cursor of the next ("" at the end)."""
    if cursor:
        papers = after(papers, sort, cursor)
    rows = list(papers.order_by(*ORDERS[sort])[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, make_cursor(sort, rows[-1]) if more else ""
