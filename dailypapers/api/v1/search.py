"""Search every paper: hybrid (words and meaning), keyword or semantic, with the filters."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router

from dailypapers import search as search_app
from dailypapers.api.v1.schemas import DATE_FROM, DATE_TO, ErrorOut, SearchOut, clean, paper_out
from dailypapers.search.filters import Filters
from dailypapers.search.service import MAX_DEPTH

router = Router(tags=["search"])


@router.get(
    "",
    response={200: SearchOut, 422: ErrorOut, 429: ErrorOut},
    summary="Search papers",
)
def search(
    request: HttpRequest,
    q: str = Query("", max_length=500, description="Words; `author:`, `org:`, `-word` work"),
    mode: Literal["hybrid", "keyword", "semantic"] = "hybrid",
    sort: Literal["relevance", "upvotes", "newest"] = "relevance",
    date_from: dt.date | None = DATE_FROM,
    date_to: dt.date | None = DATE_TO,
    organization: str = Query("", max_length=100, description="An organization's slug"),
    has_code: bool = False,
    in_feed: bool | None = None,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=MAX_DEPTH - 1, description="Results stop at 1,000"),
) -> dict:
    filters = Filters(date_from, date_to, clean(organization), has_code, in_feed)
    page = search_app.search(
        q.replace("\x00", ""), mode=mode, filters=filters, sort=sort, limit=limit, offset=offset
    )
    return {
        "query": page.query,
        "mode": page.mode,
        "sort": page.sort,
        "message": page.message,
        "items": [
            {
                "paper": paper_out(request, hit.paper),
                "keyword_rank": hit.keyword_rank,
                "semantic_rank": hit.semantic_rank,
            }
            for hit in page.results
        ],
        "offset": page.offset,
        "limit": page.limit,
        "next_offset": page.offset + page.limit if page.has_next else None,
    }
