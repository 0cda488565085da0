"""Small builders for test data, one per model, with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from dailypapers.papers.models import Author, Authorship, Organization, Paper, Submission
from dailypapers.papers.names import normalize_name

_ids = itertools.count(1)


def make_organization(slug: str = "acme", **fields) -> Organization:
    fields.setdefault("handle", slug)
    fields.setdefault("name", slug.title())
    fields.setdefault("fullname", f"{slug.title()} Research")
    return Organization.objects.create(slug=slug, **fields)


def make_paper(
    arxiv_id: str | None = None, authors: tuple[str, ...] = ("Ada Lovelace",), **fields
) -> Paper:
    arxiv_id = arxiv_id or f"2501.{next(_ids):05d}"
    fields.setdefault("title", f"Paper {arxiv_id}")
    fields.setdefault("abstract", "We study things.")
    fields.setdefault("published_at", timezone.now())
    paper = Paper.objects.create(arxiv_id=arxiv_id, **fields)
    for position, name in enumerate(authors):
        author, _ = Author.objects.get_or_create(
            normalized_name=normalize_name(name), defaults={"name": name}
        )
        Authorship.objects.create(paper=paper, author=author, position=position)
    return paper


def submit(paper: Paper, feed_date: dt.date, hour: int = 12, **fields) -> Submission:
    submitted_at = dt.datetime.combine(feed_date, dt.time(hour), tzinfo=dt.UTC)
    return Submission.objects.create(
        paper=paper, feed_date=feed_date, submitted_at=submitted_at, **fields
    )


def make_submitted_paper(feed_date: dt.date, upvotes: int = 0, **fields) -> Paper:
    paper = make_paper(imported_upvotes=upvotes, **fields)
    submit(paper, feed_date)
    return paper


def make_member(
    username: str = "member", email: str | None = None, password: str = "a long test password"
):
    """A member (a plain user account); tests log in with `client.force_login(member)`."""
    from django.contrib.auth import get_user_model

    email = email if email is not None else f"{username}@example.org"
    return get_user_model().objects.create_user(username=username, email=email, password=password)
