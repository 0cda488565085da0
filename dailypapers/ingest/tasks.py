"""Ingestion jobs (huey tasks): the schedule's arXiv and Hugging Face imports, and any
`dailypapers ingest ...` command queued by name.

Each runs the same code as the command line, through `call_command`, so a scheduled import
and a hand-run one are the same run with the same `IngestRun`. A lock per source keeps two
imports of one source from running at once (a slow arXiv run still going when the next is
due); a run is safe to repeat because every write is an upsert by arXiv id.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.management import CommandError, call_command
from huey.contrib.djhuey import HUEY, db_task

from dailypapers import jobs
from dailypapers.ingest import health
from dailypapers.ingest.management.commands.ingest import SUBCOMMANDS

log = logging.getLogger("dailypapers.jobs")
# One lock per source, made at import: huey only clears the locks it knows of when a worker
# starts (see `dailypapers worker`), and one left by a killed worker would block its source.
LOCKS = {source: HUEY.lock_task(f"ingest-{source}") for source in SUBCOMMANDS}
# `dailypapers ingest` exits 1 when it skipped some items: the run finished (status partial,
# each skip on the run) and is not a failed job.
SKIPPED_ITEMS = 1


@db_task()
def ingest(source: str, *arguments: str) -> None:
    """`dailypapers ingest SOURCE ARGUMENTS...`, one at a time per source."""
    with LOCKS.get(source) or HUEY.lock_task(f"ingest-{source}"):
        try:
            call_command("ingest", source, *arguments)
        except CommandError as exc:
            if exc.returncode != SKIPPED_ITEMS:
                raise
            log.warning("ingest %s: %s", source, exc)
        finally:
            health.log_flags(source)


@jobs.periodic(jobs.ARXIV)
def fetch_new_arxiv_papers() -> None:
    """The newest papers of the configured categories (two days, so a late run misses none)."""
    ingest.call_local("arxiv", "--category", *settings.ARXIV_CATEGORIES, "--days", "2")


@jobs.periodic(jobs.HF)
def fetch_hf_daily_papers() -> None:
    """Today's Hugging Face daily papers (UTC day, like `HF_DAILY_HOUR`)."""
    ingest.call_local("hf", "--date", dt.datetime.now(dt.UTC).date().isoformat())
