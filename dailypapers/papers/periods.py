"""Feed periods (a day, an ISO week, a month): parsing, bounds, labels and URLs.

Dates run from year 1 to 9999 and a submission may carry any of them, so nothing here adds
days past `date.max`: the last week of year 9999 (which would end in year 10000) ends on
9999-12-31 instead. Years print with four digits everywhere (0999-01-05, not 999-01-05), so
keys round-trip through URLs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.urls import reverse

# Full matches on ASCII digits only: `$` would also match before a trailing newline, and `\d`
# takes Arabic-Indic and other digits that int() happily reads.
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


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
            return f"{year:04d}-W{week:02d}"
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == "day":
            return _day_label(self.start)
        if self.kind == "week":
            week = self.start.isocalendar()[1]
            return f"Week {week} · {_day_range(self.start, self.end)}"
        return f"{self.start:%B} {self.start.year:04d}"

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
        start = day - dt.timedelta(days=day.weekday())  # year 1 starts on a Monday: no underflow
        return Period("week", start, _days_after(start, 6))
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", day.replace(day=1), day.replace(day=last))


def parse_period(kind: str, key: str) -> Period:
    """Parse a URL key (2025-01-31, 2025-W05, 2025-01); raise ValueError when malformed."""
    if kind == "day":
        if not _DAY.fullmatch(key):
            raise ValueError(f"malformed date: {key!r}")
        return period_containing("day", dt.date.fromisoformat(key))
    match = (_WEEK if kind == "week" else _MONTH).fullmatch(key)
    if not match:
        raise ValueError(f"malformed {kind}: {key!r}")
    year, number = int(match.group(1)), int(match.group(2))
    if kind == "week":
        return period_containing("week", dt.date.fromisocalendar(year, number, 1))
    return period_containing("month", dt.date(year, number, 1))


def _days_after(day: dt.date, days: int) -> dt.date:
    """`day + days`, clamped to the last representable date."""
    if day > dt.date.max - dt.timedelta(days=days):
        return dt.date.max
    return day + dt.timedelta(days=days)


def _day_label(day: dt.date, with_year: bool = True) -> str:
    # Not strftime's %Y: it drops the leading zeros of years below 1000.
    return f"{day:%b} {day.day}, {day.year:04d}" if with_year else f"{day:%b} {day.day}"


def _day_range(start: dt.date, end: dt.date) -> str:
    """Jun 22 – 28, 2026; Jun 29 – Jul 5, 2026; Dec 29, 2025 – Jan 4, 2026."""
    if start.year != end.year:
        return f"{_day_label(start)} – {_day_label(end)}"
    if start.month != end.month:
        return f"{_day_label(start, with_year=False)} – {_day_label(end)}"
    return f"{_day_label(start, with_year=False)} – {end.day}, {end.year:04d}"
