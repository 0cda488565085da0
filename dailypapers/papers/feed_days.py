"""Which feed day a moment belongs to: days start and end in `DAILYPAPERS_TIME_ZONE`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def feed_zone() -> ZoneInfo:
    return ZoneInfo(settings.FEED_TIME_ZONE)


def feed_day(moment: dt.datetime) -> dt.date:
    """The feed day of an aware moment (a submission's time), in the feed's time zone.

    Moments at the very ends of the calendar stay on their own UTC day: east of UTC, the last
    hours of 9999-12-31 would overflow into year 10000."""
    try:
        return moment.astimezone(feed_zone()).date()
    except OverflowError:
        return moment.astimezone(dt.UTC).date()


def feed_today() -> dt.date:
    return feed_day(timezone.now())
