"""The search app's jobs (huey tasks; `dailypapers worker` runs them)."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import HUEY, db_task

from dailypapers import jobs

log = logging.getLogger("dailypapers.search")
# Made at import so that a starting worker clears it if a killed worker left it behind.
SWEEP_LOCK = HUEY.lock_task(jobs.SEARCH_SWEEP)
# Papers one sweep embeds at most: a sweep stays minutes long, the next goes on (a backfill
# of millions is `dailypapers reindex`'s job).
SWEEP_SIZE = 5000


@db_task(retries=2, retry_delay=30)
def index_papers_task(paper_ids: list[int]) -> None:
    """Embed and index these papers. Takes ids and re-reads the rows, so a task queued before
    a later change, or run twice, still indexes the current text."""
    from dailypapers.search.indexing import index_papers  # numpy and the model: only here

    embedded = index_papers(paper_ids)
    log.info("indexed %s of %s papers", embedded, len(paper_ids))


@jobs.periodic(jobs.SEARCH_SWEEP)
def index_missing_papers() -> None:
    """Build the vector index if it is missing or stale, then embed papers that have no vector
    of the current model (a lost task, a changed model).
    Runs alone: a sweep still going when the next is due makes the next one give up."""
    from dailypapers.search.indexing import index_papers, papers_without_vectors
    from dailypapers.search.vectors import get_vector_index

    with SWEEP_LOCK:
        get_vector_index().prepare()  # a missing or stale index, built before readers need it
        missing = papers_without_vectors(SWEEP_SIZE)
        if missing:
            embedded = index_papers(missing)
            log.info("sweep: embedded %s papers that had no vector", embedded)


@db_task(retries=2, retry_delay=30)
def remove_vectors_task(paper_ids: list[int]) -> None:
    """Drop deleted papers from the vector index (their Embedding rows went with them)."""
    from dailypapers.search.vectors import get_vector_index

    get_vector_index().remove(paper_ids)
