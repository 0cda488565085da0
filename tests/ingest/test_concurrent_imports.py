"""Two imports at once (two threads, each its own connection) give what one import gives."""

from __future__ import annotations

import json
import logging

import pytest

from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.pipeline import run_ingest, upsert_records
from dailypapers.ingest.sources import hf_daily
from dailypapers.papers.models import Authorship, Paper, Submission
from tests.ingest.support import record
from tests.threads import at_once, in_thread, threads_database  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("threads_database")]
PAPERS = 500


def day_file(tmp_path):
    items = [
        {
            "paper": {
                "id": f"2601.{n:05d}",
                "title": f"Paper {n}",
                "authors": [{"name": f"Author {n}"}, {"name": "Ada Lovelace"}],
                "upvotes": n,
                "organization": {"name": f"org-{n % 7}"},
            },
            "publishedAt": "2026-01-02T08:00:00.000Z",
        }
        for n in range(1, PAPERS + 1)
    ]
    path = tmp_path / "2026-01-02.json"
    path.write_text(json.dumps(items))
    return path


def snapshot() -> tuple:
    return (
        sorted(Paper.objects.values_list("arxiv_id", "imported_upvotes", "organization__handle")),
        sorted(Submission.objects.values_list("paper__arxiv_id", "feed_date", "submitted_at")),
        sorted(Authorship.objects.values_list("paper__arxiv_id", "position", "author__name")),
    )


def import_once(path) -> None:
    run_ingest("hf", hf_daily.read_paths([path]))


def start_over() -> None:
    Paper.objects.all().delete()
    IngestRun.objects.all().delete()


def test_two_imports_of_the_same_new_papers_at_once_equal_one_import(tmp_path, caplog):
    path = day_file(tmp_path)
    in_thread(lambda: import_once(path))
    expected = in_thread(snapshot)
    in_thread(start_over)
    caplog.set_level(logging.WARNING, logger="dailypapers.ingest")

    _, errors = at_once([lambda: import_once(path), lambda: import_once(path)])

    assert errors == []
    assert in_thread(snapshot) == expected
    runs = in_thread(lambda: list(IngestRun.objects.all()))
    assert [r.status for r in runs] == [IngestRun.Status.DONE] * 2
    assert sum(r.counts["created"] for r in runs) == PAPERS
    # Neither import had to fall back to writing item by item.
    assert not [r for r in caplog.records if "item by item" in r.getMessage()]


def upvotes() -> set[int]:
    return set(Paper.objects.values_list("imported_upvotes", flat=True))


def test_two_updates_of_the_same_papers_at_once_keep_the_highest_count():
    in_thread(
        lambda: upsert_records(
            [record(f"2601.{n:05d}", imported_upvotes=10) for n in range(PAPERS)]
        )
    )

    for _ in range(5):
        _, errors = at_once(
            [
                lambda: upsert_records(
                    [record(f"2601.{n:05d}", imported_upvotes=50) for n in range(PAPERS)]
                ),
                lambda: upsert_records(
                    [record(f"2601.{n:05d}", imported_upvotes=20) for n in range(PAPERS)]
                ),
            ]
        )

        assert errors == []
        assert in_thread(upvotes) == {50}
        in_thread(lambda: Paper.objects.update(imported_upvotes=10))
