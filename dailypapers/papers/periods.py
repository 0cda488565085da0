"""Feed periods (a day, an ISO week, a month): parsing, bounds, labels and URLs."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.urls import reverse

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    kind: str  # "day" | "week" | "month"
    start: dt.date
    end: dt.date  # inclusive

    @property
    def key(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.strftime("%Y-%m")

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.strftime("%b %-d, %Y")
        if self.kind == "week":
            week = self.start.isocalendar()[1]
            return f"Week {week} · {_day_range(self.start, self.end)}"
        return self.start.strftime("%B %Y")

    @property
    def url(self) -> str:
        return reverse(f"papers:{self.kind}", args=[self.key])

    def containing(self, day: dt.date) -> Period:
        """The period of the same kind that holds `day`."""
        return period_containing(self.kind, day)


def period_containing(kind: str, day: dt.date) -> Period:
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period("week", start, start + dt.timedelta(days=6))
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", day.replace(day=1), day.replace(day=last))


def parse_period(kind: str, key: str) -> Period:
    """Parse a URL key (2025-01-31, 2025-W05, 2025-01); raise ValueError when malformed."""
    if kind == "day":
        return period_containing("day", dt.date.fromisoformat(_strict_day(key)))
    pattern = _WEEK if kind == "week" else _MONTH
    match = pattern.match(key)
    if not match:
        raise ValueError(f"malformed {kind}: {key!r}")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        if kind == "week":
            return period_containing("week", dt.date.fromisocalendar(year, number, 1))
        return period_containing("month", dt.date(year, number, 1))
    except OverflowError:  # the last week of year 9999 ends in year 10000
        raise ValueError(f"{kind} out of range: {key!r}") from None


def _strict_day(key: str) -> str:
    # fromisoformat also takes 20250131; URLs take only the dashed form.
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", key):
        raise ValueError(f"malformed date: {key!r}")
    return key


def _day_range(start: dt.date, end: dt.date) -> str:
    """Jun 22 – 28, 2026; Jun 29 – Jul 5, 2026; Dec 29, 2025 – Jan 4, 2026."""
    if start.year != end.year:
        return f"{start:%b %-d, %Y} – {end:%b %-d, %Y}"
    if start.month != end.month:
        return f"{start:%b %-d} – {end:%b %-d, %Y}"
    return f"{start:%b %-d} – {end:%-d, %Y}"
