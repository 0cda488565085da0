"""`dailypapers ingest hf PATH…`: saved Hugging Face `/api/daily_papers` responses."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dailypapers.ingest import reporting
from dailypapers.ingest.cli.common import add_batch_size, resume_cursor
from dailypapers.ingest.pipeline import run_ingest
from dailypapers.ingest.sources import hf_daily


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "hf",
        help="Hugging Face /api/daily_papers responses",
        description="Import saved /api/daily_papers responses: YYYY-MM-DD.json day files, "
        "folders of them, or .jsonl / .jsonl.xz files with one item per line.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH")
    add_batch_size(parser)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="start after the last file done by the latest unfinished hf run",
    )
    return parser


def run(
    command: BaseCommand, *, paths: list[str], batch_size: int, resume: bool, **options: Any
) -> None:
    try:
        files = hf_daily.expand_paths(paths)
    except OSError as exc:
        raise CommandError(str(exc), returncode=2) from None
    if not files:
        # Most likely a wrong folder: "files 0" and exit 0 would pass for a quiet day.
        suffixes = ", ".join(hf_daily.SUFFIXES)
        raise CommandError(f"no files to import ({suffixes}) in: {' '.join(paths)}", returncode=2)
    after = resume_cursor("hf") if resume else ""
    if after:
        command.stdout.write(f"resuming after {after}")
    stream = options.get("stderr") or sys.stderr
    started = time.monotonic()
    with reporting.ingest_console(
        stream,
        total=len(files),
        unit="file",
        advance=lambda position: 1 if position.cursor else 0,
    ) as progress:
        ingest_run = run_ingest(
            "hf",
            hf_daily.read_paths(files, after=after),
            batch_size=batch_size,
            progress=progress,
            arguments=" ".join(paths),
        )
    reporting.finish(command, len(files), ingest_run, started)
