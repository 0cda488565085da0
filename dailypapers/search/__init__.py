"""Search: keyword and semantic retrieval fused, similar papers, and the indexes behind them.

The public API other apps use (everything else in this package is internal):

- `search(query, mode=..., filters=..., sort=..., limit=..., offset=...) -> SearchPage`
- `similar_papers(paper_id, limit=6) -> list[int]`: nearest papers by meaning, itself excluded.
- `paper_vectors(paper_ids) -> dict[int, ndarray]`: the stored vectors (float32, unit length)
  of those papers that have one (a profile of what a member upvoted is built from these).
- `index_papers(paper_ids)`: embed and index those papers now (the job queue calls it after
  every import; the keyword index is kept by the database itself).
- `reindex(...)`: rebuild from the database (`dailypapers reindex`).

Imports are lazy so that loading the app does not load models or numpy.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from dailypapers.search.service import SearchPage

__all__ = ["index_papers", "paper_vectors", "reindex", "search", "similar_papers"]


def search(query: str, **options: Any) -> SearchPage:
    from dailypapers.search.service import search as run

    return run(query, **options)


def similar_papers(paper_id: int, limit: int = 6) -> list[int]:
    from dailypapers.search.vectors import similar_papers as nearest

    return [pk for pk, _ in nearest(paper_id, limit)]


def paper_vectors(paper_ids: Collection[int]) -> dict[int, np.ndarray]:
    from dailypapers.search.vectors import stored_vectors

    return stored_vectors(paper_ids)


def index_papers(paper_ids: list[int]) -> int:
    from dailypapers.search.indexing import index_papers as run

    return run(paper_ids)


def reindex(**options: Any) -> None:
    from dailypapers.search.indexing import reindex as run

    run(**options)
