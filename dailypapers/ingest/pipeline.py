"""Ingestion's public API: every source's items go through here.

- `upsert_records(records) -> Counts`: one batch of PaperRecords, one transaction.
- `run_ingest(source_name, items, ...) -> IngestRun`: a whole import, batch by batch, with an
  `IngestRun` that keeps the cursor, the counts and every skipped item's position.
- `Position`, `Skip`, `Item`: what sources yield (see `positions`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.positions import Item, Position, Skip
from dailypapers.ingest.records import PaperRecord
from dailypapers.ingest.upsert import Counts, upsert_records

__all__ = ["Counts", "Item", "Position", "Skip", "run_ingest", "upsert_records"]

log = logging.getLogger("dailypapers.ingest")
# What a single bad value can raise on write (SQLite raises OverflowError for an int past 2**63
# itself). OperationalError (locked, disk full, connection lost) and our own bugs are not here:
# they fail the run, which can be resumed, rather than skipping every item of the batch.
_ITEM_ERRORS = (DataError, IntegrityError, OverflowError)
# The run row keeps this many skipped positions; the log has them all.
MAX_REPORTED_SKIPS = 200


def run_ingest(
    source_name: str,
    items: Iterable[Item],
    *,
    batch_size: int = 500,
    progress: Callable[[Position], None] | None = None,
    arguments: str = "",
    commit_at_every_cursor: bool = False,
) -> IngestRun:
    """Import `items` in batches; return the finished run (status done, partial or failed).

    Each batch commits together with the run's cursor and counts, so a crash loses at most the
    batch in hand and a resumed run can start after the last cursor. With
    `commit_at_every_cursor` a batch also ends at each cursor (an OAI-PMH page: its resumption
    token expires, so it is saved as soon as its page is in). An exception is recorded on the
    run (status failed) and re-raised.
    """
    run = IngestRun.objects.create(source=source_name, arguments=arguments)
    counts = Counts()
    skips: list[str] = []
    batch: list[tuple[Position, PaperRecord]] = []
    pending_cursor = ""

    def report(position: Position, reason: str) -> None:
        skips.append(f"{position}: {reason}")
        log.warning("%s: %s", position, reason)

    def flush() -> None:
        nonlocal counts, batch
        total = replace(counts)
        with transaction.atomic():
            total += _write(batch, report)
            # The cursor commits with the rows it vouches for.
            run.cursor = pending_cursor or run.cursor
            run.counts = total.as_dict()
            run.error = _skip_report(skips)
            run.save(update_fields=["cursor", "counts", "error"])
        counts, batch = total, []

    try:
        for position, item in items:
            if isinstance(item, Skip):
                counts.skipped += 1
                report(position, item.reason)
            else:
                for note in item.notes:  # Dropped fields: the item itself is kept.
                    report(position, note)
                batch.append((position, item))
            pending_cursor = position.cursor or pending_cursor
            if progress:
                progress(position)
            if len(batch) >= batch_size or (commit_at_every_cursor and position.cursor):
                flush()
        flush()
    except BaseException as exc:
        _finish(
            run,
            IngestRun.Status.FAILED,
            counts,
            f"{type(exc).__name__}: {exc}\n" + _skip_report(skips),
        )
        log.error("%s run %s failed after %s: %s", source_name, run.pk, counts.as_dict(), exc)
        raise
    status = IngestRun.Status.PARTIAL if counts.skipped else IngestRun.Status.DONE
    _finish(run, status, counts, _skip_report(skips))
    log.info("%s run %s %s: %s", source_name, run.pk, run.status, run.counts)
    if run.found_nothing_new:
        log.warning(
            "%s run %s found nothing new on a weekday: is the source still publishing?",
            source_name,
            run.pk,
        )
    return run


def _write(
    batch: list[tuple[Position, PaperRecord]], report: Callable[[Position, str], None]
) -> Counts:
    """Upsert the batch; if a value still fails the write, retry item by item so only that
    item is lost (skipped and reported), never the good ones beside it."""
    try:
        with transaction.atomic():
            return upsert_records(record for _, record in batch)
    except _ITEM_ERRORS:
        log.warning("a batch of %s failed to write; retrying item by item", len(batch))
    counts = Counts()
    for position, record in batch:
        try:
            with transaction.atomic():
                counts += upsert_records([record])
        except _ITEM_ERRORS as exc:
            counts.skipped += 1
            report(position, f"not stored: {type(exc).__name__}: {_first_line(exc)}")
    return counts


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0][:300]


def _finish(run: IngestRun, status: str, counts: Counts, error: str) -> None:
    run.status = status
    run.counts = counts.as_dict()
    run.error = error.strip()
    run.finished_at = timezone.now()
    try:
        run.save(update_fields=["status", "counts", "error", "finished_at"])
    except Exception:  # Never let bookkeeping hide the error that ended the run.
        log.exception("could not record the end of %s run %s", run.source, run.pk)


def _skip_report(skips: list[str]) -> str:
    lines = skips[:MAX_REPORTED_SKIPS]
    if len(skips) > MAX_REPORTED_SKIPS:
        lines.append(f"... and {len(skips) - MAX_REPORTED_SKIPS} more skipped items")
    return "\n".join(lines)
