"""Keyset paging for `GET /api/papers`: every visible paper, newest arXiv date first.

A page ends with the last paper's (published_at, pk); the next page starts strictly after it,
so paging stays one index range however deep it goes, and a paper added meanwhile neither
shifts nor repeats the pages already read (OFFSET would do both). Papers without a date come
last, newest row first. The cursor is opaque to clients: base64 of a small JSON list.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from dailypapers.papers.models import Paper


@dataclass(frozen=True)
class Cursor:
    published_at: dt.datetime | None  # None: in the undated tail
    pk: int


def encode(paper: Paper) -> str:
    moment = paper.published_at.isoformat() if paper.published_at else None
    raw = json.dumps([moment, paper.pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> Cursor | None:
    """The cursor a page gave, or None for the first page; ValueError when it is not one."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        moment, pk = json.loads(raw)
        published = dt.datetime.fromisoformat(moment) if moment is not None else None
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ValueError("malformed cursor") from exc
    if not isinstance(pk, int) or isinstance(pk, bool) or (published and not published.tzinfo):
        raise ValueError("malformed cursor")
    return Cursor(published, pk)


def page(
    cursor: Cursor | None, limit: int, cards: Callable[[QuerySet[Paper]], QuerySet[Paper]]
) -> tuple[list[Paper], str]:
    """`limit` papers after `cursor` (with their card data, by `cards`), and the next
    cursor ("" on the last page). At most two ranges: the dated papers, then the undated."""
    visible = Paper.objects.filter(hidden=False)
    papers: list[Paper] = []
    if cursor is None or cursor.published_at is not None:
        dated = visible.filter(published_at__isnull=False)
        if cursor is not None:
            after = Q(published_at__lt=cursor.published_at)
            dated = dated.filter(after | Q(published_at=cursor.published_at, pk__lt=cursor.pk))
        papers = list(cards(dated).order_by("-published_at", "-pk")[: limit + 1])
    if len(papers) <= limit:
        undated = visible.filter(published_at__isnull=True)
        if cursor is not None and cursor.published_at is None:
            undated = undated.filter(pk__lt=cursor.pk)
        papers += cards(undated).order_by("-pk")[: limit + 1 - len(papers)]
    if len(papers) > limit:
        return papers[:limit], encode(papers[limit - 1])
    return papers, ""
