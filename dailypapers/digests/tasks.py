"""The digest jobs (huey periodic tasks; `dailypapers worker` runs them).

Due at DIGEST_DAILY_HOUR:00 in the feed's time zone, not on a UTC grid: the `jobs.Every`
timings count minutes since the epoch, which drifts by an hour across daylight saving. So the
tasks check the local time themselves rather than joining `jobs.schedule()`.
A double run (two schedulers) is harmless: every delivery is claimed once (`send`), every
reminder too (`reminders`).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from huey.contrib.djhuey import db_periodic_task

from dailypapers.digests.reminders import send_reminders
from dailypapers.digests.send import send_digests
from dailypapers.papers.feed_days import feed_zone

log = logging.getLogger("dailypapers.jobs")
DAILY, WEEKLY, REMIND = "digests-daily", "digests-weekly", "digests-remind"
# Reminders go hourly, at this minute past (UTC): off the minutes where the digests and the
# other jobs fall (the hour, every 10 and 15 minutes), and an hour late at most after
# DIGEST_REMIND_AFTER_HOURS.
REMIND_MINUTE = 43


def _local(when: dt.datetime) -> dt.datetime:
    # huey passes naive UTC times (its `utc=True`).
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(feed_zone())


def _on_the_hour(local: dt.datetime) -> bool:
    return local.minute == 0 and local.hour == settings.DIGEST_DAILY_HOUR % 24


def daily_due(when: dt.datetime) -> bool:
    local = _local(when)
    weekday_ok = settings.DIGEST_WEEKENDS or local.weekday() < 5
    return _on_the_hour(local) and weekday_ok


def weekly_due(when: dt.datetime) -> bool:
    local = _local(when)
    return _on_the_hour(local) and local.weekday() == settings.DIGEST_WEEKLY_DAY % 7


def _yesterday() -> dt.date:
    # The morning digest covers the finished day (daily: the latest feed day up to
    # yesterday; weekly: the week holding yesterday, i.e. last week when sent on Monday).
    return _local(dt.datetime.now(dt.UTC)).date() - dt.timedelta(days=1)


@db_periodic_task(daily_due, name=DAILY)
def send_daily_digests() -> None:
    log.info("digests: %s", send_digests("daily", _yesterday()).summary())


@db_periodic_task(weekly_due, name=WEEKLY)
def send_weekly_digests() -> None:
    log.info("digests: %s", send_digests("weekly", _yesterday()).summary())


def remind_due(when: dt.datetime) -> bool:
    return when.minute == REMIND_MINUTE


@db_periodic_task(remind_due, name=REMIND)
def send_digest_reminders() -> None:
    report = send_reminders()
    if report.sent or report.failed or report.stopped:
        log.info("digests: %s", report.summary())
