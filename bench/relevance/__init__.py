"""The relevance set (`queries.jsonl`) and the ranking metrics the quality benchmarks share.

Each line of `queries.jsonl` is a query as a user would type it, the arXiv ids of the demo
corpus papers that should come back (1–5, chosen by reading titles and abstracts, not by running
a model), and its kind: `paraphrase` (other words than the paper's), `topic`, `title`
(title-like) or `acronym`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

QUERIES = Path(__file__).with_name("queries.jsonl")
K = 10


@dataclass(frozen=True)
class Query:
    text: str
    relevant: frozenset[str]
    kind: str


def load_queries(path: Path = QUERIES) -> list[Query]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [Query(row["query"], frozenset(row["relevant"]), row["kind"]) for row in rows]


def scores(ranked: Sequence[str], relevant: frozenset[str], k: int = K) -> dict[str, float]:
    """recall@k, nDCG@k (binary gains) and reciprocal rank within the top k for one query."""
    top = list(ranked[:k])
    hits = [arxiv_id in relevant for arxiv_id in top]
    dcg = sum(1 / math.log2(rank + 2) for rank, hit in enumerate(hits) if hit)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    first = next((rank for rank, hit in enumerate(hits) if hit), None)
    return {
        "recall": sum(hits) / len(relevant),
        "ndcg": dcg / ideal,
        "mrr": 0.0 if first is None else 1 / (first + 1),
    }


def mean_scores(per_query: Sequence[dict[str, float]]) -> dict[str, float]:
    return {name: sum(row[name] for row in per_query) / len(per_query) for name in per_query[0]}
