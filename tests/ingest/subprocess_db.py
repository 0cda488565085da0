"""A database that a `dailypapers` subprocess and the test both see, for kill -9 tests.

SQLite: a migrated file in a data dir of its own, restored from a copy by `empty()`;
PostgreSQL: the test database itself (the test must use `transaction=True`, so the subprocess
sees committed rows and the test sees the subprocess's).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

BIN = Path(sys.executable).parent
_TABLES = ("papers_authorship", "papers_submission", "papers_paper", "papers_author")


class SubprocessDatabase:
    def __init__(self, tmp_path: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
        self.env["DAILYPAPERS_DATA_DIR"] = str(tmp_path / "data")
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            db = connection.settings_dict
            user, host, port = db["USER"], db["HOST"] or "127.0.0.1", db["PORT"] or 5432
            self.env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{db['NAME']}"
        else:
            self.env.pop("DATABASE_URL", None)
            self.file = tmp_path / "data" / "dailypapers.sqlite3"
            subprocess.run([BIN / "dailypapers", "migrate", "-v0"], env=self.env, check=True)
            self.migrated = tmp_path / "migrated.sqlite3"
            shutil.copy(self.file, self.migrated)

    def start(self, *args: str, own_group: bool = False, **env: str) -> subprocess.Popen:
        """`dailypapers ARGS…` in the background, quiet (in a process group of its own with
        `own_group`, so a test can check that its children went with it)."""
        return subprocess.Popen(
            [BIN / "dailypapers", *args],
            env={**self.env, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=own_group,
        )

    def kill_when(self, args: list[str], ready: Callable[[], object], **options: bool) -> int:
        """Run `dailypapers ARGS…`, SIGKILL it once `ready()` returns; its pid."""
        process = self.start(*args, **options)
        try:
            ready()
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        return process.pid

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """`dailypapers ARGS…` to the end, its output captured."""
        return subprocess.run(
            [BIN / "dailypapers", *args], env=self.env, capture_output=True, text=True, timeout=60
        )

    def query(self, sql: str) -> list[tuple]:
        """Rows with every value as text, so both databases answer alike."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                rows = cursor.fetchall()
        else:
            with sqlite3.connect(self.file) as db:
                rows = db.execute(sql).fetchall()
        return [tuple(None if v is None else str(v) for v in row) for row in rows]

    def empty(self) -> None:
        """Back to a freshly migrated database."""
        if self.postgres:
            with connection.cursor() as cursor:
                for table in (*_TABLES, "papers_organization", "ingest_ingestrun"):
                    cursor.execute(f"DELETE FROM {table}")
            return
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.file}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.migrated, self.file)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
