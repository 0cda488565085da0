"""Hugging Face's live `/api/daily_papers?date=YYYY-MM-DD`, one request per day.

Each response is read by the parser of the saved day files (`hf_daily.read_response`), so a
live day and the same day saved give the same records (`as_of` is that day). The last item of
a day carries the day as the resume cursor; a day without papers (`[]`) yields nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from dailypapers.ingest.http import FetchError, PoliteClient
from dailypapers.ingest.positions import Item
from dailypapers.ingest.sources import hf_daily

SOURCE = hf_daily.SOURCE
# Hugging Face publishes no limit for this endpoint; one call a second is polite for a backfill.
DELAY_SECONDS = 1.0


def default_client() -> PoliteClient:
    return PoliteClient(min_interval=DELAY_SECONDS)


def days_between(since: dt.date, until: dt.date) -> list[dt.date]:
    """Every day from `since` to `until`, both included."""
    return [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]


def read_days(
    days: Iterable[dt.date], *, client: PoliteClient | None = None, endpoint: str | None = None
) -> Iterator[Item]:
    """The items of each day's response, day by day. FetchError when a day cannot be had
    (after the client's retries): a wrong endpoint would fail every day alike."""
    client = client or default_client()
    url = f"{(endpoint or _endpoint()).rstrip('/')}/api/daily_papers"
    for day in days:
        where = f"{url}?date={day.isoformat()}"
        response = client.get(url, params={"date": day.isoformat()})
        if response.status_code != 200:
            raise FetchError(f"{where}: HTTP {response.status_code}")
        # JSON is UTF-8 (RFC 8259) whatever the headers say; bytes let json check that.
        yield from hf_daily.read_response(response.content, day, where)


def _endpoint() -> str:
    from django.conf import settings

    return settings.HF_ENDPOINT
