"""The search app's jobs (huey tasks; `dailypapers worker` runs them)."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

log = logging.getLogger("dailypapers.search")


@db_task(retries=2, retry_delay=30)
def index_papers_task(paper_ids: list[int]) -> None:
    """Embed and index these papers. Takes ids and re-reads the rows, so a task queued before
    a later change, or run twice, still indexes the current text."""
    from dailypapers.search.indexing import index_papers  # numpy and the model: only here

    embedded = index_papers(paper_ids)
    log.info("indexed %s of %s papers", embedded, len(paper_ids))
