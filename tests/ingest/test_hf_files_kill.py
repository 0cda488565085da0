"""`dailypapers ingest hf PATH…` killed with SIGKILL mid-import, then `--resume`: the database
of an uninterrupted import, no duplicates, nothing lost."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.ingest.subprocess_db import SubprocessDatabase, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

FILES, PER_FILE = 150, 20
PAPER_ROWS = """
    SELECT p.arxiv_id, p.title, p.imported_upvotes, s.feed_date,
           (SELECT COUNT(*) FROM papers_authorship a WHERE a.paper_id = p.id)
    FROM papers_paper p JOIN papers_submission s ON s.paper_id = p.id
    ORDER BY p.arxiv_id
"""


def write_days(folder: Path) -> int:
    """FILES day files of PER_FILE papers each, every paper with two authors."""
    folder.mkdir()
    start = dt.date(2026, 1, 1)
    for day_number in range(FILES):
        day = start + dt.timedelta(days=day_number)
        items = [
            {
                "paper": {
                    "id": f"2601.{day_number * PER_FILE + n:05d}",
                    "title": f"Paper {n} of {day}",
                    "summary": "We study things.",
                    "authors": [{"name": f"Author {n}"}, {"name": f"Author {day_number}"}],
                    "upvotes": n,
                },
                "publishedAt": f"{day}T08:00:00.000Z",
            }
            for n in range(PER_FILE)
        ]
        (folder / f"{day}.json").write_text(json.dumps(items))
    return FILES * PER_FILE


def test_kill_9_mid_import_then_resume_gives_the_database_of_an_uninterrupted_run(tmp_path):
    db = SubprocessDatabase(tmp_path)
    total = write_days(tmp_path / "days")
    args = ["ingest", "hf", str(tmp_path / "days"), "--batch-size", str(PER_FILE)]
    clean = db.run(*args)
    assert clean.returncode == 0, clean.stderr
    expected = db.query(PAPER_ROWS)
    db.empty()

    committed = "SELECT 1 FROM ingest_ingestrun WHERE cursor <> ''"
    db.kill_when(args, lambda: wait_for(lambda: bool(db.query(committed))))
    [(status, cursor)] = db.query("SELECT status, cursor FROM ingest_ingestrun")
    done = int(db.query("SELECT COUNT(*) FROM papers_paper")[0][0])
    assert status == "running" and 0 < done < total
    # The cursor commits with its rows: every file up to it is in whole, nothing past it.
    assert done == PER_FILE * (
        sorted(p.name for p in (tmp_path / "days").iterdir()).index(Path(cursor).name) + 1
    )

    resumed = db.run(*args, "--resume")

    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming after {cursor}" in resumed.stdout
    assert db.query(PAPER_ROWS) == expected
    assert db.query("SELECT COUNT(*), COUNT(DISTINCT arxiv_id) FROM papers_paper") == [
        (str(total), str(total))
    ]
