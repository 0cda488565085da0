"""Related papers for a paper page, offered by other apps (search registers its similar
papers here), so that `papers` imports none of them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dailypapers.papers.models import Paper

log = logging.getLogger("dailypapers.papers")

# paper id, how many -> paper ids, best first
SimilarProvider = Callable[[int, int], list[int]]
_providers: list[SimilarProvider] = []


def register_similar(provider: SimilarProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def similar_paper_ids(paper: Paper, limit: int = 6) -> list[int]:
    """The first registered provider's answer; [] when none is registered or it fails (a
    paper page never fails for want of its neighbours)."""
    for provider in _providers:
        try:
            return [pk for pk in provider(paper.pk, limit) if pk != paper.pk][:limit]
        except Exception:
            log.exception("similar papers of %s failed", paper.arxiv_id)
            return []
    return []
