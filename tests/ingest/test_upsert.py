"""`upsert_records`: one batch, one transaction, by arXiv id, never a duplicate."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dailypapers.ingest.pipeline import Counts, upsert_records
from dailypapers.ingest.records import OrganizationRecord, SubmissionRecord
from dailypapers.papers.models import Author, Authorship, Organization, Paper, Submission
from tests.factories import make_paper
from tests.ingest.support import DAYS, REPEAT, record, records

pytestmark = pytest.mark.django_db


def author_names(arxiv_id: str) -> list[str]:
    return list(
        Authorship.objects.filter(paper__arxiv_id=arxiv_id)
        .order_by("position")
        .values_list("author__name", flat=True)
    )


def test_import_creates_papers_authors_organizations_and_submissions():
    counts = upsert_records(records(DAYS))

    assert counts == Counts(created=9)
    assert Paper.objects.count() == 9
    paper = Paper.objects.get(arxiv_id="2601.01425")
    assert paper.title.startswith("DreamID-V:Bridging")
    assert paper.source == "hf"
    assert (paper.imported_upvotes, paper.imported_comments, paper.upvotes) == (29, 2, 0)
    assert (paper.github_stars, paper.organization.slug) == (15, "bytedance")
    assert paper.ai_keywords[0] == "Video Face Swapping"
    assert author_names("2601.01425")[:3] == ["Xu Guo", "Fulong Ye", "Xinghui Li"]
    assert paper.submission.feed_date == dt.date(2026, 1, 6)
    assert paper.submission.submitter_name == "XuGuo699"
    assert Organization.objects.get(slug="lgai-exaone").fullname == "LG AI Research"
    assert Submission.objects.count() == 9


def test_authors_get_their_normalized_name_set():
    upsert_records([record(authors=["Emmanuel  Candès", "EMMANUEL CANDES", "Li Fei-Fei"])])

    assert list(Author.objects.values_list("name", "normalized_name")) == [
        ("Emmanuel  Candès", "emmanuel candes"),
        ("Li Fei-Fei", "li fei-fei"),
    ]
    # Two spellings of one person are one author, at both positions.
    assert author_names("2501.00001") == ["Emmanuel  Candès"] * 2 + ["Li Fei-Fei"]


def test_second_import_changes_nothing():
    upsert_records(records(DAYS))
    before = list(Paper.objects.order_by("pk").values())
    authorships = list(Authorship.objects.order_by("pk").values())

    counts = upsert_records(records(DAYS))

    assert counts == Counts(unchanged=9)
    assert list(Paper.objects.order_by("pk").values()) == before
    assert list(Authorship.objects.order_by("pk").values()) == authorships


def test_later_file_with_higher_counts_updates_them():
    first, later = records(REPEAT)
    upsert_records([first])

    counts = upsert_records([later])

    assert counts == Counts(updated=1)
    paper = Paper.objects.get(arxiv_id="2604.07429")
    assert (paper.imported_upvotes, paper.imported_comments, paper.github_stars) == (42, 3, 2)
    assert paper.project_page == "https://gameworld-project.github.io/"
    assert paper.organization.fullname == "National University of Singapore"
    # The paper entered the feed on its first day; a later listing does not move it.
    assert paper.submission.feed_date == dt.date(2026, 4, 10)
    assert Paper.objects.count() == Submission.objects.count() == 1


def test_an_older_file_read_again_changes_nothing():
    first, later = records(REPEAT)
    upsert_records([first, later])

    counts = upsert_records([first])

    assert counts == Counts(unchanged=1)
    paper = Paper.objects.get()
    assert paper.imported_upvotes == 42
    # Its older project page does not roll the newer one back.
    assert paper.project_page == "https://gameworld-project.github.io/"


def test_paper_listed_twice_in_one_batch_is_counted_once_by_its_net_change():
    upsert_records(records(REPEAT))

    counts = upsert_records(records(REPEAT))

    assert counts == Counts(unchanged=2)
    assert Paper.objects.get().project_page == "https://gameworld-project.github.io/"


def test_empty_fields_do_not_erase_known_values():
    upsert_records([record(project_page="https://things.example", ai_summary="Things.")])
    sparse = record(
        abstract="",
        authors=[],
        published_at=None,
        github_repo="",
        github_stars=None,
        project_page="",
        ai_summary="",
        organization=None,
        imported_upvotes=None,
        imported_comments=None,
        submission=None,
    )

    assert upsert_records([sparse]) == Counts(unchanged=1)

    paper = Paper.objects.get()
    assert paper.abstract == "We study things."
    assert paper.published_at == dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    assert (paper.github_repo, paper.github_stars) == ("https://github.com/example/things", 10)
    assert (paper.project_page, paper.ai_summary) == ("https://things.example", "Things.")
    assert (paper.organization.slug, paper.imported_upvotes) == ("acme", 5)
    assert author_names("2501.00001") == ["Ada Lovelace", "Alan Turing"]


def test_local_upvotes_are_never_touched():
    make_paper("2501.00001", upvotes=7, imported_upvotes=1)

    upsert_records([record(imported_upvotes=40)])

    paper = Paper.objects.get()
    assert (paper.upvotes, paper.imported_upvotes) == (7, 40)


def test_newer_version_updates_the_paper_and_an_older_one_does_not():
    upsert_records([record(version=2, title="Second title", authors=["Ada Lovelace"])])

    newer = upsert_records([record(version=3, title="Third title", authors=["Grace Hopper"])])
    older = upsert_records(
        [record(version=1, title="First title", authors=["Someone Else"], imported_upvotes=99)]
    )

    assert (newer, older) == (Counts(updated=1), Counts(updated=1))
    paper = Paper.objects.get()
    assert (paper.version, paper.title) == (3, "Third title")
    assert author_names("2501.00001") == ["Grace Hopper"]
    assert paper.imported_upvotes == 99  # counts are not versioned


def test_versionless_record_does_not_override_a_versioned_paper_but_fills_gaps():
    upsert_records([record(version=2, title="Versioned", abstract="")])

    upsert_records([record(title="From a versionless source", abstract="Filled in.")])

    paper = Paper.objects.get()
    assert (paper.version, paper.title, paper.abstract) == (2, "Versioned", "Filled in.")


def test_changed_author_list_replaces_authorships():
    upsert_records([record(authors=["Ada Lovelace", "Alan Turing"])])

    counts = upsert_records([record(authors=["Alan Turing", "Grace Hopper", "Ada Lovelace"])])

    assert counts == Counts(updated=1)
    assert author_names("2501.00001") == ["Alan Turing", "Grace Hopper", "Ada Lovelace"]
    assert Author.objects.count() == 3
    assert Authorship.objects.count() == 3


def test_organization_is_created_once_and_refreshed():
    upsert_records([record("2501.00001", organization=OrganizationRecord("acme-lab", "Acme"))])

    upsert_records(
        [
            record(
                "2501.00002",
                organization=OrganizationRecord(
                    "acme-lab", "Acme Laboratory", "https://cdn.example/acme.png"
                ),
            ),
        ]
    )

    org = Organization.objects.get()
    assert (org.handle, org.slug, org.fullname) == ("acme-lab", "acme-lab", "Acme Laboratory")
    assert org.avatar_url == "https://cdn.example/acme.png"
    assert set(org.papers.values_list("arxiv_id", flat=True)) == {"2501.00001", "2501.00002"}


def test_existing_submission_is_kept_and_a_missing_one_is_added():
    make_paper("2501.00001")

    assert upsert_records([record()]) == Counts(updated=1)
    moved = SubmissionRecord(dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, tzinfo=dt.UTC), "bob")
    upsert_records([record(submission=moved)])

    submission = Submission.objects.get()
    assert (submission.feed_date, submission.submitter_name) == (dt.date(2025, 1, 2), "ada")


def test_overlong_url_is_dropped_and_overlong_name_clipped():
    long_url = "https://example.com/" + "x" * 600
    upsert_records(
        [
            record(
                project_page=long_url,
                authors=["N" * 400],
                organization=OrganizationRecord("o" * 100, "F" * 400),
            )
        ]
    )

    paper = Paper.objects.get()
    assert paper.project_page == ""
    assert len(Author.objects.get().name) == 300
    assert (paper.organization.handle, paper.organization.fullname) == ("o" * 100, "F" * 300)


def test_a_batch_costs_a_handful_of_queries_not_one_per_paper():
    def queries(count: int, offset: int) -> int:
        batch = [
            record(
                f"2501.{offset + n:05d}",
                authors=[f"Author {offset + n}", "Ada Lovelace"],
                organization=OrganizationRecord(f"org-{offset + n}"),
            )
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            upsert_records(batch)
        return len(captured)

    small, large = queries(2, 0), queries(200, 100)

    # Only the backend's own splitting of big INSERTs adds queries (SQLite: 999 parameters).
    assert small <= 15
    assert large <= small + 10
    assert Paper.objects.count() == 202


def test_empty_batch_writes_nothing():
    assert upsert_records([]) == Counts()
    assert not Paper.objects.exists()


def test_records_are_not_modified_by_the_upsert():
    original = record()
    copy = dataclasses.replace(original)

    upsert_records([original])

    assert original == copy


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_half_way_writes_nothing(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("connection lost")

    # Papers, authors, organizations and authorships are written before submissions.
    monkeypatch.setattr(Submission.objects, "bulk_create", fail)

    with pytest.raises(RuntimeError):
        upsert_records(records(DAYS))

    assert not Paper.objects.exists()
    assert not Author.objects.exists()
    assert not Organization.objects.exists()
    assert not Authorship.objects.exists()


@pytest.mark.django_db
def test_hostile_text_is_stored_verbatim_and_nul_is_dropped():
    from dailypapers.ingest.sources.hf_daily import parse_item

    item = {
        "paper": {
            "id": "2501.00001",
            "title": "Bad\x00 title",
            "summary": "<script>alert(1)</script>\x00",
            "authors": [{"name": "Eve\x00 Hacker"}],
            "upvotes": 1,
        },
        "title": "Bad\x00 title",
        "publishedAt": "2025-01-02T03:04:05.000Z",
        "numComments": 0,
    }

    upsert_records([parse_item(item, dt.date(2025, 1, 2))])

    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert paper.title == "Bad title"
    assert paper.abstract == "<script>alert(1)</script>"
    assert author_names("2501.00001") == ["Eve Hacker"]
