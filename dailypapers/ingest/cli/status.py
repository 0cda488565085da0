"""`dailypapers ingest status [--check]`: the latest runs of every source, and their flags.

With `--check` (for monitoring) the command exits 1 when any source is flagged: its latest
run failed, it found nothing new on a weekday, or a scheduled source had no successful run
for `INGEST_STALE_HOURS`. Each flag is also logged as a warning.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dailypapers.ingest import health
from dailypapers.ingest.cli.common import positive
from dailypapers.ingest.models import IngestRun

COLUMNS = ("run", "status", "started (UTC)", "took", "fetched", "new", "updated", "same", "skip")
FLAGGED = 1


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "status",
        help="the latest runs of every source, and what is wrong",
        description="Print the latest runs of every source with their counts and flags.",
    )
    parser.add_argument(
        "--runs", type=positive, default=health.RECENT_RUNS, help="runs shown per source"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when any source is flagged (monitoring)"
    )
    return parser


def run(command: BaseCommand, *, runs: int, check: bool, **options: Any) -> None:
    sources = health.report(limit=runs)
    if not sources:
        command.stdout.write("no ingest runs yet, and no source scheduled")
    for source in sources:
        command.stdout.write("\n".join(source_lines(source)) + "\n")
    flagged = [source for source in sources if source.flags]
    if check and flagged:
        for source in flagged:
            health.warn(source)
        names = ", ".join(source.source for source in flagged)
        raise CommandError(f"flagged: {names}", returncode=FLAGGED)


def source_lines(source: health.SourceHealth) -> list[str]:
    latest = _when(source.latest_paper, "%Y-%m-%d")
    success = _when(source.last_success, "%Y-%m-%d %H:%M")
    lines = [f"{source.source}: last success {success}, latest paper {latest}"]
    if source.runs:
        rows = [COLUMNS, *(_row(run) for run in source.runs)]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        lines += [_line(row, widths) for row in rows]
    lines += [f"  ! {flag}" for flag in source.flags]
    return lines


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def _row(run: IngestRun) -> tuple[str, ...]:
    counts = run.counts
    return (
        str(run.pk),
        run.status,
        f"{run.started_at:%Y-%m-%d %H:%M}",
        _took(run.duration),
        str(run.fetched),
        *(str(counts.get(key, 0)) for key in ("created", "updated", "unchanged", "skipped")),
    )


def _took(duration: dt.timedelta | None) -> str:
    if duration is None:
        return "-"
    seconds = duration.total_seconds()
    return f"{seconds:.1f}s" if seconds < 120 else f"{seconds / 60:.0f}m"


def _when(value: dt.datetime | None, pattern: str) -> str:
    return f"{value:{pattern}}" if value else "never"
