"""`dailypapers ingest oai --from DATE`: harvest arXiv's OAI-PMH interface (`ARXIV_OAI_URL`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dailypapers.ingest import reporting
from dailypapers.ingest.cli.common import add_batch_size, resume_cursor
from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.pipeline import run_ingest
from dailypapers.ingest.sources import oai_pmh
from dailypapers.ingest.sources.oai_pmh import Harvest, HarvestError

# Exit code of a harvest the source ended (refused request, bad page, network): resumable.
SOURCE_FAILED = 3


def day(text: str) -> str:
    return dt.date.fromisoformat(text).isoformat()


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "oai",
        help="arXiv OAI-PMH: every paper changed in a date range",
        description="Harvest arXiv's OAI-PMH interface (ListRecords): every paper added or "
        "changed from a day on. Without --from, continue from the last successful harvest.",
    )
    parser.add_argument("--from", dest="from_day", type=day, metavar="YYYY-MM-DD")
    parser.add_argument("--until", type=day, metavar="YYYY-MM-DD")
    parser.add_argument("--set", dest="set_spec", default="", help="an OAI set: cs, math, ...")
    parser.add_argument(
        "--format", dest="metadata_format", choices=oai_pmh.FORMATS, default="arXiv"
    )
    add_batch_size(parser)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the latest unfinished oai run (its token, else its high-water date)",
    )
    return parser


def run(
    command: BaseCommand,
    *,
    from_day: str | None,
    until: str | None,
    set_spec: str,
    metadata_format: str,
    batch_size: int,
    resume: bool,
    **options: Any,
) -> None:
    plan = _resumed(command) if resume else None
    if plan is None:
        start = from_day or last_high_water(set_spec)
        if not start:
            message = "no --from given and no earlier successful oai run to continue from"
            raise CommandError(message, returncode=2)
        plan = Harvest(start=start, until=until or "", set=set_spec, format=metadata_format)
    pages = 0

    def count_pages(position: Any) -> int:
        nonlocal pages
        pages += bool(position.cursor)
        return 1

    started = time.monotonic()
    items = oai_pmh.harvest(
        plan, oai_pmh.client(settings.ARXIV_OAI_URL), delay=settings.ARXIV_DELAY_SECONDS
    )
    stream = options.get("stderr") or sys.stderr
    with reporting.ingest_console(stream, unit="record", advance=count_pages) as progress:
        try:
            ingest_run = run_ingest(
                "oai",
                items,
                batch_size=batch_size,
                progress=progress,
                arguments=plan.describe(),
                commit_at_every_cursor=True,  # the cursor is saved after every page
            )
        except HarvestError as exc:
            raise CommandError(f"{exc} (resume with --resume)", returncode=SOURCE_FAILED) from None
    command.stdout.write(_summary(pages, ingest_run.counts, time.monotonic() - started))
    if skipped := ingest_run.counts.get("skipped"):
        raise CommandError(reporting.skipped_message(skipped), returncode=1)


def _resumed(command: BaseCommand) -> Harvest | None:
    cursor = resume_cursor("oai")
    if not cursor:
        return None
    try:
        plan = Harvest.from_cursor(cursor)
    except ValueError as exc:
        raise CommandError(f"cannot resume: {exc}", returncode=2) from None
    command.stdout.write(f"resuming {plan.describe()}")
    return plan


def last_high_water(set_spec: str) -> str:
    """Where the last successful harvest of this set left off ("" if there was none)."""
    finished = (IngestRun.Status.DONE, IngestRun.Status.PARTIAL)
    runs = IngestRun.objects.filter(source="oai", status__in=finished).exclude(cursor="")
    for cursor in runs.order_by("-started_at", "-pk").values_list("cursor", flat=True)[:100]:
        try:
            plan = Harvest.from_cursor(cursor)
        except ValueError:
            continue
        if plan.set == set_spec:
            return plan.high_water or plan.start
    return ""


def _summary(pages: int, counts: dict[str, int], seconds: float) -> str:
    # The same line as the other sources, with pages where they count files.
    return "pages" + reporting.summary(pages, counts, seconds).removeprefix("files")
