"""The paper a member names on `/submit`: the stored one, or arXiv's, fetched and stored.

A fetched paper goes through the importers' own upsert, so it is stored, indexed and later
updated exactly as if an import had brought it. Nothing is stored when arXiv fails.
"""

from __future__ import annotations

import logging

from dailypapers.ingest.http import FetchError, PoliteClient
from dailypapers.ingest.pipeline import upsert_records
from dailypapers.ingest.sources import arxiv_api
from dailypapers.papers import queries
from dailypapers.papers.arxiv_ids import ArxivId
from dailypapers.papers.models import Paper

log = logging.getLogger("dailypapers.ingest")

# A member waits on the page: one retry, short waits. The importers' client retries for
# minutes, which suits a background job, not a form.
RETRIES = 1
BACKOFF_SECONDS = 0.5
TIMEOUT_SECONDS = 10.0


class LookupFailed(Exception):
    """The paper could not be found or fetched; the message is for the member."""


def arxiv_client() -> PoliteClient:
    # One call per lookup, and lookups are rate limited per member and per address
    # (RATE_LIMITS["submit"]): no spacing between calls is needed within a request.
    return PoliteClient(
        retries=RETRIES, backoff=BACKOFF_SECONDS, max_wait=2.0, timeout=TIMEOUT_SECONDS
    )


def find_or_fetch(arxiv_id: ArxivId) -> Paper:
    """The stored paper with this id, else arXiv's record of it, stored first."""
    paper = queries.paper_by_arxiv_id(arxiv_id.base)
    if paper is not None:
        return paper
    records = _fetch(arxiv_id.base)
    upsert_records(records)
    paper = queries.paper_by_arxiv_id(arxiv_id.base)
    if paper is None:  # hidden from reads since, or gone: as good as unknown
        raise LookupFailed(f"arXiv has no paper {arxiv_id.base}.")
    return paper


def _fetch(base: str) -> list:
    # The latest version: the paper is what enters the feed, whichever version was pasted.
    try:
        records = arxiv_api.fetch_by_ids([base], client=arxiv_client())
    except arxiv_api.ArxivQueryError as exc:
        log.warning("submit lookup of %s: %s", base, exc)
        raise LookupFailed(f"arXiv did not accept the id {base}: {_reason(exc)}") from None
    except FetchError as exc:
        log.warning("submit lookup of %s: %s", base, exc)
        raise LookupFailed(
            f"arXiv could not be reached to look up {base}. Please try again in a few minutes."
        ) from None
    records = [record for record in records if record.arxiv_id == base]
    if not records:
        raise LookupFailed(f"arXiv has no paper {base}. Please check the id.")
    return records


def _reason(exc: Exception) -> str:
    """arXiv's own explanation (`incorrect id format for …`), without the request's details."""
    text = str(exc)
    return text.rsplit(": ", 1)[-1] if ": " in text else text
