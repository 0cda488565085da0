"""What the API answers (and accepts), and how a paper becomes one.

Field names are snake_case and stable; links are absolute (`DAILYPAPERS_BASE_URL`, else the
request's own origin). A link a source stored is passed on only when it is an http(s) URL.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Schema

from dailypapers.papers.links import http_url
from dailypapers.papers.models import Author, Organization, Paper

# Query parameters papers and search share (module-level: a call in a default runs once).
DATE_FROM = Query(None, description="Published on or after (YYYY-MM-DD)")
DATE_TO = Query(None, description="Published on or before (YYYY-MM-DD)")


class ErrorDetail(Schema):
    code: str
    message: str
    details: list[dict] | None = None
    link: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class AuthorOut(Schema):
    name: str
    url: str


class OrganizationOut(Schema):
    slug: str
    name: str
    fullname: str
    avatar_url: str | None
    url: str


class PaperOut(Schema):
    arxiv_id: str
    title: str
    abstract: str
    authors: list[AuthorOut]
    organization: OrganizationOut | None
    published_at: dt.datetime | None
    categories: list[str]
    upvotes: int
    comments: int
    github_repo: str | None
    github_stars: int | None
    project_page: str | None
    feed_date: dt.date | None = Field(description="The day the paper entered the daily feed")
    url: str
    arxiv_url: str
    pdf_url: str


class PaperPage(Schema):
    items: list[PaperOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class OffsetPage(Schema):
    items: list[PaperOut]
    offset: int
    limit: int
    next_offset: int | None


class PeriodOut(Schema):
    kind: str
    key: str
    start: dt.date
    end: dt.date
    label: str
    url: str


class FeedOut(OffsetPage):
    period: PeriodOut
    previous: str | None = Field(description="Key of the nearest earlier period with papers")
    next: str | None = Field(description="Key of the nearest later period with papers")


class TrendingOut(Schema):
    items: list[PaperOut]
    scores: list[float]
    rule: str
    stale: bool


class SearchHit(Schema):
    paper: PaperOut
    keyword_rank: int | None
    semantic_rank: int | None


class SearchOut(Schema):
    query: str
    mode: str
    sort: str
    message: str
    items: list[SearchHit]
    offset: int
    limit: int
    next_offset: int | None


class OrganizationDetail(OrganizationOut):
    pass


class AuthorDetail(AuthorOut):
    claimed: bool


class VoteOut(Schema):
    arxiv_id: str
    upvoted: bool
    upvotes: int


class SubmissionIn(Schema):
    arxiv_id: str = Field(max_length=200, description="An arXiv id or abs/pdf URL")
    comment: str = Field("", max_length=1000)


class SubmissionOut(Schema):
    paper: PaperOut
    feed_date: dt.date
    submitted_at: dt.datetime


class CommentIn(Schema):
    body: str = Field(max_length=10_000)
    parent_id: int | None = Field(None, ge=1, le=2**63 - 1, description="Reply under this comment")


class CommentOut(Schema):
    id: int
    arxiv_id: str
    author: str
    body: str
    parent_id: int | None
    created_at: dt.datetime
    url: str


def clean(value: str) -> str:
    """A text parameter as the database may see it: PostgreSQL refuses NUL characters."""
    return value.replace("\x00", "").strip()


def absolute(request: HttpRequest, path: str) -> str:
    base = settings.BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def author_out(request: HttpRequest, author: Author) -> dict:
    return {"name": author.name, "url": absolute(request, author.get_absolute_url())}


def organization_out(request: HttpRequest, org: Organization | None) -> dict | None:
    if org is None:
        return None
    return {
        "slug": org.slug,
        "name": org.name,
        "fullname": org.fullname,
        "avatar_url": http_url(org.avatar_url) or None,
        "url": absolute(request, org.get_absolute_url()),
    }


def paper_out(request: HttpRequest, paper: Paper) -> dict:
    """A paper with its card data (`queries.with_card_data`)."""
    submission = getattr(paper, "submission", None)
    in_feed = submission is not None and not submission.hidden
    return {
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": [author_out(request, a.author) for a in paper.authorships.all()],
        "organization": organization_out(request, paper.organization),
        "published_at": paper.published_at,
        "categories": paper.categories.split(),
        "upvotes": paper.upvotes + paper.imported_upvotes,
        "comments": paper.imported_comments + getattr(paper, "local_comments", 0),
        "github_repo": http_url(paper.github_repo) or None,
        "github_stars": paper.github_stars,
        "project_page": http_url(paper.project_page) or None,
        "feed_date": submission.feed_date if in_feed else None,
        "url": absolute(request, paper.get_absolute_url()),
        "arxiv_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
    }


def papers_out(request: HttpRequest, papers) -> list[dict]:
    return [paper_out(request, paper) for paper in papers]
