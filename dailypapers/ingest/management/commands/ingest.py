"""`dailypapers ingest SOURCE ...`: import papers. One subcommand per source, each a module
of `dailypapers.ingest.cli`.

Exit codes: 0 all items imported, 1 some items skipped (each reported on stderr),
2 unreadable paths, no files to read, a request the source refused, or bad usage,
3 the source failed or could not be reached (resumable with --resume).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

SUBCOMMANDS = ("hf", "snapshot", "arxiv", "oai", "status")


def _module(name: str) -> Any:
    return import_module(f"dailypapers.ingest.cli.{name}")


class Command(BaseCommand):
    help = "Import papers from a source into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        for name in SUBCOMMANDS:
            _module(name).add_parser(sources)

    def handle(self, *args: Any, source: str, **options: Any) -> None:
        _module(source).run(self, **options)
