"""`dailypapers ingest arxiv`: arXiv's export API by id list, search query or categories."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dailypapers.ingest import reporting
from dailypapers.ingest.cli.common import add_batch_size, positive, resume_cursor
from dailypapers.ingest.http import FetchError, PoliteClient
from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.pipeline import run_ingest
from dailypapers.ingest.positions import Item
from dailypapers.ingest.sources import arxiv_api
from dailypapers.papers.arxiv_ids import parse_arxiv_id

# Exit code when the source could not be reached (after the client's retries).
UNREACHABLE = 3


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "arxiv",
        help="arXiv's export API: ids, a search query, or the newest papers of categories",
        description="Fetch papers from arXiv's export API (DAILYPAPERS_ARXIV_API_URL), waiting "
        "DAILYPAPERS_ARXIV_DELAY_SECONDS between calls. Exit 2 when arXiv refuses the query, "
        "3 when it cannot be reached.",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--ids", nargs="+", metavar="ID", help="arXiv ids, with or without version")
    what.add_argument("--query", metavar="QUERY", help="an arXiv search query")
    what.add_argument(
        "--category",
        nargs="*",
        metavar="CAT",
        help="the newest papers of these categories (default DAILYPAPERS_ARXIV_CATEGORIES)",
    )
    parser.add_argument(
        "--days", type=positive, default=2, help="with --category: submitted in the last N days"
    )
    parser.add_argument("--limit", type=positive, help="stop after this many papers")
    parser.add_argument(
        "--page-size", type=positive, default=arxiv_api.PAGE_SIZE, help="entries per API call"
    )
    add_batch_size(parser)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the latest unfinished run with the same arguments after its last page",
    )
    return parser


def run(command: BaseCommand, *, resume: bool, batch_size: int, **options: Any) -> None:
    if options["page_size"] > arxiv_api.MAX_PAGE_SIZE:
        limit = arxiv_api.MAX_PAGE_SIZE
        raise CommandError(f"--page-size: arXiv returns at most {limit} per call", returncode=2)
    arguments = describe(options)
    if options["ids"]:
        _check_ids(options["ids"])
    cursor = resume_cursor(arxiv_api.SOURCE, arguments) if resume else ""
    if cursor:
        command.stdout.write(f"resuming at {cursor}")
    client = CountingClient(min_interval=settings.ARXIV_DELAY_SECONDS)
    started = time.monotonic()
    ingest_run = ingest(
        command,
        arxiv_api.SOURCE,
        items(options, client, cursor),
        arguments,
        batch_size=batch_size,
        options=options,
    )
    reporting.finish(command, client.calls, ingest_run, started)


def ingest(
    command: BaseCommand,
    source: str,
    items: Iterator[Item],
    arguments: str,
    *,
    batch_size: int,
    options: dict[str, Any],
) -> IngestRun:
    """`run_ingest` behind a progress bar; a refused request exits 2, an unreachable source 3."""
    stream = options.get("stderr") or sys.stderr
    try:
        with reporting.ingest_console(stream, unit="paper") as progress:
            return run_ingest(
                source, items, batch_size=batch_size, progress=progress, arguments=arguments
            )
    except arxiv_api.ArxivQueryError as exc:
        raise CommandError(str(exc), returncode=2) from None
    except FetchError as exc:
        raise CommandError(str(exc), returncode=UNREACHABLE) from None


def items(options: dict[str, Any], client: PoliteClient, cursor: str) -> Iterator[Item]:
    start = int(cursor) if cursor.isdigit() else 0
    if options["ids"]:
        return arxiv_api.read_ids(options["ids"], client=client, after=start)
    common = {"client": client, "start": start, "page_size": options["page_size"]}
    if options["query"] is not None:
        return arxiv_api.read_query(options["query"], limit=options["limit"], **common)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=options["days"])
    query = arxiv_api.category_query(_categories(options))
    return arxiv_api.read_query(query, since=since, limit=options["limit"], **common)


def describe(options: dict[str, Any]) -> str:
    """The run's arguments as a line: what `--resume` matches on, what the status page shows."""
    if options["ids"]:
        return "--ids " + " ".join(options["ids"])
    if options["query"] is not None:
        what = f"--query {options['query']}"
    else:
        what = f"--category {' '.join(_categories(options))} --days {options['days']}"
    extra = f" --limit {options['limit']}" if options.get("limit") else ""
    return f"{what}{extra} --page-size {options['page_size']}"


def _categories(options: dict[str, Any]) -> list[str]:
    return options["category"] or list(settings.ARXIV_CATEGORIES)


def _check_ids(ids: list[str]) -> None:
    for raw in ids:
        try:
            parse_arxiv_id(raw)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None


class CountingClient(PoliteClient):
    """A PoliteClient that counts the responses it returned (the summary's first number)."""

    calls = 0

    def get(self, url: str, params: Any = None) -> Any:
        response = super().get(url, params=params)
        self.calls += 1
        return response
