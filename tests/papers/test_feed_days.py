"""The feed day of a moment is taken in DAILYPAPERS_TIME_ZONE."""

import datetime as dt

from dailypapers.papers.feed_days import feed_day


def test_feed_day_is_taken_in_the_feed_time_zone(settings):
    settings.FEED_TIME_ZONE = "America/Los_Angeles"

    assert feed_day(dt.datetime(2026, 1, 6, 3, tzinfo=dt.UTC)) == dt.date(2026, 1, 5)


def test_feed_day_at_the_end_of_the_calendar_does_not_overflow(settings):
    settings.FEED_TIME_ZONE = "Asia/Tokyo"

    assert feed_day(dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC)) == dt.date(9999, 12, 31)
