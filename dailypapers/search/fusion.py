"""Reciprocal rank fusion: robust without tuning scores that live on different scales
(BM25 is unbounded, cosine similarity is not)."""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(
    ranked_lists: Sequence[Sequence[int]], k: int, weights: Sequence[float] | None = None
) -> list[int]:
    """Ids ordered by the sum of weight / (k + rank) over the lists that contain them (rank
    from 1; every weight 1 unless given).

    Ties keep the order in which the ids were first seen, earlier lists first, so the result
    is deterministic (the keyword list is passed first: exact word matches win ties).
    """
    scores: dict[int, float] = {}
    weights = weights or [1.0] * len(ranked_lists)
    for ranked, weight in zip(ranked_lists, weights, strict=True):
        for rank, paper_id in enumerate(ranked, start=1):
            scores[paper_id] = scores.get(paper_id, 0.0) + weight / (k + rank)
    # sorted() is stable and dicts keep insertion order: first-seen breaks ties.
    return sorted(scores, key=scores.__getitem__, reverse=True)
