"""`run_ingest`: batches, the IngestRun's cursor, counts and status, and crash safety."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.pipeline import run_ingest
from dailypapers.ingest.sources import hf_daily
from dailypapers.papers.models import Authorship, Paper, Submission
from tests.ingest.support import BROKEN, DAYS


@pytest.mark.django_db
def test_run_records_counts_cursor_and_done_status():
    seen = []

    run = run_ingest(
        "hf", hf_daily.read_paths([DAYS]), batch_size=4, progress=seen.append, arguments="days"
    )

    run.refresh_from_db()
    assert run.status == IngestRun.Status.DONE
    assert run.counts == {"created": 9, "updated": 0, "unchanged": 0, "skipped": 0, "items": 9}
    assert run.cursor == str(DAYS / "2026-01-06.json")
    assert (run.arguments, run.error) == ("days", "")
    assert run.finished_at is not None
    assert len(seen) == 9
    assert Paper.objects.count() == 9


@pytest.mark.django_db
def test_second_run_reports_everything_unchanged():
    run_ingest("hf", hf_daily.read_paths([DAYS]))

    run = run_ingest("hf", hf_daily.read_paths([DAYS]), batch_size=2)

    assert run.counts == {"created": 0, "updated": 0, "unchanged": 9, "skipped": 0, "items": 9}


@pytest.mark.django_db
def test_skipped_items_make_the_run_partial_and_are_logged_with_positions(caplog):
    log_name = "dailypapers.ingest"
    caplog.set_level(logging.WARNING, logger=log_name)

    run = run_ingest("hf", hf_daily.read_paths([BROKEN]))

    day, not_json = BROKEN / "2025-02-03.json", BROKEN / "not-json.json"
    assert run.status == IngestRun.Status.PARTIAL
    assert run.counts == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 2, "items": 4}
    assert run.error.splitlines()[0] == (
        f"{day}:item 1: paper.id: not an arXiv id: 'not-an-arxiv-id'"
    )
    assert run.error.splitlines()[1].startswith(f"{not_json}: unreadable file:")
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == log_name]
    assert logged[0] == (
        logging.WARNING,
        f"{day}:item 1: paper.id: not an arXiv id: 'not-an-arxiv-id'",
    )
    assert logged[1][1].startswith(f"{not_json}: unreadable file:")
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2501.19393", "2501.19324"}


@pytest.mark.django_db(transaction=True)
def test_crash_mid_batch_leaves_nothing_half_written(monkeypatch):
    real_bulk_create = Submission.objects.bulk_create
    calls = []

    def failing_second_time(objs, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # papers, authors and authorships of batch 2 are already written
            raise RuntimeError("disk on fire")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Submission.objects, "bulk_create", failing_second_time)

    with pytest.raises(RuntimeError, match="disk on fire"):
        run_ingest("hf", hf_daily.read_paths([DAYS]), batch_size=4)

    # Batch 1 (the 2024-05-27 and 2024-12-11 files) is in; batch 2 left no trace.
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [
        "2405.15574",
        "2405.15738",
        "2412.05210",
        "2412.07730",
    ]
    assert Submission.objects.count() == 4
    assert set(Authorship.objects.values_list("paper__arxiv_id", flat=True)) == {
        "2405.15574",
        "2405.15738",
        "2412.05210",
        "2412.07730",
    }
    run = IngestRun.objects.get()
    assert run.status == IngestRun.Status.FAILED
    assert run.error == "RuntimeError: disk on fire"
    assert run.cursor == str(DAYS / "2024-12-11.json")
    assert run.counts["created"] == 4


@pytest.mark.django_db(transaction=True)
def test_a_resumed_run_starts_after_the_cursor_and_completes_the_import(monkeypatch):
    real_bulk_create = Submission.objects.bulk_create
    calls = []

    def failing_second_time(objs, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("interrupted")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Submission.objects, "bulk_create", failing_second_time)
    with pytest.raises(RuntimeError):
        run_ingest("hf", hf_daily.read_paths([DAYS]), batch_size=4)
    cursor = IngestRun.objects.get().cursor
    monkeypatch.setattr(Submission.objects, "bulk_create", real_bulk_create)

    resumed = run_ingest("hf", hf_daily.read_paths([DAYS], after=cursor))

    assert resumed.counts["items"] == 5  # only the files after the cursor
    assert resumed.counts["created"] == 5
    assert Paper.objects.count() == Submission.objects.count() == 9


@pytest.mark.parametrize(
    "started,counts,flagged",
    [
        ("2026-11-25T10:00Z", {"created": 0, "updated": 0, "unchanged": 9}, True),  # Wednesday
        ("2026-11-28T10:00Z", {"created": 0, "updated": 0, "unchanged": 9}, False),  # Saturday
        ("2026-11-25T10:00Z", {"created": 1, "updated": 0, "unchanged": 8}, False),
        ("2026-11-25T10:00Z", {"created": 0, "updated": 2, "unchanged": 7}, False),
    ],
)
def test_weekday_run_that_finds_nothing_new_is_flagged(started, counts, flagged):
    run = IngestRun(
        source="hf",
        status=IngestRun.Status.DONE,
        counts=counts,
        started_at=dt.datetime.fromisoformat(started),
    )

    assert run.found_nothing_new is flagged


def test_failed_run_is_not_reported_as_nothing_new():
    run = IngestRun(
        source="hf",
        status=IngestRun.Status.FAILED,
        counts={},
        started_at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
    )

    assert run.found_nothing_new is False


@pytest.mark.django_db
def test_commit_at_every_cursor_saves_each_unit_before_the_batch_fills():
    def interrupted():
        for position, item in hf_daily.read_paths([DAYS]):
            yield position, item
            if position.cursor == str(DAYS / "2024-12-11.json"):
                raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError, match="connection lost"):
        run_ingest("hf", interrupted(), batch_size=500, commit_at_every_cursor=True)

    run = IngestRun.objects.get()
    assert run.cursor == str(DAYS / "2024-12-11.json")
    assert run.counts["created"] == Paper.objects.count() == 4
