"""`dailypapers ingest SOURCE ...`: import papers. One subcommand per source.

Exit codes: 0 all items imported, 1 some items skipped (each reported on stderr),
2 unreadable paths, no files to read, or bad usage.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dailypapers.ingest import reporting
from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.pipeline import run_ingest
from dailypapers.ingest.sources import hf_daily


class Command(BaseCommand):
    help = "Import papers from a source into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        hf = sources.add_parser(
            "hf",
            help="saved Hugging Face /api/daily_papers responses",
            description="Import saved /api/daily_papers responses: YYYY-MM-DD.json day files, "
            "folders of them, or .jsonl / .jsonl.xz files with one item per line.",
        )
        hf.add_argument("paths", nargs="+", metavar="PATH")
        hf.add_argument("--batch-size", type=_positive, default=500, help="papers per transaction")
        hf.add_argument(
            "--resume",
            action="store_true",
            help="start after the last file done by the latest unfinished hf run",
        )

    def handle(self, *args: Any, source: str, **options: Any) -> None:
        getattr(self, f"handle_{source}")(**options)

    def handle_hf(self, *, paths: list[str], batch_size: int, resume: bool, **options: Any) -> None:
        try:
            files = hf_daily.expand_paths(paths)
        except OSError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if not files:
            # Most likely a wrong folder: "files 0" and exit 0 would pass for a quiet day.
            suffixes = ", ".join(hf_daily.SUFFIXES)
            raise CommandError(
                f"no files to import ({suffixes}) in: {' '.join(paths)}", returncode=2
            )
        after = _resume_cursor("hf") if resume else ""
        if after:
            self.stdout.write(f"resuming after {after}")
        stream = options.get("stderr") or sys.stderr
        started = time.monotonic()
        with reporting.ingest_console(
            stream,
            total=len(files),
            unit="file",
            advance=lambda position: 1 if position.cursor else 0,
        ) as progress:
            run = run_ingest(
                "hf",
                hf_daily.read_paths(files, after=after),
                batch_size=batch_size,
                progress=progress,
                arguments=" ".join(paths),
            )
        reporting.finish(self, len(files), run, started)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _resume_cursor(source: str) -> str:
    """The cursor of the source's latest run, if that run did not finish."""
    run = IngestRun.objects.filter(source=source).order_by("-started_at", "-pk").first()
    unfinished = {IngestRun.Status.FAILED, IngestRun.Status.RUNNING}
    return run.cursor if run and run.status in unfinished else ""
