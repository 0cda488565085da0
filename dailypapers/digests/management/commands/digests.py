"""`dailypapers digests ACTION`:

- `send --period daily|weekly [--date D] [--dry-run] [--email ADDR]`: a period's digest.
- `stuck [--period daily|weekly] [--date D]`: deliveries a dead run left claimed.
- `resend-stuck --period daily|weekly [--date D] [--email ADDR] [--yes]`: send those again.
- `remind`: the one reminder to addresses that have not confirmed.

Exit codes: 0 done; 1 something failed or is stuck (send), something is listed (stuck), or
could not be sent (resend-stuck, remind); 2 usage.
"""

from __future__ import annotations

import datetime as dt

from django.core.management import BaseCommand, CommandError

from dailypapers.digests.reminders import send_reminders
from dailypapers.digests.send import send_digests, send_one
from dailypapers.digests.stuck import resend_stuck, stuck_deliveries

PERIODS = ["daily", "weekly"]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Email digests: send a period's digest (each address once), stuck ones, reminders."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        send = actions.add_parser("send", help="send a period's digest to its subscribers")
        send.add_argument("--period", choices=PERIODS, required=True)
        send.add_argument("--date", help="YYYY-MM-DD (default: today in the feed time zone)")
        send.add_argument("--dry-run", action="store_true", help="count, send nothing")
        send.add_argument("--email", help="send this one subscribed address its digest")

        stuck = actions.add_parser(
            "stuck", help="list deliveries claimed by a run that died (older than 15 minutes)"
        )
        stuck.add_argument("--period", choices=PERIODS)
        stuck.add_argument("--date", help="YYYY-MM-DD: the period holding this day")

        resend = actions.add_parser(
            "resend-stuck",
            help="send stuck deliveries again (check the mail server's log first: the first "
            "copy may have gone out)",
        )
        resend.add_argument("--period", choices=PERIODS, required=True)
        resend.add_argument("--date", help="YYYY-MM-DD (default: every stuck period)")
        resend.add_argument("--email", help="only this address")
        resend.add_argument("--yes", action="store_true", help="do not ask before sending")

        actions.add_parser("remind", help="send due reminders to unconfirmed addresses")

    def handle(self, *args, **options) -> None:
        on = _date(options["date"]) if options.get("date") else None
        action = options["action"]
        if action == "send":
            self._send(on, options)
        elif action == "stuck":
            self._stuck(on, options)
        elif action == "resend-stuck":
            self._resend(on, options)
        else:
            report = send_reminders()
            self._finish(report.errors, report.summary(), report.failed or report.stopped)

    def _send(self, on: dt.date | None, options: dict) -> None:
        if options["email"]:
            try:
                report = send_one(options["period"], options["email"], on)
            except LookupError as error:
                raise CommandError(str(error)) from None
        else:
            report = send_digests(options["period"], on, dry_run=options["dry_run"])
        self._finish(report.errors, report.summary(), report.failed or report.stuck)

    def _stuck(self, on: dt.date | None, options: dict) -> None:
        deliveries = list(stuck_deliveries(options["period"], on))
        for line in _table(deliveries):
            self.stdout.write(line)
        self.stdout.write(f"stuck: {len(deliveries)}")
        if deliveries:
            raise SystemExit(1)  # for monitoring, like `ingest status --check`

    def _resend(self, on: dt.date | None, options: dict) -> None:
        deliveries = list(stuck_deliveries(options["period"], on, options["email"]))
        if not deliveries:
            self.stdout.write("resent 0: nothing stuck")
            return
        if not options["yes"]:
            for line in _table(deliveries):
                self.stdout.write(line)
            self.stdout.write(
                f"Send these {len(deliveries)} again? Each may have arrived already: check "
                "its Message-ID in the mail server's log first. [y/N] ",
                ending="",
            )
            if input().strip().lower() not in {"y", "yes"}:
                self.stdout.write("resent 0: not confirmed")
                return
        shown = [delivery.pk for delivery in deliveries]
        report = resend_stuck(options["period"], on, options["email"], only=shown)
        self._finish(report.errors, report.summary(), report.failed)

    def _finish(self, errors: list[str], summary: str, bad: object) -> None:
        for error in errors:
            self.stderr.write(error)
        self.stdout.write(summary)
        if bad:
            raise SystemExit(1)


def _table(deliveries) -> list[str]:
    """One tab-separated line per delivery: address, period, claimed_at, Message-ID."""
    return [
        "\t".join(
            [
                delivery.subscription.email,
                delivery.period_key,
                delivery.claimed_at.isoformat(timespec="seconds"),
                delivery.message_id or "-",
            ]
        )
        for delivery in deliveries
    ]
