"""`dailypapers ingest hf PATH…` (saved Hugging Face `/api/daily_papers` responses) and
`dailypapers ingest hf --date DAY | --since DAY [--until DAY]` (the live API, a day at a time)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dailypapers.ingest import reporting
from dailypapers.ingest.cli.arxiv import CountingClient, ingest
from dailypapers.ingest.cli.common import add_batch_size, resume_cursor
from dailypapers.ingest.pipeline import run_ingest
from dailypapers.ingest.sources import hf_daily, hf_live


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "hf",
        help="Hugging Face /api/daily_papers responses",
        description="Import saved /api/daily_papers responses (YYYY-MM-DD.json day files, "
        "folders of them, or .jsonl / .jsonl.xz files with one item per line), or fetch days "
        "live from HF_ENDPOINT with --date or --since.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--date", type=day, help="fetch this day (YYYY-MM-DD) live")
    parser.add_argument("--since", type=day, help="fetch every day from this one live")
    parser.add_argument("--until", type=day, help="with --since: the last day (default today)")
    parser.add_argument(
        "--delay",
        type=float,
        default=hf_live.DELAY_SECONDS,
        help=f"seconds between two live requests (default {hf_live.DELAY_SECONDS:g})",
    )
    add_batch_size(parser)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="start after the last file (or day) done by the latest unfinished hf run",
    )
    return parser


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def run(
    command: BaseCommand, *, paths: list[str], batch_size: int, resume: bool, **options: Any
) -> None:
    if options.get("date") or options.get("since") or options.get("until"):
        return run_live(command, paths, batch_size=batch_size, resume=resume, options=options)
    if not paths:
        raise CommandError("give PATH… (saved files) or --date/--since (live)", returncode=2)
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


def run_live(
    command: BaseCommand, paths: list[str], *, batch_size: int, resume: bool, options: dict
) -> None:
    """`--date DAY` or `--since DAY [--until DAY]`: one live request per day."""
    days, arguments = _live_days(paths, options)
    after = resume_cursor(hf_live.SOURCE, arguments) if resume else ""
    if after:
        command.stdout.write(f"resuming after {after}")
        days = [day for day in days if day.isoformat() > after]
    client = CountingClient(min_interval=options["delay"])
    started = time.monotonic()
    items = hf_live.read_days(days, client=client)
    run = ingest(command, hf_live.SOURCE, items, arguments, batch_size=batch_size, options=options)
    reporting.finish(command, client.calls, run, started)


def _live_days(paths: list[str], options: dict) -> tuple[list[dt.date], str]:
    """The days to fetch and the run's arguments line (what --resume matches on)."""
    date, since, until = options.get("date"), options.get("since"), options.get("until")
    if paths:
        raise CommandError("give PATH… or --date/--since, not both", returncode=2)
    if date and (since or until):
        raise CommandError("give --date or --since [--until], not both", returncode=2)
    if date:
        return [date], f"--date {date}"
    if not since:
        raise CommandError("--until needs --since", returncode=2)
    last = until or dt.datetime.now(dt.UTC).date()
    if last < since:
        raise CommandError(f"--until {last} is before --since {since}", returncode=2)
    # As typed: a run "--since D" resumed tomorrow still matches, and goes on to that day.
    arguments = f"--since {since}" + (f" --until {until}" if until else "")
    return hf_live.days_between(since, last), arguments
