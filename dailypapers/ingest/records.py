"""The normalized record every source yields and the one upsert writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OrganizationRecord:
    name: str
    fullname: str = ""
    avatar_url: str = ""


@dataclass(frozen=True)
class SubmissionRecord:
    feed_date: dt.date
    submitted_at: dt.datetime
    submitter_name: str = ""


@dataclass
class PaperRecord:
    """One paper as a source describes it. Empty/None fields mean "the source does not say"."""

    arxiv_id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    version: int | None = None
    categories: str = ""
    primary_category: str = ""
    published_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    doi: str = ""
    journal_ref: str = ""
    arxiv_comments: str = ""
    github_repo: str = ""
    github_stars: int | None = None
    project_page: str = ""
    thumbnail: str = ""
    media_urls: list[str] = field(default_factory=list)
    organization: OrganizationRecord | None = None
    ai_summary: str = ""
    ai_keywords: list[str] = field(default_factory=list)
    imported_upvotes: int | None = None
    imported_comments: int | None = None
    submission: SubmissionRecord | None = None
    source: str = ""
