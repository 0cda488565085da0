"""The upsert's fast path for new papers (`Batch._created`) stores what the general,
field-by-field path (`Batch._apply`) stores, for every kind of record."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from dailypapers.ingest.pipeline import upsert_records
from dailypapers.ingest.records import OrganizationRecord, PaperRecord, validated
from dailypapers.ingest.sources import snapshot
from dailypapers.ingest.upsert.batch import Batch
from dailypapers.papers.models import Author, Authorship, Organization, Paper, Submission
from tests.ingest.support import DAYS, REPEAT, record, records

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "snapshot" / "sample.jsonl"
UTC = dt.UTC


def edge_cases() -> list[PaperRecord]:
    """Records that stress each rule of `_apply`: empty and zero values, a dated view, no
    version or version 0, values too long for their columns, no authors."""
    return [
        record("2502.00001", imported_upvotes=0, imported_comments=0, github_stars=0),
        record("2502.00002", as_of=dt.datetime(2025, 2, 1, tzinfo=UTC), imported_upvotes=None),
        record("2502.00003", version=0, authors=[], organization=None, submission=None),
        record("2502.00004", version=3, github_stars=None, imported_upvotes=None),
        record(
            "2502.00005",
            categories="cs.LG " * 80,
            license="http://example.com/" + "l" * 400,
            doi="10.1/" + "d" * 300,
            primary_category="p" * 60,
            organization=OrganizationRecord("acme", "Acme Research", "https://acme.example/a.png"),
        ),
        record("2502.00006", title="", abstract="", published_at=None, source="snapshot"),
        record("2502.00007", media_urls=["https://m.example/1.png"], ai_keywords=["a", "b"]),
    ]


def every_kind() -> list[PaperRecord]:
    sampled = [r for _, r in snapshot.SnapshotReader(SAMPLE) if isinstance(r, PaperRecord)]
    return [*records(DAYS), *sampled, *(validated(r) for r in edge_cases())]


def stored() -> dict[str, object]:
    """The database by natural keys (no primary keys, no write times)."""
    skip = {"id", "created_at", "modified_at", "organization_id"}
    papers = {
        p.arxiv_id: {
            **{k: v for k, v in vars(p).items() if k not in skip and not k.startswith("_")},
            "organization": p.organization and p.organization.handle,
        }
        for p in Paper.objects.select_related("organization")
    }
    return {
        "papers": papers,
        "authorships": sorted(
            Authorship.objects.values_list("paper__arxiv_id", "position", "author__name")
        ),
        "authors": sorted(Author.objects.values_list("name", "normalized_name")),
        "submissions": sorted(
            Submission.objects.values_list(
                "paper__arxiv_id", "feed_date", "submitted_at", "submitter_name"
            )
        ),
        "organizations": sorted(
            Organization.objects.values_list("handle", "slug", "name", "fullname", "avatar_url")
        ),
    }


def clear() -> None:
    for model in (Authorship, Submission, Paper, Author, Organization):
        model.objects.all().delete()


def import_twice(batches: list[list[PaperRecord]], monkeypatch) -> tuple[list, list]:
    """(counts and database) by the fast path, then by the general path alone."""
    results = []
    for fast in (True, False):
        clear()
        with monkeypatch.context() as patch:
            if not fast:
                patch.setattr(Batch, "_fresh", lambda self: set())
            counts = [upsert_records(batch) for batch in batches]
        results.append((counts, stored()))
    return results[0], results[1]


def test_new_papers_are_stored_alike_by_both_paths(monkeypatch):
    fast, general = import_twice([every_kind()], monkeypatch)

    assert fast == general
    assert fast[0][0].created == len({r.arxiv_id for r in every_kind()})


def test_later_batches_over_fast_path_papers_update_them_alike(monkeypatch):
    kinds = every_kind()
    newer = [
        dataclasses.replace(r, version=(r.version or 1) + 1, title=f"{r.title} (revised)")
        for r in kinds[::2]
    ]
    older = [dataclasses.replace(r, version=1, abstract="older") for r in kinds[1::2]]
    batches = [kinds, newer + older, records(REPEAT), kinds]

    fast, general = import_twice(batches, monkeypatch)

    assert fast == general
    assert fast[0][1].updated > 0


def test_the_fast_path_is_taken_for_new_papers_only(monkeypatch):
    applied: list[str] = []
    general = Batch._apply

    def spy(self, paper, record):
        applied.append(record.arxiv_id)
        return general(self, paper, record)

    monkeypatch.setattr(Batch, "_apply", spy)
    upsert_records([record("2503.00001"), record("2503.00002")])
    assert applied == []

    # A stored paper, and a new one listed twice, go field by field.
    upsert_records([record("2503.00001"), record("2503.00003"), record("2503.00003")])
    assert applied == ["2503.00001", "2503.00003", "2503.00003"]


def test_author_keys_found_at_parse_time_never_outlive_the_authors():
    parsed = validated(record("2504.00001", authors=["Ada Lovelace"]))
    assert parsed.author_keys == ["ada lovelace"]

    upsert_records([dataclasses.replace(parsed, authors=["Alan Turing"])])

    assert list(Author.objects.values_list("name", "normalized_name")) == [
        ("Alan Turing", "alan turing")
    ]
