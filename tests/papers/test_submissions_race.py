"""Members submitting at once (threads, each its own connection): the rules hold exactly."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.models import Submission
from dailypapers.papers.services import SubmissionRefused, submit_paper
from tests.factories import make_member, make_paper

pytestmark = pytest.mark.django_db(transaction=True)
MEMBERS = 8


@pytest.fixture(autouse=True)
def threads_database(tmp_path):
    """On SQLite the test database lives in memory with a shared cache, where a second writer
    fails at once ("database table is locked") instead of waiting on busy_timeout as it does
    on the file every deployment uses: the threads get a file copy of it."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "threads.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    database = connections.settings["default"]
    name, database["NAME"] = database["NAME"], str(path)
    # The test's own connection stays open on the in-memory database (closing it would drop
    # that database): everything the test reads or writes goes through `in_thread`.
    try:
        yield
    finally:
        database["NAME"] = name


def at_once(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run the jobs in threads released together; return their results and what they raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:  # Reported to the test, not swallowed.
            errors.append(exc)
        finally:
            connection.close()  # Each thread opened its own connection.

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def in_thread(job: Callable[[], object]) -> object:
    results, errors = at_once([job])
    assert errors == []
    return results[0]


def test_members_submitting_one_paper_at_once_make_exactly_one_submission():
    paper = in_thread(make_paper)
    members = [in_thread(lambda n=n: make_member(f"m{n}")) for n in range(MEMBERS)]

    results, errors = at_once([lambda m=m: submit_paper(m, paper) for m in members])

    assert len(results) == 1 and len(errors) == MEMBERS - 1
    assert all(isinstance(error, SubmissionRefused) for error in errors), errors
    assert all("already in the feed of" in error.message for error in errors)
    assert in_thread(lambda: Submission.objects.filter(paper=paper).count()) == 1


def test_one_member_submitting_many_papers_at_once_stays_within_the_cap(settings):
    settings.SUBMIT_DAILY_CAP = 3
    member = in_thread(make_member)
    papers = [in_thread(make_paper) for _ in range(MEMBERS)]

    results, errors = at_once([lambda p=p: submit_paper(member, p) for p in papers])

    assert len(results) == 3 and len(errors) == MEMBERS - 3
    assert all(isinstance(error, SubmissionRefused) for error in errors), errors
    today = feed_today()
    count = in_thread(lambda: Submission.objects.filter(submitter=member).count())
    assert count == 3 and all(s.feed_date == today for s in results)
