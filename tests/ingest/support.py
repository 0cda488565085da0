"""Shared helpers for ingestion tests: fixture paths and record builders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from dailypapers.ingest.records import OrganizationRecord, PaperRecord, SubmissionRecord
from dailypapers.ingest.sources import hf_daily

HF = Path(__file__).resolve().parents[1] / "fixtures" / "hf_daily"
DAYS = HF / "days"
REPEAT = HF / "repeat"
BROKEN = HF / "broken"


def records(*paths: Path) -> list[PaperRecord]:
    """The good records of the given files or folders, in order."""
    return [r for _, r in hf_daily.read_paths(paths) if isinstance(r, PaperRecord)]


def by_id(*paths: Path) -> dict[str, PaperRecord]:
    return {r.arxiv_id: r for r in records(*paths)}


def record(arxiv_id: str = "2501.00001", **fields: Any) -> PaperRecord:
    """A hand-made record with every kind of field filled."""
    fields.setdefault("title", "A Study of Things")
    fields.setdefault("abstract", "We study things.")
    fields.setdefault("authors", ["Ada Lovelace", "Alan Turing"])
    fields.setdefault("published_at", dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC))
    fields.setdefault("github_repo", "https://github.com/example/things")
    fields.setdefault("github_stars", 10)
    fields.setdefault("organization", OrganizationRecord("acme", "Acme Research", ""))
    fields.setdefault("imported_upvotes", 5)
    fields.setdefault("imported_comments", 1)
    fields.setdefault(
        "submission",
        SubmissionRecord(dt.date(2025, 1, 2), dt.datetime(2025, 1, 2, 8, tzinfo=dt.UTC), "ada"),
    )
    fields.setdefault("source", "hf")
    return PaperRecord(arxiv_id=arxiv_id, **fields)


class Waits:
    """Records a PoliteClient's waits instead of spending them, on a clock that moves with them
    (pass `sleep=waits.sleep, clock=waits.clock`)."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now
