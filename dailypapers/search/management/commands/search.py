"""`dailypapers search "query"`: search from the shell, as the site does."""

from __future__ import annotations

import json

from django.core.management import BaseCommand, CommandError

from dailypapers.search.filters import MODES
from dailypapers.search.service import search


class Command(BaseCommand):
    help = "Search every paper: hybrid (words and meaning, fused), keyword or semantic."

    def add_arguments(self, parser) -> None:
        parser.add_argument("query", help='what to look for; "phrases", -word, author:, org:')
        parser.add_argument("--mode", choices=MODES, default="hybrid")
        parser.add_argument("--limit", type=int, default=10, help="results (1 to 100)")
        parser.add_argument(
            "--json", action="store_true", help='print [{"id", "title", "score"}], best first'
        )

    def handle(self, *args, query: str, mode: str, limit: int, **options) -> None:
        if not 1 <= limit <= 100:
            raise CommandError("--limit must be between 1 and 100")
        page = search(query, mode=mode, limit=limit)
        rows = [
            {
                "id": r.paper.arxiv_id,
                "title": r.paper.title,
                "score": _score(rank, len(page.results)),
            }
            for rank, r in enumerate(page.results)
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if page.message:
            self.stderr.write(page.message)
        for row in rows:
            self.stdout.write(f"{row['id']:<18} {row['title']}")
        for paper in page.suggestions:
            self.stdout.write(f"{paper.arxiv_id:<18} {paper.title}  (close in meaning)")


def _score(rank: int, count: int) -> float:
    """A score that falls with the rank, 1.0 for the best: fused ranks have no absolute
    scale, so the CLI reports the order, not a number from one of the lists."""
    return round(1.0 - rank / max(count, 1), 4)
