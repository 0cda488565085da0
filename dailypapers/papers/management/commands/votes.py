"""`dailypapers votes reconcile [--fix]`: check `Paper.upvotes` against the vote rows."""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError
from tqdm import tqdm

from dailypapers.papers import vote_counts


class Command(BaseCommand):
    help = (
        "Vote jobs. `reconcile` recounts every paper's local upvotes from its vote rows and "
        "reports each difference; --fix sets the counters to the rows. Exits 1 when it found "
        "drift without --fix."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["reconcile"])
        parser.add_argument("--fix", action="store_true", help="repair the counters found wrong")

    def handle(self, *args, fix: bool, **options) -> None:
        drifted = vote_counts.drift()
        for item in drifted:
            self.stdout.write(f"{item.arxiv_id}: stored {item.stored}, counted {item.counted}")
        fixed = self._fix(drifted) if fix and drifted else 0
        checked = vote_counts.papers_with_votes()
        summary = f"votes reconcile: {checked:,} papers with votes, {len(drifted):,} drifted"
        if fix:
            self.stdout.write(f"{summary}, {fixed:,} fixed")
        elif drifted:
            raise CommandError(f"{summary} (run with --fix to repair)", returncode=1)
        else:
            self.stdout.write(summary)

    def _fix(self, drifted: list[vote_counts.Drift]) -> int:
        fixed = 0
        stream = self.stderr._out  # the raw stream: Django's wrapper adds a newline per write
        bar = tqdm(drifted, unit="paper", file=stream, disable=not stream.isatty(), leave=False)
        for item in bar:
            before, after = vote_counts.recount(item.paper_pk)
            fixed += before != after
        return fixed
