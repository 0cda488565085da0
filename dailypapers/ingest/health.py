"""Is every source still bringing papers? The checks behind `dailypapers ingest status`,
the staff page `/status/ingest` and the warnings a scheduled run logs.

A source is flagged when its latest run failed, when a weekday run found nothing new and no
run of the day before found anything either (the scheduled arXiv import runs every few hours,
and arXiv announces once a day: one quiet run is normal, a quiet day is not), or when a
source the schedule runs has had no successful run for `INGEST_STALE_HOURS`. Staleness is
asked only of scheduled sources: a one-off backfill (a snapshot, an OAI harvest) is not
expected to run again, and flagging it forever would make `--check` useless for monitoring.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from dailypapers import jobs
from dailypapers.ingest.models import IngestRun
from dailypapers.papers.models import Paper

log = logging.getLogger("dailypapers.ingest")
# How far back a quiet run looks for a run of its source that found something.
QUIET_DAY = dt.timedelta(hours=24)
RECENT_RUNS = 5
# Schedule job -> the source its runs are recorded under.
SCHEDULED_SOURCES = {jobs.ARXIV: "arxiv", jobs.HF: "hf"}


@dataclass
class SourceHealth:
    source: str
    runs: list[IngestRun] = field(default_factory=list)  # newest first
    last_success: dt.datetime | None = None
    latest_paper: dt.datetime | None = None
    flags: list[str] = field(default_factory=list)


def report(limit: int = RECENT_RUNS, now: dt.datetime | None = None) -> list[SourceHealth]:
    """Every source that has runs or is scheduled, by name, with its latest runs and flags."""
    now = now or timezone.now()
    names = set(IngestRun.objects.values_list("source", flat=True).distinct())
    return [
        source_health(name, limit=limit, now=now, latest_paper=latest_paper_date(name))
        for name in sorted(names | scheduled_sources())
    ]


def source_health(
    source: str,
    *,
    limit: int = RECENT_RUNS,
    now: dt.datetime | None = None,
    latest_paper: dt.datetime | None = None,
) -> SourceHealth:
    now = now or timezone.now()
    runs = list(IngestRun.objects.filter(source=source).order_by("-started_at", "-pk")[:limit])
    last_success = _last_success(source)
    health = SourceHealth(source, runs, last_success, latest_paper)
    health.flags = _flags(source, runs, last_success, now)
    return health


def scheduled_sources() -> set[str]:
    return {SCHEDULED_SOURCES[name] for name in jobs.schedule() if name in SCHEDULED_SOURCES}


def stale_hours() -> float:
    return settings.INGEST_STALE_HOURS


def warn(source: SourceHealth) -> None:
    """Each of the source's flags as a warning in the log."""
    for flag in source.flags:
        log.warning("ingest source %s: %s", source.source, flag)


def log_flags(source: str) -> list[str]:
    """Warn about `source`'s flags (after one of its runs ended); return them."""
    checked = source_health(source, limit=1)
    warn(checked)
    return checked.flags


def _flags(
    source: str, runs: list[IngestRun], last_success: dt.datetime | None, now: dt.datetime
) -> list[str]:
    flags = []
    latest = runs[0] if runs else None
    if latest and latest.status == IngestRun.Status.FAILED:
        flags.append(f"latest run failed: {_first_line(latest.error) or 'no error recorded'}")
    if latest and latest.found_nothing_new and not _changed_the_day_before(latest):
        flags.append(f"found nothing new on {latest.started_at:%a %Y-%m-%d} (run {latest.pk})")
    stale_after = dt.timedelta(hours=stale_hours())
    if source in scheduled_sources() and (last_success is None or now - last_success > stale_after):
        since = f"since {last_success:%Y-%m-%d %H:%M} UTC" if last_success else "ever"
        flags.append(f"no successful run {since} (stale after {stale_hours():g} h)")
    return flags


def _changed_the_day_before(run: IngestRun) -> bool:
    earlier = IngestRun.objects.filter(
        source=run.source, started_at__gte=run.started_at - QUIET_DAY, started_at__lt=run.started_at
    ).exclude(pk=run.pk)
    return any(r.succeeded and r.changed for r in earlier.only("status", "counts"))


def _last_success(source: str) -> dt.datetime | None:
    succeeded = [IngestRun.Status.DONE, IngestRun.Status.PARTIAL]
    runs = IngestRun.objects.filter(source=source, status__in=succeeded)
    return runs.aggregate(last=Max("finished_at"))["last"]


def latest_paper_date(source: str) -> dt.datetime | None:
    """The newest publication time among the papers `source` brought in. Walks the
    published_at index from the newest end to the first paper of the source: a handful of
    rows for a live source, where a grouped max would read every paper."""
    papers = Paper.objects.filter(source=source, published_at__isnull=False)
    return papers.order_by("-published_at").values_list("published_at", flat=True).first()


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:300]
