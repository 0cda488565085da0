"""`dailypapers trending refresh`: recompute and cache the trending list."""

from __future__ import annotations

from django.core.management import BaseCommand

from dailypapers.papers.ranking import refresh_trending


class Command(BaseCommand):
    help = "Trending list jobs."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["refresh"])

    def handle(self, *args, **options) -> None:
        result = refresh_trending()
        self.stdout.write(
            f"trending: {len(result.arxiv_ids)} papers, rule {result.rule}, "
            f"window {result.window_start:%Y-%m-%d %H:%M} to {result.anchor:%Y-%m-%d %H:%M} UTC"
        )
