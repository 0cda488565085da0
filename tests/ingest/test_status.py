"""Health of the sources: `dailypapers ingest status [--check]` and the staff page
`/status/ingest` flag a failed run, a weekday that brought nothing new, and a scheduled source
with no successful run for `INGEST_STALE_HOURS`."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.management import ManagementUtility, call_command
from django.utils import timezone

from dailypapers.ingest.models import IngestRun
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
SATURDAY = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
FOUND = {"items": 3, "created": 2, "updated": 1, "unchanged": 0, "skipped": 0}
QUIET = {"items": 3, "created": 0, "updated": 0, "unchanged": 3, "skipped": 0}


@pytest.fixture(autouse=True)
def nothing_scheduled(settings):
    """Only what a test schedules counts as scheduled."""
    settings.ARXIV_EVERY_HOURS = 0
    settings.HF_DAILY = False
    settings.INGEST_STALE_HOURS = 36


def make_run(
    source: str = "arxiv",
    status: str = IngestRun.Status.DONE,
    *,
    started: dt.datetime | None = None,
    counts: dict | None = None,
    error: str = "",
    took: dt.timedelta = dt.timedelta(seconds=42),
) -> IngestRun:
    run = IngestRun.objects.create(
        source=source, status=status, counts=FOUND if counts is None else counts, error=error
    )
    started = started or timezone.now() - dt.timedelta(hours=1)
    finished = started + took if status != IngestRun.Status.RUNNING else None
    # started_at is set on create (auto_now_add): move it to the time the test needs.
    IngestRun.objects.filter(pk=run.pk).update(started_at=started, finished_at=finished)
    run.refresh_from_db()
    return run


def status(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("ingest", "status", *args, stdout=out)
    except Exception as exc:  # CommandError: the exit code rides on it
        return getattr(exc, "returncode", -1), out.getvalue()
    return 0, out.getvalue()


def test_check_passes_when_the_latest_runs_found_papers():
    make_run("arxiv", started=MONDAY)
    make_run("hf", IngestRun.Status.PARTIAL, started=MONDAY)

    code, out = status("--check")

    assert code == 0
    assert "!" not in out


def test_check_passes_with_no_runs_and_nothing_scheduled():
    code, out = status("--check")

    assert code == 0
    assert "no ingest runs yet" in out


def test_failed_latest_run_is_flagged():
    make_run("arxiv", started=MONDAY - dt.timedelta(hours=4))
    make_run("arxiv", IngestRun.Status.FAILED, started=MONDAY, error="FetchError: HTTP 503\nmore")

    code, out = status("--check")

    assert code == 1
    assert "! latest run failed: FetchError: HTTP 503" in out


def test_a_failure_followed_by_a_success_is_not_flagged():
    make_run("arxiv", IngestRun.Status.FAILED, started=MONDAY - dt.timedelta(hours=4))
    make_run("arxiv", started=MONDAY)

    assert status("--check")[0] == 0


def test_weekday_run_that_found_nothing_new_is_flagged():
    run = make_run("hf", started=MONDAY, counts=QUIET)

    code, out = status("--check")

    assert code == 1
    assert f"! found nothing new on Mon 2026-11-23 (run {run.pk})" in out


def test_quiet_run_after_a_run_that_found_papers_the_same_day_is_not_flagged():
    # arXiv announces once a day and the schedule asks every few hours: one quiet run is normal.
    make_run("arxiv", started=MONDAY - dt.timedelta(hours=8))
    make_run("arxiv", started=MONDAY, counts=QUIET)

    assert status("--check")[0] == 0


def test_quiet_day_is_flagged_even_after_earlier_quiet_runs():
    make_run("arxiv", started=MONDAY - dt.timedelta(hours=30))
    make_run("arxiv", started=MONDAY - dt.timedelta(hours=4), counts=QUIET)
    make_run("arxiv", started=MONDAY, counts=QUIET)

    assert status("--check")[0] == 1


def test_weekend_run_that_found_nothing_new_is_not_flagged():
    make_run("arxiv", started=SATURDAY, counts=QUIET)

    assert status("--check")[0] == 0


def test_scheduled_source_without_a_success_for_the_stale_time_is_flagged(settings):
    settings.ARXIV_EVERY_HOURS = 4
    make_run("arxiv", started=timezone.now() - dt.timedelta(hours=40))
    make_run("arxiv", IngestRun.Status.RUNNING, started=timezone.now() - dt.timedelta(hours=2))

    code, out = status("--check")

    assert code == 1
    assert "! no successful run since" in out and "(stale after 36 h)" in out


def test_scheduled_source_with_a_recent_success_is_not_stale(settings):
    settings.ARXIV_EVERY_HOURS = 4
    make_run("arxiv", started=timezone.now() - dt.timedelta(hours=30))

    assert status("--check")[0] == 0


def test_scheduled_source_that_never_ran_is_flagged(settings):
    settings.HF_DAILY = True

    code, out = status("--check")

    assert code == 1
    assert "hf: last success never" in out
    assert "! no successful run ever" in out


def test_one_off_source_is_not_flagged_for_age():
    # A snapshot backfill is not expected to run again.
    make_run("snapshot", started=timezone.now() - dt.timedelta(days=30))

    assert status("--check")[0] == 0


def test_status_without_check_lists_runs_and_exits_zero_even_when_flagged():
    make_run(
        "oai",
        IngestRun.Status.FAILED,
        started=dt.datetime(2026, 11, 20, 8, 30, tzinfo=dt.UTC),
        counts={"items": 7, "created": 5, "updated": 1, "unchanged": 0, "skipped": 1},
        took=dt.timedelta(seconds=12.5),
    )

    code, out = status()

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "oai: last success never, latest paper never"
    assert lines[1].split() == [
        *("run", "status", "started", "(UTC)", "took", "fetched"),
        *("new", "updated", "same", "skip"),
    ]
    assert lines[2].split()[1:] == [
        "failed",
        "2026-11-20",
        "08:30",
        "12.5s",
        "7",
        "5",
        "1",
        "0",
        "1",
    ]


def test_status_shows_the_latest_paper_date_of_each_source():
    make_run("hf", started=MONDAY)
    make_paper("2611.00001", source="hf", published_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    make_paper("2611.00002", source="hf", published_at=dt.datetime(2026, 11, 22, tzinfo=dt.UTC))
    make_paper("2611.00003", source="hf", published_at=None)
    make_paper(
        "2611.00004", source="snapshot", published_at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    )

    out = status()[1]

    assert "hf: last success 2026-11-23 09:00, latest paper 2026-11-22" in out


def test_check_logs_each_flag_as_a_warning(caplog):
    make_run("arxiv", IngestRun.Status.FAILED, started=MONDAY, error="FetchError: HTTP 503")

    with caplog.at_level(logging.WARNING, logger="dailypapers.ingest"):
        status("--check")

    assert "ingest source arxiv: latest run failed: FetchError: HTTP 503" in caplog.messages


def test_check_exit_code_reaches_the_shell(monkeypatch):
    make_run("arxiv", IngestRun.Status.FAILED, started=MONDAY, error="boom")
    # The CLI closes connections on exit, which would end the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["dailypapers", "ingest", "status", "--check"]).execute()

    assert exit_.value.code == 1


# The staff page -------------------------------------------------------------------------


def test_status_page_sends_anonymous_visitors_to_the_admin_login(client):
    response = client.get("/status/ingest")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/status/ingest"


def test_status_page_refuses_members_who_are_not_staff(client):
    member = get_user_model().objects.create_user("reader", password="pw-long-enough-1")
    client.force_login(member)

    response = client.get("/status/ingest")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_status_page_shows_staff_each_source_with_its_flags(admin_client):
    make_run("arxiv", IngestRun.Status.FAILED, started=MONDAY, error="FetchError: HTTP 503")
    make_run("hf", started=MONDAY)
    make_paper("2611.00002", source="hf", published_at=dt.datetime(2026, 11, 22, tzinfo=dt.UTC))

    response = admin_client.get("/status/ingest")

    assert response.status_code == 200
    page = response.content.decode()
    assert "1 source flagged:" in page
    assert "<strong>Flagged:</strong> latest run failed: FetchError: HTTP 503" in page
    assert "latest paper: 2026-11-22" in page
    assert 'id="source-hf"' in page


def test_status_page_says_when_every_source_is_healthy(admin_client):
    make_run("hf", started=MONDAY)

    page = admin_client.get("/status/ingest").content.decode()

    assert "Every source is healthy." in page and "Flagged" not in page
