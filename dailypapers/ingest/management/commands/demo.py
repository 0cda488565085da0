"""`dailypapers demo [--if-empty]`: load the bundled demo corpus (real Daily Papers, 2024-2026)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dailypapers.demo.load import CORPUS, demo_unfinished, load_demo
from dailypapers.ingest import reporting
from dailypapers.papers.models import Paper


class Command(BaseCommand):
    help = "Load the bundled demo corpus of real papers. Safe to repeat: nothing is duplicated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has papers, unless an earlier demo "
            "load did not finish (used by `make run`)",
        )
        parser.add_argument("--corpus", type=Path, default=CORPUS, help="another corpus file")

    def handle(self, *args: Any, if_empty: bool, corpus: Path, **options: Any) -> None:
        if if_empty and Paper.objects.exists() and not demo_unfinished():
            self.stdout.write("demo: skipped, the database already has papers (--if-empty)")
            return
        if not corpus.is_file():
            raise CommandError(f"no demo corpus at {corpus}", returncode=2)
        stream = options.get("stderr") or sys.stderr
        started = time.monotonic()
        with reporting.ingest_console(stream, unit="paper") as progress:
            run = load_demo(corpus, progress=progress)
        reporting.finish(self, 1, run, started)
