"""`dailypapers ingest snapshot FILE`: arXiv's bulk metadata snapshot (JSON lines, or `.gz`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dailypapers.ingest import reporting
from dailypapers.ingest.cli.common import add_batch_size, resume_cursor
from dailypapers.ingest.pipeline import run_ingest
from dailypapers.ingest.positions import Position
from dailypapers.ingest.sources import snapshot
from dailypapers.papers.models import Paper
from dailypapers.papers.signals import bulk_load

# Bigger batches than the default: a batch costs a fixed number of queries, and the snapshot
# is millions of lines (measured: see bench/snapshot_import.py).
DEFAULT_BATCH = 2000
# A snapshot line is about 1.4 KB. A file of at least this many papers, and at least a quarter
# of the papers already stored, is a bulk load: indexes that are cheaper to rebuild once than
# to keep row by row pause until it ends (`papers.signals.bulk_load`).
BULK_LOAD_PAPERS = 20_000
BYTES_PER_PAPER = 1400


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "snapshot",
        help="arXiv's bulk metadata snapshot (arxiv-metadata-oai-snapshot.json[.gz])",
        description="Import the Kaggle arxiv-metadata-oai-snapshot.json (JSON lines, or "
        "gzipped), streamed in constant memory; --resume continues an interrupted import of "
        "the same file from its last committed byte offset.",
    )
    parser.add_argument("file", metavar="FILE")
    add_batch_size(parser)
    parser.set_defaults(batch_size=DEFAULT_BATCH)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue after the last batch committed by an unfinished import of FILE",
    )
    return parser


def run(command: BaseCommand, *, file: str, batch_size: int, resume: bool, **options: Any) -> None:
    path = Path(file).resolve()
    try:
        size = path.stat().st_size
        path.open("rb").close()
    except OSError as exc:
        raise CommandError(f"cannot read {file}: {exc.strerror or exc}", returncode=2) from None
    after = resume_cursor(snapshot.SOURCE, str(path)) if resume else ""
    if after:
        command.stdout.write(f"resuming {file} at byte {after.partition(':')[0]}")
    reader = snapshot.SnapshotReader(path, after=after)
    stream = options.get("stderr") or sys.stderr
    started = time.monotonic()
    with reporting.ingest_console(
        stream, total=size, unit="B", advance=_advance(reader), unit_scale=True
    ) as progress:
        # On one core a second process only adds the cost of passing records along.
        items = snapshot.read_in_background(reader) if (os.cpu_count() or 1) > 1 else reader
        with bulk_load() if _is_bulk(size) else contextlib.nullcontext():
            ingest_run = run_ingest(
                snapshot.SOURCE,
                items,
                batch_size=batch_size,
                progress=progress,
                arguments=str(path),
            )
    reporting.finish(command, 1, ingest_run, started, rate=True)


def _is_bulk(size: int) -> bool:
    papers = size // BYTES_PER_PAPER
    return papers >= BULK_LOAD_PAPERS and papers * 4 >= Paper.objects.count()


def _advance(reader: snapshot.SnapshotReader) -> Callable[[Position], int]:
    """Bytes read from disk since the last call: the bar moves through the file's size."""
    shown = reader.done_bytes

    def advance(position: Position) -> int:
        nonlocal shown
        done = reader.done_bytes
        step, shown = done - shown, done
        return step

    return advance
