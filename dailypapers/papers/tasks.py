"""The papers app's jobs (huey tasks; `dailypapers worker` runs them)."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import HUEY

from dailypapers import jobs
from dailypapers.papers.ranking import refresh_trending

log = logging.getLogger("dailypapers.jobs")
# Made at import so that a starting worker clears it if a killed worker left it behind.
LOCK = HUEY.lock_task(jobs.TRENDING)


@jobs.periodic(jobs.TRENDING)
def refresh_trending_list() -> None:
    """Recompute the cached trending list. Safe to run twice: it only rewrites the cache."""
    with LOCK:
        trending = refresh_trending()
    log.info("trending refreshed: %s papers", len(trending.arxiv_ids))
