"""Organizations and authors, and their papers (newest first)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from dailypapers.api.v1.errors import ApiError
from dailypapers.api.v1.schemas import (
    AuthorDetail,
    ErrorOut,
    OffsetPage,
    OrganizationDetail,
    absolute,
    clean,
    organization_out,
    papers_out,
)
from dailypapers.papers import queries
from dailypapers.papers.models import Author, Organization, Paper

organizations = Router(tags=["organizations"])
authors = Router(tags=["authors"])
ERRORS = {404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
LIMIT = Query(20, ge=1, le=100)
OFFSET = Query(0, ge=0, le=100_000)


def _offset_page(request: HttpRequest, papers: QuerySet[Paper], limit: int, offset: int) -> dict:
    rows = list(papers[offset : offset + limit + 1])
    return {
        "items": papers_out(request, rows[:limit]),
        "offset": offset,
        "limit": limit,
        "next_offset": offset + limit if len(rows) > limit else None,
    }


def _organization(slug: str) -> Organization:
    org = queries.organization_by_slug(clean(slug))
    if org is None:
        raise ApiError(404, f"No organization {slug[:100]!r}.")
    return org


@organizations.get("/{slug}", response={200: OrganizationDetail, **ERRORS})
def organization(request: HttpRequest, slug: str) -> dict:
    return organization_out(request, _organization(slug))


@organizations.get("/{slug}/papers", response={200: OffsetPage, **ERRORS})
def organization_papers(
    request: HttpRequest, slug: str, limit: int = LIMIT, offset: int = OFFSET
) -> dict:
    papers = queries.papers_of_organization(_organization(slug))
    return _offset_page(request, papers, limit, offset)


def _author(name: str) -> Author:
    author = queries.author_by_name(clean(name))
    if author is None:
        raise ApiError(404, f"No author {name[:100]!r}.")
    return author


# `/papers` before the name: a name may hold slashes (`path:`), the papers route is the
# more specific match and must be tried first.
@authors.get("/{path:name}/papers", response={200: OffsetPage, **ERRORS})
def author_papers(
    request: HttpRequest, name: str, limit: int = LIMIT, offset: int = OFFSET
) -> dict:
    return _offset_page(request, queries.papers_of_author(_author(name)), limit, offset)


@authors.get("/{path:name}", response={200: AuthorDetail, **ERRORS})
def author(request: HttpRequest, name: str) -> dict:
    found = _author(name)
    return {
        "name": found.name,
        "url": absolute(request, found.get_absolute_url()),
        "claimed": found.claimed_by_id is not None,
    }
