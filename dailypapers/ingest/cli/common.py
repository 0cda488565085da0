"""What every `dailypapers ingest` subcommand shares: argument types and resume cursors."""

from __future__ import annotations

import argparse

from dailypapers.ingest.models import IngestRun


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def add_batch_size(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch-size", type=positive, default=500, help="papers per transaction")


def resume_cursor(source: str, arguments: str | None = None) -> str:
    """Where the latest unfinished run of `source` stopped ("" when the latest run finished).

    With `arguments`, only runs of the same request count: a different request's cursor would
    skip papers this one never read. A resumed run killed before its first batch committed has
    no cursor of its own, so the unfinished run before it still says where to start.
    """
    runs = IngestRun.objects.filter(source=source)
    if arguments is not None:
        runs = runs.filter(arguments=arguments)
    unfinished = {IngestRun.Status.FAILED, IngestRun.Status.RUNNING}
    for run in runs.order_by("-started_at", "-pk").iterator():
        if run.status not in unfinished:
            return ""
        if run.cursor:
            return run.cursor
    return ""
