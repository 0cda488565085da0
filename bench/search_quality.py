"""Search quality through the public API: keyword, semantic and hybrid on the relevance set.

Loads the demo corpus (9,124 papers) into a throwaway database, indexes it with
`dailypapers reindex --embeddings` (the keyword index fills itself by trigger), then runs every
query of `bench/relevance/queries.jsonl` through `dailypapers.search.search(q, mode=...,
limit=10)` and prints recall@10, nDCG@10 and MRR@10 per
mode (overall and per query kind), with the hybrid mode once per `--rrf-k` value
(settings.SEARCH_RRF_K). Asserts nothing.

    .venv/bin/python bench/search_quality.py                         # SQLite, k = 60
    .venv/bin/python bench/search_quality.py --keep --rrf-k 5,10,20,60,100
    .venv/bin/python bench/search_quality.py --database-url postgres://postgres@127.0.0.1:5432/dp_bench
    .venv/bin/python bench/search_quality.py --keep --show-misses    # what each mode missed

The data dir is var/bench/quality-sqlite (or quality-pg-<db>); --keep reuses it when it holds
the demo corpus indexed with the current embedding model. A PostgreSQL database is dropped and
created again, so its name must contain 'bench'. Vectors that `bench/embedding_models.py` has
cached for the same model and texts are stored before `reindex` (`--no-seed`: embed everything,
~10 min for MiniLM on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from collections import defaultdict
from urllib.parse import urlsplit

import numpy as np
from benchkit import ROOT
from benchkit.db import reset_storage
from benchkit.env import BENCH_ROOT, configure_env, manage
from relevance import K, Query, load_queries, mean_scores, scores

MARKER = "bench-quality.json"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL (name must hold 'bench')")
    parser.add_argument("--keep", action="store_true", help="reuse the loaded, indexed database")
    parser.add_argument(
        "--keyword-weight",
        type=lambda text: [float(w) for w in text.split(",")],
        default=None,
        help="comma-separated SEARCH_KEYWORD_WEIGHT values for hybrid (default: the setting)",
    )
    parser.add_argument(
        "--rrf-k",
        type=lambda text: [int(k) for k in text.split(",")],
        default=None,
        help="comma-separated SEARCH_RRF_K values for hybrid (default: the setting)",
    )
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="let reindex embed every paper (default: reuse embedding_models.py's cached vectors)",
    )
    parser.add_argument("--show-misses", action="store_true", help="per query: what was missed")
    return parser.parse_args()


def data_dir(args: argparse.Namespace):
    if not args.database_url:
        return BENCH_ROOT / "quality-sqlite"
    return BENCH_ROOT / f"quality-pg-{urlsplit(args.database_url).path.lstrip('/')}"


def signature(args: argparse.Namespace) -> dict[str, str]:
    from django.conf import settings

    return {"corpus": "demo", "model": settings.EMBEDDING_MODEL, "db": args.database_url}


def prepare(args: argparse.Namespace) -> None:
    """Migrate, load the demo corpus and index it, unless --keep finds that already done."""
    import django

    directory = data_dir(args)
    configure_env(args, directory)
    django.setup()
    marker = directory / MARKER
    if args.keep and marker.exists() and json.loads(marker.read_text()) == signature(args):
        print(f"reusing {directory}")
        return
    reset_storage(args, directory)
    # The keyword index is filled by the database's own triggers as the demo loads, so only
    # the vectors need `reindex` (embed what is missing, then build the vector index).
    for command in (("migrate", "--no-input", "-v", "0"), ("demo",), ("reindex", "--embeddings")):
        if command[0] == "reindex" and not args.no_seed:
            seed_vectors_from_cache()
        started = time.perf_counter()
        subprocess.run(manage(*command), check=True, cwd=ROOT)
        print(f"dailypapers {command[0]}: {time.perf_counter() - started:.0f} s", flush=True)
    marker.write_text(json.dumps(signature(args)))


def seed_vectors_from_cache() -> None:
    """Store the demo corpus vectors that bench/embedding_models.py already computed.

    The embedders give each text the same vector whatever the batch (tests/search), so a cached
    vector is the one reindex would compute. Only papers whose stored text is exactly the cached
    text are seeded, with the hash reindex checks; reindex embeds the rest and builds the index.
    """
    from embedding_models import cache_path, load_corpus

    from dailypapers.papers.models import Paper
    from dailypapers.search.embeddings import document_text, get_embedder
    from dailypapers.search.indexing import text_hash
    from dailypapers.search.models import Embedding

    name = get_embedder().name
    ids, texts = load_corpus()
    path = cache_path(name, texts)
    if not path.exists():
        print(f"no cached {name} vectors ({path.name}): reindex embeds every paper")
        return
    vectors = np.load(path).astype("<f4")
    pairs = enumerate(zip(ids, texts, strict=True))
    cached = {arxiv_id: (text, row) for row, (arxiv_id, text) in pairs}
    rows = []
    for pk, arxiv_id, title, abstract in Paper.objects.values_list(
        "pk", "arxiv_id", "title", "abstract"
    ):
        text = document_text(title, abstract)
        if arxiv_id in cached and cached[arxiv_id][0] == text:
            vector = vectors[cached[arxiv_id][1]].tobytes()
            rows.append(
                Embedding(paper_id=pk, model=name, text_hash=text_hash(text), vector=vector)
            )
    Embedding.objects.bulk_create(rows, batch_size=1000)
    print(f"seeded {len(rows):,} {name} vectors from {path.name}")


def run(queries: list[Query], mode: str) -> tuple[list[dict[str, float]], list[list[str]], float]:
    from dailypapers.search import search

    rows, rankings, times = [], [], []
    for query in queries:
        started = time.perf_counter()
        page = search(query.text, mode=mode, limit=K)
        times.append((time.perf_counter() - started) * 1000)
        ranked = [result.paper.arxiv_id for result in page.results]
        rankings.append(ranked)
        rows.append(scores(ranked, query.relevant))
    return rows, rankings, statistics.median(times)


def main() -> None:
    args = parse_args()
    prepare(args)
    from django.conf import settings

    from dailypapers.papers.models import Paper
    from dailypapers.search.embeddings import get_embedder

    queries = load_queries()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{Paper.objects.count():,} papers on {engine}; {len(queries)} queries; "
        f"semantic model {get_embedder().name}"
    )
    get_embedder().embed_query("warm up")  # the first query would pay for loading the model
    runs = []
    for mode in ("keyword", "semantic"):
        runs.append((mode, *run(queries, mode)))
    for weight in args.keyword_weight or [settings.SEARCH_KEYWORD_WEIGHT]:
        settings.SEARCH_KEYWORD_WEIGHT = weight
        for k in args.rrf_k or [settings.SEARCH_RRF_K]:
            settings.SEARCH_RRF_K = k
            runs.append((f"hybrid k={k} w={weight:g}", *run(queries, "hybrid")))
    report(queries, runs)
    if args.show_misses:
        misses(queries, runs)


def report(queries: list[Query], runs: list) -> None:
    kinds = sorted({query.kind for query in queries})
    print(f"\n| mode | recall@{K} | nDCG@{K} | MRR@{K} | p50 ms (in process) |")
    print("|---|---|---|---|---|")
    for mode, rows, _, p50 in runs:
        mean = mean_scores(rows)
        print(
            f"| {mode} | {mean['recall']:.2f} | {mean['ndcg']:.2f} | {mean['mrr']:.2f} "
            f"| {p50:.1f} |"
        )
    print(f"\nrecall@{K} / nDCG@{K} by query kind")
    print(
        "| mode | "
        + " | ".join(f"{kind} ({sum(q.kind == kind for q in queries)})" for kind in kinds)
        + " |"
    )
    print("|---|" + "---|" * len(kinds))
    for mode, rows, _, _ in runs:
        by_kind = defaultdict(list)
        for query, row in zip(queries, rows, strict=True):
            by_kind[query.kind].append(row)
        cells = [mean_scores(by_kind[kind]) for kind in kinds]
        print(
            f"| {mode} | "
            + " | ".join(f"{c['recall']:.2f} / {c['ndcg']:.2f}" for c in cells)
            + " |"
        )


def misses(queries: list[Query], runs: list) -> None:
    print()
    for number, query in enumerate(queries):
        line = []
        for mode, rows, rankings, _ in runs:
            missed = sorted(query.relevant - set(rankings[number]))
            line.append(
                f"{mode}: {rows[number]['recall']:.2f}" + (f" miss {missed}" if missed else "")
            )
        print(f"{query.text!r}\n    " + "\n    ".join(line))


if __name__ == "__main__":
    main()
