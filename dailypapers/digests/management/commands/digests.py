"""`dailypapers digests send --period daily|weekly [--date D] [--dry-run] [--email ADDR]`."""

from __future__ import annotations

import datetime as dt

from django.core.management import BaseCommand, CommandError

from dailypapers.digests.send import send_digests, send_one


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Email digests: send a period's digest to its subscribers (each at most once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["send"])
        parser.add_argument("--period", choices=["daily", "weekly"], required=True)
        parser.add_argument("--date", help="YYYY-MM-DD (default: today in the feed time zone)")
        parser.add_argument("--dry-run", action="store_true", help="count, send nothing")
        parser.add_argument("--email", help="send this one subscribed address its digest")

    def handle(self, *args, **options) -> None:
        on = _date(options["date"]) if options["date"] else None
        if options["email"]:
            try:
                report = send_one(options["period"], options["email"], on)
            except LookupError as error:
                raise CommandError(str(error)) from None
        else:
            report = send_digests(options["period"], on, dry_run=options["dry_run"])
        for error in report.errors:
            self.stderr.write(error)
        self.stdout.write(report.summary())
        if report.failed or report.stuck:
            raise SystemExit(1)
