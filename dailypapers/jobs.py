"""The job schedule: which periodic tasks run when, computed from settings.

The tasks themselves live in each app's `tasks.py` (huey finds them by that name), declared
with `@periodic(name)`: each asks `due(name)` whether this minute is theirs. Reading the
settings at every tick rather than once at import keeps the schedule and `schedule()` (what
the docs and tests check) one and the same.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from huey.contrib.djhuey import db_periodic_task

ARXIV = "ingest-arxiv"
HF = "ingest-hf"
TRENDING = "trending-refresh"
# Papers an import's indexing task missed (a worker stopped mid-task loses that task) are
# embedded by this sweep, every quarter hour and when a worker starts.
SEARCH_SWEEP = "search-index-missing"
SEARCH_SWEEP_MINUTES = 15
MINUTES_PER_DAY = 24 * 60
# name -> huey task, filled as the tasks modules are imported.
_PERIODIC: dict[str, Any] = {}


@dataclass(frozen=True)
class Every:
    """Due on every minute that is a whole multiple of `minutes` since the Unix epoch, shifted
    by `offset` minutes. Counting from the epoch rather than from midnight keeps the gaps even
    when the period does not divide a day (every 5 hours: 00, 05, ..., 20, then 01)."""

    minutes: int
    offset: int = 0

    def __call__(self, when: dt.datetime) -> bool:
        return (_epoch_minute(when) - self.offset) % self.minutes == 0


def schedule() -> dict[str, Every]:
    """The periodic tasks the settings turn on, by name."""
    jobs: dict[str, Every] = {}
    if settings.ARXIV_EVERY_HOURS > 0:
        jobs[ARXIV] = Every(settings.ARXIV_EVERY_HOURS * 60)
    if settings.HF_DAILY:
        jobs[HF] = Every(MINUTES_PER_DAY, (settings.HF_DAILY_HOUR % 24) * 60)
    if settings.TRENDING_REFRESH_MINUTES > 0:
        jobs[TRENDING] = Every(settings.TRENDING_REFRESH_MINUTES)
    jobs[SEARCH_SWEEP] = Every(SEARCH_SWEEP_MINUTES)
    return jobs


def at_start() -> list[str]:
    """The jobs a starting worker runs at once: new arXiv papers, rather than waiting hours,
    and the papers a stopped worker left without vectors."""
    return [name for name in (ARXIV, SEARCH_SWEEP) if name in schedule()]


def periodic(name: str) -> Callable[[Callable[[], None]], Any]:
    """Declare the periodic task `name` (a database task, due when `schedule()` says)."""

    def decorate(function: Callable[[], None]) -> Any:
        task = _PERIODIC[name] = db_periodic_task(due(name), name=name)(function)
        return task

    return decorate


def enqueue_start_jobs() -> list[str]:
    """Queue the `at_start()` jobs whose tasks are loaded; return their names."""
    names = [name for name in at_start() if name in _PERIODIC]
    for name in names:
        _PERIODIC[name]()
    return names


def due(name: str) -> Callable[[dt.datetime], bool]:
    """huey's `validate_datetime` for the periodic task `name`."""

    def validate(when: dt.datetime) -> bool:
        timing = schedule().get(name)
        return timing is not None and timing(when)

    return validate


def _epoch_minute(when: dt.datetime) -> int:
    # huey passes naive UTC times (its `utc=True`); an aware time is converted.
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return calendar.timegm(when.timetuple()) // 60
