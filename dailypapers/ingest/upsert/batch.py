"""What one batch of records changes: papers, their authorships and submissions."""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING, Any

from django.db.models.base import ModelState
from django.utils import timezone

from dailypapers.ingest.records import PaperRecord, SubmissionRecord, feed_date_of
from dailypapers.ingest.upsert.cleaning import fit, fit_submitter
from dailypapers.ingest.upsert.related import author_keys, upsert_authors, upsert_organizations
from dailypapers.ingest.upsert.sql import chunks, ids, in_chunks, insert_rows
from dailypapers.papers.models import Authorship, Paper, Submission

if TYPE_CHECKING:
    from dailypapers.ingest.upsert import Counts

# Record attribute -> Paper field for what the arXiv version governs: an older version
# of a paper (or a source that names no version, once one is known) only fills gaps here.
_VERSIONED = {
    "title": "title",
    "abstract": "abstract",
    "categories": "categories",
    "primary_category": "primary_category",
    "published_at": "published_at",
    "updated_at": "updated_at_source",
    "doi": "doi",
    "journal_ref": "journal_ref",
    "license": "license",
    "arxiv_comments": "arxiv_comments",
}
# The rest is the source's own current view (links, AI fields, organization): the newest
# record wins (see `_is_newer`).
_CURRENT = [
    "github_repo",
    "project_page",
    "thumbnail",
    "media_urls",
    "ai_summary",
    "ai_keywords",
]
_COUNTS = ["github_stars", "imported_upvotes", "imported_comments"]
_TRACKED = [
    *_VERSIONED.values(),
    *_CURRENT,
    *_COUNTS,
    "version",
    "organization_id",
    "source_as_of",
]
# Saved, but a paper whose only change is a later as-of time is reported unchanged.
_BOOKKEEPING = {"source_as_of"}


class Batch:
    def __init__(self, records: list[PaperRecord]) -> None:
        self.records = records
        self.changed_ids: list[int] = []
        arxiv_ids = {r.arxiv_id for r in records}
        # Keys first: most of a big first import is new papers, with no rows to load.
        found = [pk for _, pk in ids(Paper, "arxiv_id", arxiv_ids)]
        self.papers = {p.arxiv_id: p for p in in_chunks(Paper.objects, "pk", found)}
        self.existing = set(self.papers)
        pks = [p.pk for p in self.papers.values()]
        self.author_lists: dict[str, list[int]] = {a: [] for a in arxiv_ids}
        by_pk = {p.pk: p.arxiv_id for p in self.papers.values()}
        for paper_id, author_id in in_chunks(
            Authorship.objects.order_by("paper_id", "position"),
            "paper_id",
            pks,
            "paper_id",
            "author_id",
        ):
            self.author_lists[by_pk[paper_id]].append(author_id)
        self.submissions = {
            by_pk[s.paper_id]: s for s in in_chunks(Submission.objects.all(), "paper_id", pks)
        }
        self.organizations = upsert_organizations(records)
        # Normalized once per record: folding names is a good share of a big import's time.
        self.author_keys = [
            author_keys(r.authors) if r.author_keys is None else r.author_keys for r in records
        ]
        self.authors = upsert_authors(records, self.author_keys)

    def write(self, counts: Counts) -> None:
        """Write the batch, add what it did to `counts`, keep the changed papers' ids."""
        # Papers in file order (dicts, not sets): new rows get their keys in that order.
        dirty: dict[str, None] = {}
        changed_fields: set[str] = set()
        new_authors: set[str] = set()
        new_submissions: dict[str, SubmissionRecord] = {}
        moved: set[str] = set()
        fresh = self._fresh()
        rest = []
        for record, keys in zip(self.records, self.author_keys, strict=True):
            if record.arxiv_id not in fresh:
                rest.append((record, keys))
                continue
            # Most of a big first import: a paper new to the database, once in the batch.
            arxiv_id = record.arxiv_id
            self.papers[arxiv_id] = self._created(record)
            if authors := [self.authors[k] for k in keys]:
                self.author_lists[arxiv_id] = authors
                new_authors.add(arxiv_id)
            if record.submission:
                self._submit(arxiv_id, record.submission, new_submissions, moved)
            dirty[arxiv_id] = None
        counts.created += len(fresh)
        self._merge(rest, counts, dirty, changed_fields, new_authors, new_submissions, moved)
        self._save(dirty, changed_fields, new_authors, new_submissions)
        # Moved submissions change no paper row, but a paper's feed day is searchable.
        self.changed_ids = [self.papers[a].pk for a in sorted(dirty.keys() | moved)]
        Submission.objects.bulk_update(
            [self.submissions[a] for a in sorted(moved)],
            ["feed_date", "submitted_at", "submitter_name"],
            batch_size=500,
        )

    def _fresh(self) -> set[str]:
        """Papers with no row yet and one record in the batch: `_created` makes them directly."""
        seen: dict[str, int] = {}
        for record in self.records:
            seen[record.arxiv_id] = seen.get(record.arxiv_id, 0) + 1
        return {a for a, n in seen.items() if n == 1 and a not in self.existing}

    def _created(self, record: PaperRecord) -> Paper:
        """A new paper as `_apply` would make it from a blank one, without comparing each
        field (measured: a fifth of the writing side of a snapshot import went there).
        tests/ingest/test_upsert_fast_path.py checks that both give the same rows."""
        paper = _new_paper(record.arxiv_id, record.source)
        newer = _is_newer(paper, record)
        values = paper.__dict__
        for attr, field, limit in _versioned_limits():
            value = getattr(record, attr)
            if value in ("", None):
                continue
            # Only text has a limit; clipped it is never empty, a dropped URL is.
            if limit is not None and len(value) > limit and not (value := fit(field, value)):
                continue
            values[field] = value
        for field in _CURRENT:
            if (value := getattr(record, field)) and (value := fit(field, value)):
                values[field] = value
        for field in _COUNTS:
            value, known = getattr(record, field), values[field]
            if value is not None and (known is None or value > known):
                values[field] = value
        if record.version is not None and record.version > 0:
            values["version"] = record.version
        if organization := record.organization and self.organizations.get(record.organization.name):
            values["organization_id"] = organization.pk
        if newer and record.as_of:
            values["source_as_of"] = record.as_of
        return paper

    def _merge(
        self,
        records: list[tuple[PaperRecord, list[str]]],
        counts: Counts,
        dirty: dict[str, None],
        changed_fields: set[str],
        new_authors: set[str],
        new_submissions: dict[str, SubmissionRecord],
        moved: set[str],
    ) -> None:
        """Apply records of stored papers (and of papers listed twice) field by field."""
        # A paper listed twice in one batch gets each record applied in turn, and is counted
        # once, by its net change: re-reading the same files then reports nothing as updated.
        stored = {record.arxiv_id for record, _ in records} & self.existing
        before = {a: {f: getattr(self.papers[a], f) for f in _TRACKED} for a in stored}
        authors_before = dict(self.author_lists)
        touched: dict[str, set[str]] = {}
        for record, keys in records:
            arxiv_id = record.arxiv_id
            paper = self.papers.get(arxiv_id)
            if paper is None:
                paper = self.papers[arxiv_id] = _new_paper(arxiv_id, record.source)
            fields = touched.setdefault(arxiv_id, set())
            fields |= self._apply(paper, record)
            authors = [self.authors[k] for k in keys]
            if authors and (self._authoritative(paper, record) or not self.author_lists[arxiv_id]):
                self.author_lists[arxiv_id] = authors
            if record.submission:
                self._submit(arxiv_id, record.submission, new_submissions, moved)
        counts.unchanged += len(records) - len(touched)
        for arxiv_id, fields in touched.items():
            paper = self.papers[arxiv_id]
            net = {
                f
                for f in fields
                if arxiv_id not in before or getattr(paper, f) != before[arxiv_id][f]
            }
            if self.author_lists[arxiv_id] != authors_before[arxiv_id]:
                new_authors.add(arxiv_id)
            said_more = net - _BOOKKEEPING or any(
                arxiv_id in changes for changes in (new_authors, moved, new_submissions)
            )
            if arxiv_id not in self.existing:
                counts.created += 1
            elif said_more:
                counts.updated += 1
            elif net:  # Only a later as-of time: saved, reported unchanged.
                counts.unchanged += 1
            else:
                counts.unchanged += 1
                continue
            dirty[arxiv_id] = None
            changed_fields |= net

    def _submit(
        self,
        arxiv_id: str,
        record: SubmissionRecord,
        new: dict[str, SubmissionRecord],
        moved: set[str],
    ) -> None:
        """One submission per paper, on its earliest feed day, whatever order files come in:
        a record of an earlier day (or an earlier time that day) moves it there."""
        day = feed_date_of(record)
        if arxiv_id in new:
            if (day, record.submitted_at) < (
                feed_date_of(new[arxiv_id]),
                new[arxiv_id].submitted_at,
            ):
                new[arxiv_id] = record
            return
        stored = self.submissions.get(arxiv_id)
        if stored is None:
            new[arxiv_id] = record
        elif (day, record.submitted_at) < (stored.feed_date, stored.submitted_at):
            stored.feed_date, stored.submitted_at = day, record.submitted_at
            if record.submitter_name and stored.submitter_id is None:
                stored.submitter_name = fit_submitter(record)
            moved.add(arxiv_id)

    def _authoritative(self, paper: Paper, record: PaperRecord) -> bool:
        if paper.pk is None and paper.version is None:
            return True
        if record.version is None:
            return paper.version is None
        return paper.version is None or record.version >= paper.version

    def _apply(self, paper: Paper, record: PaperRecord) -> set[str]:
        """Copy what the record says onto the paper; return the fields that changed."""
        changed: set[str] = set()
        authoritative = self._authoritative(paper, record)
        newer = _is_newer(paper, record)

        def put(field: str, value: Any) -> None:
            if getattr(paper, field) != value:
                setattr(paper, field, value)
                changed.add(field)

        for attr, field in _VERSIONED.items():
            value = getattr(record, attr)
            if value in ("", None):
                continue  # (checked before fitting too: most fields of most records are empty)
            value = fit(field, value)
            if value not in ("", None) and (authoritative or not getattr(paper, field)):
                put(field, value)
        for field in _CURRENT:
            value = getattr(record, field)
            # Empty means "not said": never erase what is known. An older record only fills gaps.
            if value and (value := fit(field, value)) and (newer or not getattr(paper, field)):
                put(field, value)
        dated = record.as_of is not None and paper.source_as_of is not None
        for field in _COUNTS:
            # A dated newer view sets the counts (they may fall: a vote withdrawn). Without
            # dates counts only rise, so an older snapshot read again never undoes a newer one.
            value, known = getattr(record, field), getattr(paper, field)
            if value is not None and (known is None or (newer if dated else value > known)):
                put(field, value)
        if record.version is not None and (paper.version or 0) < record.version:
            put("version", record.version)
        organization = record.organization and self.organizations.get(record.organization.name)
        if organization and (newer or paper.organization_id is None):
            put("organization_id", organization.pk)
        if newer and record.as_of and (paper.source_as_of or record.as_of) <= record.as_of:
            put("source_as_of", record.as_of)
        return changed

    def insert_rows_papers(self, papers: list[Paper]) -> None:
        """Insert new papers, then read their keys back (one query per chunk): an INSERT
        that returns them is not portable to executemany."""
        now = timezone.now()
        for paper in papers:
            paper.created_at = paper.modified_at = now  # what auto_now(_add) would set
        fields = [f for f in Paper._meta.concrete_fields if not f.primary_key]
        row = operator.attrgetter(*(f.attname for f in fields))
        insert_rows(Paper, [f.name for f in fields], [row(p) for p in papers])
        by_id = {p.arxiv_id: p for p in papers}
        for arxiv_id, pk in ids(Paper, "arxiv_id", by_id):
            by_id[arxiv_id].pk = pk
            by_id[arxiv_id]._state.adding = False

    def _save(
        self,
        dirty: dict[str, None],
        fields: set[str],
        new_authors: set[str],
        new_submissions: dict[str, SubmissionRecord],
    ) -> None:
        self.insert_rows_papers([self.papers[a] for a in dirty if a not in self.existing])
        if updated := [self.papers[a] for a in dirty if a in self.existing]:
            now = timezone.now()
            for paper in updated:
                paper.modified_at = now  # bulk_update skips auto_now.
            Paper.objects.bulk_update(updated, sorted(fields | {"modified_at"}), batch_size=500)
        replaced = [self.papers[a].pk for a in new_authors & self.existing]
        for chunk in chunks(replaced):
            Authorship.objects.filter(paper_id__in=chunk).delete()
        rows = []
        for arxiv_id in sorted(new_authors):
            pk = self.papers[arxiv_id].pk
            rows += [
                (pk, author, position)
                for position, author in enumerate(self.author_lists[arxiv_id])
            ]
        insert_rows(Authorship, ["paper", "author", "position"], rows)
        Submission.objects.bulk_create(
            Submission(
                paper_id=self.papers[a].pk,
                feed_date=s.feed_date,
                submitted_at=s.submitted_at,
                submitter_name=fit_submitter(s),
            )
            for a, s in new_submissions.items()
        )


def _new_paper(arxiv_id: str, source: str) -> Paper:
    """An unsaved Paper with the model's defaults: a copy of one built once, since Model.__init__
    (every field, every default) was a tenth of a big import's time."""
    paper = Paper.__new__(Paper)
    paper.__dict__.update(_paper_defaults())
    paper._state = ModelState()
    # The defaults' lists are shared by the copies: give each paper its own.
    paper.media_urls, paper.ai_keywords = [], []
    paper.arxiv_id, paper.source = arxiv_id, source
    return paper


@functools.cache
def _versioned_limits() -> list[tuple[str, str, int | None]]:
    """(record attribute, Paper field, its max_length) of what the version governs."""
    return [(a, f, Paper._meta.get_field(f).max_length) for a, f in _VERSIONED.items()]


@functools.cache
def _paper_defaults() -> dict[str, Any]:
    return {name: value for name, value in vars(Paper()).items() if name != "_state"}


def _is_newer(paper: Paper, record: PaperRecord) -> bool:
    """Whether the record is at least as new a view as the one the paper's current fields came
    from, so its links, AI fields and counts replace them (else they only fill gaps).

    Dated views (a day file's date, `source_as_of`) compare by date: re-reading an older file,
    in any order or batch size, changes nothing. Without a date on the record the imported
    counts are the clock: Hugging Face only adds upvotes and comments, so a snapshot with
    fewer was taken earlier, and a tie only fills gaps.
    """
    if record.as_of is not None and paper.source_as_of is not None:
        return record.as_of >= paper.source_as_of
    stored = (paper.imported_upvotes or 0, paper.imported_comments or 0)
    upvotes, comments = record.imported_upvotes, record.imported_comments
    said = (
        stored[0] if upvotes is None else upvotes,
        stored[1] if comments is None else comments,
    )
    # A first dated view of a paper known only undated takes over on equal counts.
    return said >= stored if record.as_of is not None else said > stored
