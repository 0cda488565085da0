"""System checks: bad configuration is reported at startup, with a hint, not at first use."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from dailypapers import env


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


@register(Tags.security)
def check_public_origin(app_configs=None, **kwargs) -> list[CheckMessage]:
    problem = env.base_url_problem(settings.BASE_URL)
    if problem:
        return [
            Error(
                f"DAILYPAPERS_BASE_URL={settings.BASE_URL!r} is not a public origin: {problem}.",
                hint="Use the scheme and host readers type, e.g. https://papers.example.org",
                id="dailypapers.E010",
            )
        ]
    if settings.BASE_URL.startswith("https://") and not settings.SECURE_PROXY_SSL_HEADER:
        return [
            Warning(
                "DAILYPAPERS_BASE_URL is https, but Django cannot tell https requests from "
                "http ones: the redirect to https is off.",
                hint="Behind a TLS reverse proxy that sets X-Forwarded-Proto (and strips it "
                "from clients), set DAILYPAPERS_TRUST_PROXY_HEADERS=true.",
                id="dailypapers.W010",
            )
        ]
    return []
