"""Jobs run in threads released together, on a database they share with the test.

For race tests: `threads_database` (use it as a fixture) moves SQLite's in-memory test database,
where a second writer fails at once ("database table is locked") instead of waiting on
busy_timeout as it does on the file every deployment uses, to a file copy; the test's own
connection stays open on the in-memory database (closing it would drop that database), so
everything the test reads or writes goes through `in_thread`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from django.db import connection, connections


@pytest.fixture
def threads_database(tmp_path) -> Iterator[None]:
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "threads.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    database = connections.settings["default"]
    name, database["NAME"] = database["NAME"], str(path)
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
    """The job's result, computed on a thread's own connection (the threads' database)."""
    results, errors = at_once([job])
    assert errors == []
    return results[0]
