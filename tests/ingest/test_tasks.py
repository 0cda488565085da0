"""The job queue: the schedule follows the settings, task bodies run the real commands and are
safe to repeat, and a real `dailypapers worker` process executes queued and start-up jobs."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY
from huey.exceptions import TaskLockedException
from huey.storage import SqliteStorage
from werkzeug import Response

from dailypapers import jobs
from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.tasks import fetch_hf_daily_papers, fetch_new_arxiv_papers, ingest
from dailypapers.papers.models import Paper
from dailypapers.papers.ranking import CACHE_KEY
from dailypapers.papers.tasks import refresh_trending_list
from dailypapers.search import tasks as search_tasks  # noqa: F401  (registers its tasks)
from tests.factories import make_submitted_paper
from tests.ingest.support import BROKEN, DAYS

BIN = Path(sys.executable).parent
EMPTY_FEED = (Path(__file__).parents[1] / "fixtures" / "arxiv_api" / "empty.xml").read_text()


def at(hour: int, minute: int = 0, day: int = 26) -> dt.datetime:
    """A time as huey passes it to a periodic task: naive UTC."""
    return dt.datetime(2026, 11, day, hour, minute)


def due_names(when: dt.datetime) -> set[str]:
    return {type(task).__name__ for task in HUEY.read_periodic(when)}


# The schedule -----------------------------------------------------------------------------


def test_default_schedule_imports_arxiv_every_four_hours_and_refreshes_trending(settings):
    settings.ARXIV_EVERY_HOURS = 4
    settings.HF_DAILY = False
    settings.TRENDING_REFRESH_MINUTES = 10

    assert jobs.schedule() == {
        jobs.ARXIV: jobs.Every(240),
        jobs.TRENDING: jobs.Every(10),
        jobs.SEARCH_SWEEP: jobs.Every(15),
    }


def test_hf_daily_runs_once_a_day_at_its_hour(settings):
    settings.HF_DAILY = True
    settings.HF_DAILY_HOUR = 6

    assert jobs.schedule()[jobs.HF] == jobs.Every(24 * 60, 6 * 60)
    assert [h for h in range(24) if jobs.schedule()[jobs.HF](at(h))] == [6]


def test_zero_turns_a_periodic_job_off(settings):
    settings.ARXIV_EVERY_HOURS = 0
    settings.TRENDING_REFRESH_MINUTES = 0
    settings.HF_DAILY = False

    assert jobs.schedule() == {jobs.SEARCH_SWEEP: jobs.Every(15)}  # not a setting: always on
    assert due_names(at(0, 1)) == set()


def test_huey_runs_the_periodic_tasks_the_settings_make_due(settings):
    settings.ARXIV_EVERY_HOURS = 4
    settings.HF_DAILY = True
    settings.HF_DAILY_HOUR = 6
    settings.TRENDING_REFRESH_MINUTES = 10

    assert due_names(at(8)) == {jobs.ARXIV, jobs.TRENDING, jobs.SEARCH_SWEEP}
    assert due_names(at(6)) == {jobs.HF, jobs.TRENDING, jobs.SEARCH_SWEEP}
    assert due_names(at(8, 20)) == {jobs.TRENDING}
    assert due_names(at(8, 25)) == set()


def test_settings_changed_at_runtime_change_what_is_due(settings):
    settings.ARXIV_EVERY_HOURS = 4
    assert jobs.ARXIV in due_names(at(8))

    settings.ARXIV_EVERY_HOURS = 0

    assert jobs.ARXIV not in due_names(at(8))


def test_every_keeps_even_gaps_when_the_period_does_not_divide_a_day():
    every_five_hours = jobs.Every(5 * 60)
    start = at(0, day=20)
    due = [
        start + dt.timedelta(hours=h)
        for h in range(72)
        if every_five_hours(start + dt.timedelta(hours=h))
    ]

    gaps = {later - earlier for earlier, later in pairwise(due)}
    assert gaps == {dt.timedelta(hours=5)}


def test_every_reads_aware_times_in_utc():
    paris = dt.timezone(dt.timedelta(hours=1))

    assert jobs.Every(240)(dt.datetime(2026, 11, 26, 9, tzinfo=paris))  # 08:00 UTC
    assert not jobs.Every(240)(dt.datetime(2026, 11, 26, 8, tzinfo=paris))


def test_a_starting_worker_imports_arxiv_only_when_it_is_scheduled(settings):
    settings.ARXIV_EVERY_HOURS = 4
    assert jobs.at_start() == [jobs.ARXIV, jobs.SEARCH_SWEEP]

    settings.ARXIV_EVERY_HOURS = 0
    assert jobs.at_start() == [jobs.SEARCH_SWEEP]


# Task bodies (run in this process, on the test database) ----------------------------------


@pytest.mark.django_db
def test_ingest_task_runs_the_ingest_command():
    ingest.call_local("hf", str(DAYS))

    run = IngestRun.objects.get()
    assert (run.source, run.status, run.arguments) == ("hf", IngestRun.Status.DONE, str(DAYS))
    assert Paper.objects.count() == run.counts["created"] > 0


@pytest.mark.django_db
def test_ingest_task_is_safe_to_run_twice():
    ingest.call_local("hf", str(DAYS))
    papers = Paper.objects.count()

    ingest.call_local("hf", str(DAYS))

    second = IngestRun.objects.order_by("pk").last()
    assert Paper.objects.count() == papers
    assert second.counts["unchanged"] == second.counts["items"] == papers


@pytest.mark.django_db
def test_ingest_task_with_skipped_items_ends_with_a_warning_not_a_failure(caplog):
    with caplog.at_level(logging.WARNING, logger="dailypapers.jobs"):
        ingest.call_local("hf", str(BROKEN))

    assert IngestRun.objects.get().status == IngestRun.Status.PARTIAL
    assert any(m.startswith("ingest hf: ") and "skipped" in m for m in caplog.messages)


@pytest.mark.django_db
def test_ingest_task_that_fails_raises_and_logs_its_source_flags(caplog, tmp_path):
    IngestRun.objects.create(source="hf", status=IngestRun.Status.FAILED, error="FetchError: 503")

    with (
        caplog.at_level(logging.WARNING, logger="dailypapers.ingest"),
        pytest.raises(CommandError, match="no files to import"),
    ):
        ingest.call_local("hf", str(tmp_path))

    assert "ingest source hf: latest run failed: FetchError: 503" in caplog.messages


@pytest.mark.django_db
def test_ingest_task_does_not_run_while_another_import_of_its_source_holds_the_lock():
    with HUEY.lock_task("ingest-hf"), pytest.raises(TaskLockedException):
        ingest.call_local("hf", str(DAYS))

    assert not IngestRun.objects.exists()
    ingest.call_local("hf", str(DAYS))  # the lock is gone with the import that held it
    assert IngestRun.objects.count() == 1


@pytest.mark.django_db
def test_trending_task_refreshes_the_cached_list():
    paper = make_submitted_paper(dt.date.today(), upvotes=3)
    assert cache.get(CACHE_KEY) is None

    refresh_trending_list.call_local()

    assert cache.get(CACHE_KEY).arxiv_ids == [paper.arxiv_id]


@pytest.mark.django_db
def test_arxiv_task_asks_the_api_for_the_configured_categories(httpserver, settings):
    queries = []

    def answer(request):
        queries.append(request.args.get("search_query", ""))
        return Response(EMPTY_FEED, content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(answer)
    settings.ARXIV_API_URL = httpserver.url_for("/api/query")
    settings.ARXIV_DELAY_SECONDS = 0
    settings.ARXIV_CATEGORIES = ["cs.LG", "cs.CL"]

    fetch_new_arxiv_papers.call_local()

    assert queries and all("cat:cs.LG" in q and "cat:cs.CL" in q for q in queries)
    run = IngestRun.objects.get()
    assert run.source == "arxiv" and run.status == IngestRun.Status.DONE


@pytest.mark.django_db
def test_hf_task_fetches_todays_daily_papers(httpserver, settings):
    days = []

    def answer(request):
        days.append(request.args.get("date"))
        return Response((DAYS / "2025-01-10.json").read_bytes(), content_type="application/json")

    httpserver.expect_request("/api/daily_papers").respond_with_handler(answer)
    settings.HF_ENDPOINT = httpserver.url_for("").rstrip("/")

    before = dt.datetime.now(dt.UTC).date().isoformat()
    fetch_hf_daily_papers.call_local()
    after = dt.datetime.now(dt.UTC).date().isoformat()

    assert len(days) == 1 and days[0] in {before, after}  # today, even across midnight
    run = IngestRun.objects.get()
    assert run.source == "hf" and run.status == IngestRun.Status.DONE
    assert run.counts["created"] == Paper.objects.count() > 0


# A real consumer process ------------------------------------------------------------------


def test_a_worker_process_runs_queued_tasks_and_the_arxiv_import_at_start(
    tmp_path, httpserver, settings
):
    requests = []

    def answer(request):
        requests.append(request.args.get("search_query", ""))
        return Response(EMPTY_FEED, content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(answer)
    # Its own SQLite data dir and queue file: never the suite's database, nor a shared Redis.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "DAILYPAPERS_DATA_DIR": str(tmp_path),
        "DAILYPAPERS_ARXIV_API_URL": httpserver.url_for("/api/query"),
        "DAILYPAPERS_ARXIV_DELAY_SECONDS": "0",
        "DAILYPAPERS_ARXIV_CATEGORIES": "cs.LG",
        "DAILYPAPERS_ARXIV_EVERY_HOURS": "4",
    }
    subprocess.run([BIN / "dailypapers", "migrate", "-v0"], env=env, check=True)
    # Queued before the worker starts, as a web process would: through the SQLite queue file.
    queue = SqliteStorage("dailypapers", filename=str(tmp_path / "huey.sqlite3"))
    queue.enqueue(HUEY.serialize_task(ingest.s("hf", str(DAYS))))
    # The lock of a worker killed mid-import: a starting worker clears it.
    queue.put_data("dailypapers.lock.ingest-hf", b"1")
    log = (tmp_path / "worker.log").open("wb")
    started = dt.datetime.now(dt.UTC)
    worker = subprocess.Popen(
        [BIN / "dailypapers", "worker", "--threads", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        runs = wait_for_runs(tmp_path / "dailypapers.sqlite3", {"hf", "arxiv"}, deadline=20)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)
        log.close()
    output = (tmp_path / "worker.log").read_text()
    assert "queued at start: ingest-arxiv" in output
    assert runs == {"hf": "done", "arxiv": "done"}, output
    assert requests and all("cat:cs.LG" in q for q in requests)
    # Every import task ran; what may still wait is the indexing the imports queued, and any
    # periodic job whose minute came while the worker ran (the arXiv import at 20:00, say).
    waiting = {HUEY.deserialize_task(m).name for m in queue.enqueued_items()}
    minutes = minutes_between(started, dt.datetime.now(dt.UTC))
    settings.ARXIV_EVERY_HOURS = 4
    autodiscover_modules("tasks")  # every app's periodic tasks, as the worker loads them
    # huey's own check, in its terms (naive UTC minutes); the digest jobs keep their own clock.
    ticked = {task.name for m in minutes for task in HUEY.read_periodic(m.replace(tzinfo=None))}
    assert waiting <= {"index_papers_task", jobs.SEARCH_SWEEP} | ticked, waiting


def minutes_between(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every whole minute from `start`'s to `end`'s, both included."""
    first = start.replace(second=0, microsecond=0)
    count = int((end - first).total_seconds() // 60) + 1
    return [first + dt.timedelta(minutes=n) for n in range(count)]


def wait_for_runs(database: Path, sources: set[str], deadline: float) -> dict[str, str]:
    """Each source's latest finished run status, once every source has one (or time is up)."""
    end = time.monotonic() + deadline
    finished: dict[str, str] = {}
    while time.monotonic() < end and set(finished) != sources:
        time.sleep(0.2)
        with closing(sqlite3.connect(database)) as db:
            rows = db.execute(
                "SELECT source, status FROM ingest_ingestrun WHERE status != 'running' ORDER BY id"
            ).fetchall()
        finished = dict(rows)
    return finished
