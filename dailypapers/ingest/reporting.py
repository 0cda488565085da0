"""What long ingest commands show: a progress bar on a terminal, skipped items, a summary line."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.positions import Position


class _TqdmHandler(logging.Handler):
    """Writes records above the progress bar instead of through it."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.WARNING)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        tqdm.write(self.format(record), file=self.stream)


@contextmanager
def ingest_console(
    stream: TextIO,
    *,
    total: int | None = None,
    unit: str = "item",
    advance: Callable[[Position], int] = lambda position: 1,
    unit_scale: bool = False,
) -> Iterator[Callable[[Position], None]]:
    """Yield a `progress` callback for `run_ingest`; show skips as `path:item N: reason`.

    The bar (on a terminal only) shows the rate and, with a `total`, the ETA; `unit_scale`
    shows large counts as 1.2M (for bytes: 1.2MB/s).

    While it is open, the ingest logger's warnings (one per skipped item) go to `stream` and
    stop there: the console handler would otherwise print each one a second time.
    """
    logger = logging.getLogger("dailypapers.ingest")
    handler = _TqdmHandler(stream)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    bar = tqdm(
        total=total,
        unit=unit,
        unit_scale=unit_scale,
        file=stream,
        disable=not _isatty(stream),
        leave=False,
    )
    try:
        yield lambda position: bar.update(advance(position))
    finally:
        bar.close()
        logger.removeHandler(handler)
        logger.propagate = propagate


def summary(files: int, counts: dict[str, int], seconds: float, *, rate: bool = False) -> str:
    """`files 1, items 9, created 9, ..., 0.4s` and, with `rate`, `, 2250 records/s`."""
    keys = ("items", "created", "updated", "unchanged", "skipped")
    parts = [f"files {files}", *(f"{k} {counts.get(k, 0)}" for k in keys), f"{seconds:.1f}s"]
    if rate:
        parts.append(f"{counts.get('items', 0) / max(seconds, 1e-6):.0f} records/s")
    return ", ".join(parts)


def skipped_message(skipped: int) -> str:
    return f"{skipped} item{'' if skipped == 1 else 's'} skipped"


def finish(
    command: BaseCommand, files: int, run: IngestRun, started: float, *, rate: bool = False
) -> None:
    """Print the run's summary line; exit 1 (CommandError) when items were skipped."""
    command.stdout.write(summary(files, run.counts, time.monotonic() - started, rate=rate))
    if run.counts.get("skipped"):
        raise CommandError(skipped_message(run.counts["skipped"]), returncode=1)


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
