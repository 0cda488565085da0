"""The normalized record every source yields and the one upsert writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dailypapers.papers.links import http_url

if TYPE_CHECKING:
    from django.db.models import Model

# Django's model and database modules are imported where used: sources are plain parsers,
# importable (the demo corpus builder) without a configured Django.


@dataclass(frozen=True)
class OrganizationRecord:
    name: str
    fullname: str = ""
    avatar_url: str = ""


@dataclass(frozen=True)
class SubmissionRecord:
    # The day the source names when no time of its decides it (a day file's date); None:
    # the day of `submitted_at` in the feed's time zone (`validated` fills it in).
    feed_date: dt.date | None
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
    license: str = ""
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
    # When the source's view was taken (a day file's date); None when the source cannot say.
    as_of: dt.datetime | None = None
    # What was dropped from the item on the way (`dropped paper.githubRepo: not an http(s)
    # URL`): the run reports each with the item's position; the rest of the item is kept.
    notes: list[str] = field(default_factory=list)
    # Set by `validated` once NUL and half surrogate pairs are out: the upsert then skips its
    # own check (done in the parsing process of a big import, not in the writing one).
    storable: bool = field(default=False, repr=False, compare=False)
    # Each author's normalized name (the Author key), also found in the parsing process: half
    # the names of a big import are new to the cache there. Not an __init__ argument, so
    # `replace` (a record with other authors) drops it; the upsert then finds them itself.
    author_keys: list[str] | None = field(default=None, init=False, repr=False, compare=False)


class RecordError(ValueError):
    """A record that cannot be stored at all (its key does not fit); the message says why."""


def feed_date_of(submission: SubmissionRecord) -> dt.date:
    """The submission's feed day: the one its source named, else its time's in the feed zone."""
    from dailypapers.papers.feed_days import feed_day

    return submission.feed_date or feed_day(submission.submitted_at)


def validated(record: PaperRecord, labels: Mapping[str, str] | None = None) -> PaperRecord:
    """The record with every value the database cannot hold or must not store dropped.

    Every source passes its records through here, so one bad item is skipped (RecordError) or
    loses one field (a note on `record.notes`, reported with the item's position) instead of
    failing its whole batch, on one backend or on both. `labels` name fields in the source's
    own terms (`github_repo` -> `paper.githubRepo`) for those notes.
    """
    from dailypapers.papers.models import Organization, Paper

    check = _Check(labels or {})
    if len(record.arxiv_id) > (limit := _max_length(Paper, "arxiv_id")):
        raise RecordError(f"{check.label('arxiv_id')}: longer than {limit} characters")
    changes: dict[str, Any] = {
        name: check.integer(Paper, name, getattr(record, name)) for name in _INTEGERS
    }
    for name in _URLS:
        changes[name] = check.url(Paper, name, getattr(record, name))
    changes["media_urls"] = [url for url in record.media_urls if check.url(None, "media_urls", url)]
    changes["organization"] = check.organization(Organization, record.organization)
    changes["submission"] = check.submission(record.submission)
    # Most records pass unchanged: copying each one cost a tenth of a snapshot's parsing.
    changed = {name: value for name, value in changes.items() if value != getattr(record, name)}
    if changed or check.notes:
        record = replace(record, **changed, notes=[*record.notes, *check.notes])
    return _storable(record)


def _storable(record: PaperRecord) -> PaperRecord:
    from dailypapers.ingest.upsert.cleaning import storable
    from dailypapers.ingest.upsert.related import author_keys

    record = storable(record)
    record.storable = True
    record.author_keys = author_keys(record.authors)
    return record


_INTEGERS = ("version", "github_stars", "imported_upvotes", "imported_comments")
_URLS = ("github_repo", "project_page", "thumbnail")


class _Check:
    """Each check returns the value to keep ("" or None when dropped) and notes what it dropped."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = labels
        self.notes: list[str] = []

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def drop(self, name: str, reason: str) -> None:
        self.notes.append(f"dropped {self.label(name)}: {reason}")

    def integer(self, model: type[Model], name: str, value: int | None) -> int | None:
        if value is None:
            return None
        low, high = _integer_range(model, name)
        if low <= value <= high:
            return value
        shown = str(value) if value.bit_length() < 256 else "a huge number"
        self.drop(name, f"{shown} is outside {low}..{high}")
        return None

    def url(self, model: type[Model] | None, name: str, value: str) -> str:
        if not value:
            return value
        # The same check the pages make on the way out (`papers.links`): one definition.
        if not (url := http_url(value)):
            self.drop(name, "not an http(s) URL")
            return ""
        limit = _max_length(model, name) if model else None
        if limit is not None and len(url) > limit:
            self.drop(name, f"longer than {limit} characters")
            return ""
        return url

    def organization(
        self, model: type[Model], org: OrganizationRecord | None
    ) -> OrganizationRecord | None:
        if org is None:
            return None
        if len(org.name) > (limit := _max_length(model, "handle")):
            # The handle is the organization's key: clipped, two handles could merge.
            self.drop("organization", f"handle longer than {limit} characters")
            return None
        return replace(org, avatar_url=self.url(model, "organization.avatar_url", org.avatar_url))

    def submission(self, submission: SubmissionRecord | None) -> SubmissionRecord | None:
        if submission is None or submission.feed_date is not None:
            return submission
        return replace(submission, feed_date=feed_date_of(submission))


def _field(model: type[Model], name: str) -> Any:
    return model._meta.get_field(name.rpartition(".")[2])


def _max_length(model: type[Model], name: str) -> int | None:
    return _field(model, name).max_length


def _integer_range(model: type[Model], name: str) -> tuple[int, int]:
    from django.db.backends.base.operations import BaseDatabaseOperations

    # The generic ranges, not the connection's: a record must be valid on every backend
    # (SQLite would take 2**63 - 1 into a column PostgreSQL keeps to 2**31 - 1).
    internal_type = _field(model, name).get_internal_type()
    return BaseDatabaseOperations.integer_field_ranges[internal_type]
