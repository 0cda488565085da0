"""The one upsert every source's records go through (public through `pipeline`).

Each batch costs a fixed handful of queries whatever its size: existing rows are looked up per
batch, new rows go in with `bulk_create` or, for the bulk of a big import (papers, authors,
authorships), with one `executemany` INSERT (`_insert`), changed rows with `bulk_update`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from dailypapers.ingest.records import (
    PaperRecord,
    SubmissionRecord,
    feed_date_of,
)
from dailypapers.papers.models import Author, Authorship, Organization, Paper, Submission
from dailypapers.papers.names import normalize_name, org_slug

# Below every backend's limit on query parameters (SQLite's old default is 999).
_CHUNK = 900
# PostgreSQL advisory lock key ("dpupsert"): one upsert batch at a time, see `_lock`.
_LOCK_KEY = 0x6470757073657274
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
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


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self

    @property
    def items(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "items": self.items}


def upsert_records(records: Iterable[PaperRecord]) -> Counts:
    """Write a batch of records in one transaction: create, update or leave each paper."""
    records = [_storable(record) for record in records]
    counts = Counts()
    if not records:
        return counts
    with transaction.atomic():
        _lock()
        _Batch(records).write(counts)
    return counts


def _lock() -> None:
    """Serialize upsert batches across processes until this transaction ends.

    A batch reads its papers, then writes what changed: two imports interleaving there would
    both insert one new paper (IntegrityError, the whole batch lost) or both raise one count
    from the same stale value (10 -> 50 -> 20). One transaction-scoped advisory lock covers
    every table the batch touches, costs one query, and batches are short, so two imports
    take turns batch by batch. SQLite needs nothing: its IMMEDIATE transactions already take
    the database's one write lock at BEGIN, before the batch reads anything.

    The same query turns sequential scans off for the batch's transaction: every read of a
    batch is a lookup of up to 900 keys by an index, and PostgreSQL, counting on a disk,
    would rather scan a table of a few hundred thousand rows for them each batch (measured:
    a 100,000-record snapshot import ran at 1,200 records/s that way, 2,100 without).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s), set_config('enable_seqscan', 'off', true)",
                [_LOCK_KEY],
            )


class _Batch:
    def __init__(self, records: list[PaperRecord]) -> None:
        self.records = records
        arxiv_ids = {r.arxiv_id for r in records}
        # Keys first: most of a big first import is new papers, with no rows to load.
        found = [pk for _, pk in _ids(Paper, "arxiv_id", arxiv_ids)]
        self.papers = {p.arxiv_id: p for p in _in_chunks(Paper.objects, "pk", found)}
        self.existing = set(self.papers)
        pks = [p.pk for p in self.papers.values()]
        self.author_lists: dict[str, list[int]] = {a: [] for a in arxiv_ids}
        by_pk = {p.pk: p.arxiv_id for p in self.papers.values()}
        for paper_id, author_id in _in_chunks(
            Authorship.objects.order_by("paper_id", "position"),
            "paper_id",
            pks,
            "paper_id",
            "author_id",
        ):
            self.author_lists[by_pk[paper_id]].append(author_id)
        self.submissions = {
            by_pk[s.paper_id]: s for s in _in_chunks(Submission.objects.all(), "paper_id", pks)
        }
        self.organizations = _upsert_organizations(records)
        # Normalized once per record: folding names is a good share of a big import's time.
        self.author_keys = [_author_keys(record.authors) for record in records]
        self.authors = _upsert_authors(records, self.author_keys)

    def write(self, counts: Counts) -> None:
        # A paper listed twice in one batch gets each record applied in turn, and is counted
        # once, by its net change: re-reading the same files then reports nothing as updated.
        before = {a: {f: getattr(p, f) for f in _TRACKED} for a, p in self.papers.items()}
        authors_before = dict(self.author_lists)
        touched: dict[str, set[str]] = {}
        new_submissions: dict[str, SubmissionRecord] = {}
        moved: set[str] = set()
        for record, author_keys in zip(self.records, self.author_keys, strict=True):
            arxiv_id = record.arxiv_id
            paper = self.papers.get(arxiv_id)
            if paper is None:
                paper = self.papers[arxiv_id] = _new_paper(arxiv_id, record.source)
            fields = touched.setdefault(arxiv_id, set())
            fields |= self._apply(paper, record)
            authors = [self.authors[k] for k in author_keys]
            if authors and (self._authoritative(paper, record) or not self.author_lists[arxiv_id]):
                self.author_lists[arxiv_id] = authors
            if record.submission:
                self._submit(arxiv_id, record.submission, new_submissions, moved)
        counts.unchanged += len(self.records) - len(touched)
        dirty, changed_fields, new_authors = set(), set(), set()
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
            dirty.add(arxiv_id)
            changed_fields |= net
        self._save(dirty, changed_fields, new_authors, new_submissions)
        Submission.objects.bulk_update(
            [self.submissions[a] for a in sorted(moved)],
            ["feed_date", "submitted_at", "submitter_name"],
            batch_size=500,
        )

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
                stored.submitter_name = _fit_submitter(record)
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
            value = _fit(field, value)
            if value not in ("", None) and (authoritative or not getattr(paper, field)):
                put(field, value)
        for field in _CURRENT:
            value = getattr(record, field)
            # Empty means "not said": never erase what is known. An older record only fills gaps.
            if value and (value := _fit(field, value)) and (newer or not getattr(paper, field)):
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

    def _insert_papers(self, papers: list[Paper]) -> None:
        """Insert new papers, then read their keys back (one query per chunk): an INSERT
        that returns them is not portable to executemany."""
        now = timezone.now()
        for paper in papers:
            paper.created_at = paper.modified_at = now  # what auto_now(_add) would set
        fields = [f for f in Paper._meta.concrete_fields if not f.primary_key]
        row = operator.attrgetter(*(f.attname for f in fields))
        _insert(Paper, [f.name for f in fields], [row(p) for p in papers])
        by_id = {p.arxiv_id: p for p in papers}
        for arxiv_id, pk in _ids(Paper, "arxiv_id", by_id):
            by_id[arxiv_id].pk = pk
            by_id[arxiv_id]._state.adding = False

    def _save(
        self,
        dirty: set[str],
        fields: set[str],
        new_authors: set[str],
        new_submissions: dict[str, SubmissionRecord],
    ) -> None:
        self._insert_papers([self.papers[a] for a in dirty - self.existing])
        if updated := [self.papers[a] for a in dirty & self.existing]:
            now = timezone.now()
            for paper in updated:
                paper.modified_at = now  # bulk_update skips auto_now.
            Paper.objects.bulk_update(updated, sorted(fields | {"modified_at"}), batch_size=500)
        replaced = [self.papers[a].pk for a in new_authors & self.existing]
        for chunk in _chunks(replaced):
            Authorship.objects.filter(paper_id__in=chunk).delete()
        _insert(
            Authorship,
            ["paper", "author", "position"],
            [
                (self.papers[a].pk, author_id, position)
                for a in sorted(new_authors)
                for position, author_id in enumerate(self.author_lists[a])
            ],
        )
        Submission.objects.bulk_create(
            Submission(
                paper_id=self.papers[a].pk,
                feed_date=s.feed_date,
                submitted_at=s.submitted_at,
                submitter_name=_fit_submitter(s),
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


def _upsert_organizations(records: list[PaperRecord]) -> dict[str, Organization]:
    """Organizations by the source's handle, created or refreshed (full name, avatar)."""
    wanted = {r.organization.name: r.organization for r in records if r.organization}
    if not wanted:
        return {}
    known = {o.handle: o for o in _in_chunks(Organization.objects, "handle", wanted)}
    slugs = _free_slugs([h for h in wanted if h not in known])
    changed = []
    for handle, org in wanted.items():
        fullname = _fit_model(Organization, "fullname", org.fullname)
        avatar = _fit_model(Organization, "avatar_url", org.avatar_url)
        if handle not in known:
            known[handle] = Organization(
                handle=handle,
                slug=slugs[handle],
                name=_fit_model(Organization, "name", org.name),
                fullname=fullname,
                avatar_url=avatar,
            )
            continue
        current = known[handle]
        if (fullname and fullname != current.fullname) or (avatar and avatar != current.avatar_url):
            current.fullname = fullname or current.fullname
            current.avatar_url = avatar or current.avatar_url
            changed.append(current)
    Organization.objects.bulk_create(
        [o for o in known.values() if o.pk is None], ignore_conflicts=True
    )
    Organization.objects.bulk_update(changed, ["fullname", "avatar_url"])
    # Re-read: with ignore_conflicts the new rows come back without their keys.
    return {o.handle: o for o in _in_chunks(Organization.objects, "handle", wanted)}


def _free_slugs(handles: list[str]) -> dict[str, str]:
    """A slug per new handle that no organization holds: the plain one when it is free, else
    a hashed one (`Qwen` after `qwen`), so two handles never merge and never fail a batch."""
    plain = {handle: org_slug(handle) for handle in handles}
    rows = _in_chunks(Organization.objects.all(), "slug", set(plain.values()), "slug")
    taken = {slug for (slug,) in rows}
    slugs = {}
    for handle, slug in plain.items():
        slugs[handle] = org_slug(handle, hashed=True) if slug in taken else slug
        taken.add(slugs[handle])
    return slugs


def _upsert_authors(records: list[PaperRecord], keys: list[list[str]]) -> dict[str, int]:
    """Author ids by normalized name (`keys`: each record's authors' normalized names);
    missing authors are created with the first spelling seen."""
    spellings: dict[str, str] = {}
    for record, record_keys in zip(records, keys, strict=True):
        for key, name in zip(record_keys, record.authors, strict=True):
            spellings.setdefault(key, name)
    ids = dict(_ids(Author, "normalized_name", spellings))
    missing = [key for key in spellings if key not in ids]
    # No Author.save here, so the normalized name is set explicitly.
    _insert(
        Author,
        ["name", "normalized_name"],
        [(_fit_model(Author, "name", spellings[k]), k) for k in missing],
        ignore_conflicts=True,
    )
    ids.update(_ids(Author, "normalized_name", missing))
    return ids


def _storable(value: Any) -> Any:
    """The record with NUL dropped from every string, whatever the source: PostgreSQL stores
    no NUL in text or JSON, and one such value would otherwise fail its whole batch. Half a
    surrogate pair (JSON can escape one: `"\\ud800"`) cannot be encoded for either database:
    it becomes U+FFFD, the mark of an unrepresentable character.

    A record with nothing to clean, the common case of a big import, is returned as it is:
    one regex search over all its text finds that out."""
    if _UNSTORABLE.search("".join(_texts(value))) is None:
        return value
    return _cleaned(value)


def _texts(value: Any) -> list[str]:
    """Every string in a record, its lists and its nested records."""
    found: list[str] = []
    _collect(value, found)
    return found


def _collect(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                found.append(item)
            else:
                _collect(item, found)
    elif dataclasses.is_dataclass(value):
        for item in vars(value).values():  # plain (not slotted) dataclasses: cheaper than fields()
            if isinstance(item, str):
                found.append(item)
            elif item is not None and not isinstance(item, _SCALARS):
                _collect(item, found)


_SCALARS = (int, float, bool, dt.date)  # dt.datetime is a dt.date


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(
            value, **{name: _cleaned(item) for name, item in vars(value).items()}
        )
    return value


def _insert(
    model: type, fields: list[str], rows: list[tuple], *, ignore_conflicts: bool = False
) -> None:
    """INSERT `rows` (values of `fields`, in order) with one executemany.

    Measured on a snapshot import, `bulk_create` spent about half the run compiling every value
    of every row through the ORM; here each column gets the one conversion its field needs
    (dates and JSON: the backend's own; text and numbers: none). Errors are Django's
    (IntegrityError, DataError), as from bulk_create, so `pipeline` still retries per item.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    prepare = [(i, p) for i, field in enumerate(columns) if (p := _preparer(field)) is not None]
    if prepare:
        rows = [list(row) for row in rows]
        for row in rows:
            for i, convert in prepare:
                row[i] = convert(row[i])
    names = ", ".join(quote(field.column) for field in columns)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        _copy(table, names, rows, ignore_conflicts=ignore_conflicts)
        return
    marks = ", ".join(["%s"] * len(columns))
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks}){conflict}"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            cursor.executemany(sql, chunk)


def _copy(table: str, names: str, rows: list[Any], *, ignore_conflicts: bool) -> None:
    """PostgreSQL: the rows go in with COPY.

    Its executemany runs one statement per row: measured, 2,000 authors took 81 ms that way and
    18 ms by COPY, and a snapshot import's time was mostly that. COPY cannot skip conflicts, so
    those rows are copied into a scratch table first, then inserted from it.
    """
    target = "dailypapers_upsert_rows" if ignore_conflicts else table
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if ignore_conflicts:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {target} ON COMMIT DROP AS "
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
        with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if ignore_conflicts:
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {target} ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {target}")


def _preparer(field: Any) -> Any:
    """How a value goes to the database: None for text, numbers and keys (as they are)."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateTimeField":
        # Our times are aware already (sources parse them so): only the backend's adaptation,
        # once per distinct time (a batch's created/modified times are all one).
        adapted: dict[Any, Any] = {None: None}
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: (
            adapted[value] if value in adapted else adapted.setdefault(value, adapt(value))
        )
    empty = field.get_db_prep_save([], connection) if kind == "JSONField" else None
    return lambda value: empty if value == [] else field.get_db_prep_save(value, connection)


_AS_IS = {
    "CharField",
    "TextField",
    "URLField",
    "SlugField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "ForeignKey",
    "BooleanField",
}


def _author_keys(names: list[str]) -> list[str]:
    return [_author_key(name) for name in names]


# Authors recur from paper to paper (a bulk import sees most names many times); the cache is
# bounded, so memory stays flat however many papers go by.
@functools.lru_cache(maxsize=50_000)
def _author_key(name: str) -> str:
    return normalize_name(name)[:300] or name[:300]


def _fit(field: str, value: Any) -> Any:
    return _fit_model(Paper, field, value)


def _fit_model(model: type, field: str, value: Any) -> Any:
    """Make text fit its column: clip names, drop a URL too long to be stored whole."""
    limit = _max_length(model, field)
    if not isinstance(value, str) or limit is None or len(value) <= limit:
        return value
    return "" if value.startswith("http") else value[:limit]


@functools.cache
def _max_length(model: type, field: str) -> int | None:
    return model._meta.get_field(field).max_length


def _fit_submitter(submission: SubmissionRecord) -> str:
    return _fit_model(Submission, "submitter_name", submission.submitter_name)


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _ids(model: type, field: str, values: Iterable[Any]) -> Iterator[tuple[Any, int]]:
    """(value, primary key) of the rows whose `field` is in `values`, a chunk at a time.

    Plain SQL: the ORM prepares each value of a long IN list one by one (measured: about
    5 ms per 900 names, a tenth of a snapshot batch's time), and these are text keys."""
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(field).column)
    select = f"SELECT {column}, {quote(model._meta.pk.column)} FROM {quote(model._meta.db_table)}"
    with connection.cursor() as cursor:
        for chunk in _chunks(values):
            cursor.execute(f"{select} WHERE {column} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            yield from cursor.fetchall()


def _in_chunks(queryset: Any, field: str, values: Iterable[Any], *columns: str) -> Iterator[Any]:
    """Rows whose `field` is in `values` (as tuples of `columns` if given), a chunk at a time."""
    for chunk in _chunks(values):
        rows = queryset.filter(**{f"{field}__in": chunk})
        yield from rows.values_list(*columns) if columns else rows
