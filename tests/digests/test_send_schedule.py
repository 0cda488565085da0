"""When the digest jobs are due: DIGEST_DAILY_HOUR in the feed's time zone."""

import datetime as dt

from dailypapers.digests.tasks import daily_due, weekly_due

# 2026-11-16 is a Monday; huey passes naive UTC times.
MONDAY = dt.datetime(2026, 11, 16)


def hours_due(due, day: dt.datetime) -> list[int]:
    return [h for h in range(24) for m in (0, 30) if due(day.replace(hour=h, minute=m))]


def test_daily_at_the_hour_on_weekdays(settings):
    settings.FEED_TIME_ZONE, settings.DIGEST_DAILY_HOUR = "UTC", 7
    assert hours_due(daily_due, MONDAY) == [7]
    saturday = MONDAY + dt.timedelta(days=5)
    assert hours_due(daily_due, saturday) == []
    settings.DIGEST_WEEKENDS = True
    assert hours_due(daily_due, saturday) == [7]


def test_the_hour_is_in_the_feed_time_zone(settings):
    settings.FEED_TIME_ZONE, settings.DIGEST_DAILY_HOUR = "America/New_York", 7
    assert hours_due(daily_due, MONDAY) == [12]  # 07:00 EST
    summer = dt.datetime(2026, 7, 13)  # a Monday under daylight saving
    assert hours_due(daily_due, summer) == [11]


def test_weekly_on_its_day(settings):
    settings.FEED_TIME_ZONE, settings.DIGEST_DAILY_HOUR, settings.DIGEST_WEEKLY_DAY = "UTC", 7, 0
    week = [MONDAY + dt.timedelta(days=d) for d in range(7)]
    assert [hours_due(weekly_due, day) for day in week] == [[7]] + [[]] * 6
