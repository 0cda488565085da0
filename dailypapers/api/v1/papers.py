"""Papers: the filtered list (keyset paging), one paper, its similar papers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router

from dailypapers.api.v1.errors import ApiError
from dailypapers.api.v1.paging import keyset_page
from dailypapers.api.v1.schemas import (
    DATE_FROM,
    DATE_TO,
    ErrorOut,
    PaperOut,
    PaperPage,
    clean,
    paper_out,
    papers_out,
)
from dailypapers.papers import queries
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.models import Paper
from dailypapers.search import similar_papers
from dailypapers.search.filters import Filters, allowed_papers

router = Router(tags=["papers"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.get("", response={200: PaperPage, **ERRORS}, summary="List papers")
def list_papers(
    request: HttpRequest,
    date_from: dt.date | None = DATE_FROM,
    date_to: dt.date | None = DATE_TO,
    organization: str = Query("", max_length=100, description="An organization's slug"),
    has_code: bool = Query(False, description="Only papers with a code repository"),
    in_feed: bool | None = Query(None, description="Only papers of the daily feed (or not)"),
    sort: Literal["newest", "upvotes"] = "newest",
    limit: int = Query(20, ge=1, le=100),
    cursor: str = Query("", max_length=2000),
) -> dict:
    filters = Filters(date_from, date_to, clean(organization), has_code, in_feed)
    allowed = allowed_papers(filters)
    papers = Paper.objects.all() if allowed is None else allowed
    papers = queries.with_card_data(papers.filter(hidden=False))
    rows, next_cursor = keyset_page(papers, sort, cursor, limit)
    return {"items": papers_out(request, rows), "next_cursor": next_cursor or None}


def visible_paper(arxiv_id: str) -> Paper:
    """The paper with this id (any version, or an arXiv URL), with its card data; 404 when
    unknown or hidden."""
    try:
        base = parse_arxiv_id(arxiv_id).base
    except ValueError:
        raise ApiError(404, f"No paper {arxiv_id[:80]!r}: not an arXiv id.") from None
    paper = queries.paper_by_arxiv_id(base)
    cards = queries.cards_in_order([paper.pk]) if paper is not None else []
    if not cards:
        raise ApiError(404, f"No paper {base} here.")
    return cards[0]


@router.get(
    "/{path:arxiv_id}/similar", response={200: list[PaperOut], **ERRORS}, summary="Similar papers"
)
def similar(request: HttpRequest, arxiv_id: str, limit: int = Query(6, ge=1, le=50)) -> list:
    paper = visible_paper(arxiv_id)
    return papers_out(request, queries.cards_in_order(similar_papers(paper.pk, limit)))


@router.get("/{path:arxiv_id}", response={200: PaperOut, **ERRORS}, summary="One paper")
def paper(request: HttpRequest, arxiv_id: str) -> dict:
    return paper_out(request, visible_paper(arxiv_id))
