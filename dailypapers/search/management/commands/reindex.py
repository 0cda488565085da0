"""`dailypapers reindex [--embeddings] [--keyword]`: rebuild the search indexes."""

from __future__ import annotations

import time

from django.core.management import BaseCommand
from tqdm import tqdm

from dailypapers.search.indexing import count_stale_papers, reindex


class Command(BaseCommand):
    help = (
        "Rebuild the search indexes from the database: the keyword index and the vectors "
        "(only papers without an up-to-date vector are embedded, so an interrupted run "
        "continues where it stopped). With neither flag, both."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--embeddings", action="store_true", help="vectors only")
        parser.add_argument("--keyword", action="store_true", help="keyword index only")

    def handle(self, *args, embeddings: bool, keyword: bool, **options) -> None:
        both = not (embeddings or keyword)
        started = time.monotonic()
        total = count_stale_papers() if embeddings or both else 0
        bar = tqdm(
            total=total,
            unit="paper",
            file=self.stderr._out,
            disable=not self.stderr._out.isatty() or not total,
            leave=False,
        )
        with bar:
            done = reindex(
                embeddings=embeddings or both, keyword=keyword or both, progress=bar.update
            )
        self.stdout.write(
            f"reindex: embedded {done['embedded']} papers, keyword index "
            f"{'rebuilt' if keyword or both else 'left as is'}, "
            f"{time.monotonic() - started:.1f}s"
        )
