"""A database that threads and subprocesses share with the test, for concurrency tests.

PostgreSQL: the test database itself (committed rows: `transactional_db`). SQLite: the suite's
test database lives in memory with a shared cache, where a second writer fails at once
("database table is locked") instead of waiting on busy_timeout as it does on the file every
deployment uses; so the test, its threads and its subprocesses move to a file copy of it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.db import connection, connections


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> Iterator[str]:
    """Yield a DATABASE_URL for subprocesses; this thread and new ones use it too."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        yield f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    memory_settings, memory = connections.settings["default"], connections["default"]
    # A new settings dict: the in-memory connection keeps its own, untouched.
    connections.settings["default"] = {**memory_settings, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield f"sqlite:///{path}"
    finally:
        connections["default"].close()
        connections["default"] = memory
        connections.settings["default"] = memory_settings


def in_threads(*jobs: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    """Run each job in its own thread (its own connection); their results and errors."""
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            results.append(job())
        except BaseException as error:  # reported to the test, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def wait_for_lock_waiters(count: int, timeout: float = 30.0) -> None:
    """Return once `count` sessions wait on a row or index lock (PostgreSQL). SQLite has no
    such view: a second writer waits at BEGIN IMMEDIATE, so the order is serial anyway."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    sql = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            if cursor.fetchone()[0] >= count:
                return
        assert time.monotonic() < deadline, "no session ever waited on the lock"
        time.sleep(0.01)
