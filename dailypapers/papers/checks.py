"""System checks: bad configuration is reported at startup, with a hint, not at first use."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_feed_settings(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    try:
        ZoneInfo(settings.FEED_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(
            Error(
                f"DAILYPAPERS_TIME_ZONE={settings.FEED_TIME_ZONE!r} is not a known time zone.",
                hint="Use an IANA name such as UTC, Europe/Paris or America/New_York.",
                id="dailypapers.E001",
            )
        )
    if settings.TRENDING_HALF_LIFE_HOURS <= 0:
        errors.append(
            Error(
                "DAILYPAPERS_TRENDING_HALF_LIFE_HOURS must be greater than 0.",
                hint="The default is 36 (a vote loses half its weight every 36 hours).",
                id="dailypapers.E002",
            )
        )
    if settings.TRENDING_WINDOW_DAYS < 1:
        errors.append(
            Error(
                "DAILYPAPERS_TRENDING_WINDOW_DAYS must be at least 1.",
                hint="The default is 7.",
                id="dailypapers.E003",
            )
        )
    return errors
