"""Our papers in the JSON shapes of Hugging Face's papers API (`shared/hf-api.md`).

The shapes are Hugging Face's, not ours to improve: the official `huggingface_hub` client reads
them field by field. Two of its habits decide what goes where:
- it reads `title`, `numComments`, `upvotes`, `ai_summary`, `ai_keywords`, `githubRepo`,
  `githubStars`, `projectPage` and `organization` only at an item's top level, so a daily item
  repeats them there (beside `paper`, where Hugging Face itself puts most of them);
- it parses datetimes only in the `...Z` form (`isoformat()`'s `+00:00` makes it raise).

Papers come with their card data (`queries.with_card_data`: authorships, organization,
submission, `score`, `local_comments`), so building a page runs no query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from dailypapers.papers.models import Organization, Paper

JSON = dict[str, Any]


def hf_datetime(moment: dt.datetime | None) -> str | None:
    """`2025-10-28T01:02:03.456Z`: UTC, milliseconds, a `Z` (the only form the client parses).
    Four-digit years always (strftime's %Y drops the zeros of years below 1000)."""
    if moment is None:
        return None
    utc = moment.astimezone(dt.UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def object_id(kind: str, key: object) -> str:
    """A stable 24-hex id where Hugging Face has a MongoDB ObjectId (`_id`, `discussionId`).
    Derived from our own keys, so the same author or paper keeps its id across requests."""
    return hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()[:24]


def user_shape(username: str, fullname: str = "") -> JSON:
    return {
        "_id": object_id("user", username),
        "user": username,
        "name": username,
        "fullname": fullname or username,
        "avatarUrl": "",
        "isPro": False,
        "type": "user",
    }


def organization_shape(organization: Organization) -> JSON:
    return {
        "_id": object_id("org", organization.handle),
        "name": organization.handle,
        "fullname": organization.fullname or organization.name,
        "avatarUrl": organization.avatar_url,
        "avatar": organization.avatar_url,
    }


def submitter_shape(paper: Paper) -> JSON | None:
    submission = _submission(paper)
    if submission is None:
        return None
    user = submission.submitter
    if user is not None:
        return user_shape(user.get_username(), user.get_full_name())
    if submission.submitter_name:
        return user_shape(submission.submitter_name)
    return None


def _submission(paper: Paper):
    """The paper's visible feed entry, or None (read from the select_related cache)."""
    try:
        submission = paper.submission
    except Paper.submission.RelatedObjectDoesNotExist:
        return None
    return None if submission.hidden else submission


def _authors(paper: Paper) -> list[JSON]:
    return [
        {"_id": object_id("author", a.author_id), "name": a.author.name, "hidden": False}
        for a in paper.authorships.all()
    ]


def _upvotes(paper: Paper) -> int:
    score = getattr(paper, "score", None)
    return score if score is not None else paper.total_upvotes


def _comments(paper: Paper) -> int:
    return getattr(paper, "local_comments", 0) + paper.imported_comments


def _optional(paper: Paper) -> JSON:
    """Fields Hugging Face leaves out when unknown (the client then reads None)."""
    fields: JSON = {}
    if paper.github_repo:
        fields["githubRepo"] = paper.github_repo
        if paper.github_stars is not None:
            fields["githubStars"] = paper.github_stars
    if paper.project_page:
        fields["projectPage"] = paper.project_page
    if paper.ai_summary:
        fields["ai_summary"] = paper.ai_summary
    if paper.ai_keywords:
        fields["ai_keywords"] = list(paper.ai_keywords)
    if paper.media_urls:
        fields["mediaUrls"] = list(paper.media_urls)
    if paper.organization_id:
        fields["organization"] = organization_shape(paper.organization)
    return fields


def paper_shape(paper: Paper) -> JSON:
    """The `paper` object of a daily item (and the core of the flat paper info)."""
    shape: JSON = {
        "id": paper.arxiv_id,
        "authors": _authors(paper),
        "publishedAt": hf_datetime(paper.published_at),
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": _upvotes(paper),
        "discussionId": object_id("discussion", paper.arxiv_id),
    }
    submission = _submission(paper)
    if submission is not None:
        shape["submittedOnDailyAt"] = hf_datetime(submission.submitted_at)
        if (submitter := submitter_shape(paper)) is not None:
            shape["submittedOnDailyBy"] = submitter
    return shape | _optional(paper)


def daily_item(paper: Paper) -> JSON:
    """A wrapped item of `/api/daily_papers` and `/api/papers/search`. The top-level
    `publishedAt` is when the paper entered the feed (the client's `submitted_at`); a paper
    that never did (a search hit) has none, rather than a date that would mean something else."""
    item: JSON = {"paper": paper_shape(paper)}
    submission = _submission(paper)
    if submission is not None:
        item["publishedAt"] = hf_datetime(submission.submitted_at)
    item |= {
        "title": paper.title,
        "summary": paper.abstract,
        "thumbnail": paper.thumbnail,
        "numComments": _comments(paper),
        "upvotes": _upvotes(paper),
        "isAuthorParticipating": False,
    }
    if (submitter := submitter_shape(paper)) is not None:
        item["submittedBy"] = submitter
    return item | _optional(paper)


def search_item(paper: Paper, upvoted: bool) -> JSON:
    """A search hit: a daily item plus the fields Hugging Face's search adds. No markup in
    the highlights: the text is returned as is, so no client can be handed live HTML."""
    item = daily_item(paper)
    item |= {"highlightedTitle": paper.title, "highlightedSummary": paper.abstract}
    item["upvoted"] = upvoted
    return item


def paper_info(paper: Paper) -> JSON:
    """`/api/papers/{id}`: the paper's fields flat at the top level, plus the linked
    models/datasets/spaces Hugging Face has (we have none: empty lists and zero totals)."""
    shape = paper_shape(paper)
    shape |= {
        "numComments": _comments(paper),
        "linkedModels": [],
        "linkedDatasets": [],
        "linkedSpaces": [],
        "numTotalModels": 0,
        "numTotalDatasets": 0,
        "numTotalSpaces": 0,
    }
    if paper.thumbnail:
        shape["thumbnail"] = paper.thumbnail
    return shape
