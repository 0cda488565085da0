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


def resume_cursor(source: str) -> str:
    """The cursor of the source's latest run, if that run did not finish."""
    run = IngestRun.objects.filter(source=source).order_by("-started_at", "-pk").first()
    unfinished = {IngestRun.Status.FAILED, IngestRun.Status.RUNNING}
    return run.cursor if run and run.status in unfinished else ""
