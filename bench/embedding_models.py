"""Embedding models compared: speed on real abstracts and exact semantic retrieval quality.

For each model (MiniLM int8 ONNX at 256 and at 128 tokens, WordLlama): documents/s on a
sample of real demo abstracts (title + abstract, as the site embeds them) on this machine's
cores, query-embedding time (p50/p95 over the relevance set's queries), what the rate means for
all of arXiv (2.7 M abstracts), and exact (brute-force numpy) retrieval over the whole demo
corpus (9,124 papers) on `bench/relevance/queries.jsonl`: recall@10, nDCG@10, MRR@10, overall
and per query kind. It prints tables and asserts nothing.

    .venv/bin/python bench/embedding_models.py                    # all three, cached corpus vectors
    .venv/bin/python bench/embedding_models.py --models minilm --sample 1000
    .venv/bin/python bench/embedding_models.py --no-cache          # re-embed the corpus

Embedding the whole corpus takes ~8 min for MiniLM-256 on 2 cores; its vectors are cached in
var/bench/embeddings/ (keyed by model name and corpus), the timed sample is always re-run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import os
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from benchkit import ROOT
from benchkit.machine import cpu_busy, machine_label
from relevance import K, load_queries, mean_scores, scores

from dailypapers.search.embeddings import MODELS, document_text

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CORPUS = ROOT / "dailypapers" / "demo" / "corpus.jsonl.xz"
CACHE = ROOT / "var" / "bench" / "embeddings"
ARXIV_ABSTRACTS = 2_700_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=lambda s: s.split(","), default=list(MODELS))
    parser.add_argument("--sample", type=int, default=500, help="abstracts timed per model")
    parser.add_argument("--query-repeats", type=int, default=20)
    parser.add_argument("--no-cache", action="store_true", help="re-embed the whole corpus")
    return parser.parse_args()


def load_corpus() -> tuple[list[str], list[str]]:
    """arXiv ids and document texts of the demo corpus, one per paper."""
    ids, texts = [], []
    with lzma.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            paper = json.loads(line)["paper"]
            ids.append(paper["id"])
            texts.append(document_text(paper["title"], paper.get("summary") or ""))
    return ids, texts


def cache_path(model_name: str, texts: list[str]) -> Path:
    """Where the corpus vectors of a model are kept: by model name and the exact texts."""
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]
    return CACHE / f"{model_name}-{digest}.npy"


def corpus_vectors(embedder, texts: list[str], no_cache: bool) -> np.ndarray:
    path = cache_path(embedder.name, texts)
    if path.exists() and not no_cache:
        return np.load(path)
    started = time.perf_counter()
    vectors = embedder.embed_documents(texts)
    print(f"  embedded the corpus in {time.perf_counter() - started:.0f} s", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def throughput(embedder, sample: list[str]) -> float:
    embedder.embed_documents(sample[:32])  # warm-up: first run allocates
    started = time.perf_counter()
    embedder.embed_documents(sample)
    return len(sample) / (time.perf_counter() - started)


def query_times(embedder, queries: list[str], repeats: int) -> tuple[float, float]:
    for text in queries:
        embedder.embed_query(text)
    times = []
    for _ in range(repeats):
        for text in queries:
            started = time.perf_counter()
            embedder.embed_query(text)
            times.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(times, n=20)
    return statistics.median(times), quantiles[18]


def quality(embedder, vectors: np.ndarray, ids: list[str]) -> dict[str, dict[str, float]]:
    by_kind = defaultdict(list)
    for query in load_queries():
        ranked = np.argsort(-(vectors @ embedder.embed_query(query.text)))[:K]
        row = scores([ids[i] for i in ranked], query.relevant)
        by_kind["all"].append(row)
        by_kind[query.kind].append(row)
    return {kind: mean_scores(rows) for kind, rows in by_kind.items()}


def token_lengths(embedder, texts: list[str]) -> list[int]:
    tokenizer = getattr(embedder, "tokenizer", None)
    if tokenizer is None:
        return []
    tokenizer.no_truncation()
    try:
        return [len(e.ids) for e in tokenizer.encode_batch(texts)]
    finally:
        tokenizer.enable_truncation(max_length=embedder.max_tokens)


def main() -> None:
    args = parse_args()
    ids, texts = load_corpus()
    sample = random.Random(13).sample(texts, min(args.sample, len(texts)))
    query_texts = [query.text for query in load_queries()]
    busy = cpu_busy()
    print(f"{machine_label()}; {len(texts):,} papers; {len(query_texts)} queries", end="")
    print(f"; CPU busy before: {busy:.0%}" if busy is not None else "")
    results = []
    for key in args.models:
        started = time.perf_counter()
        embedder = MODELS[key]()
        load_ms = (time.perf_counter() - started) * 1000
        print(
            f"\n{key}: {embedder.name} ({embedder.dim}-d), loaded in {load_ms:.0f} ms", flush=True
        )
        lengths = token_lengths(embedder, sample)
        if lengths:
            cut = sum(n > embedder.max_tokens for n in lengths) / len(lengths)
            print(
                f"  tokens per document: median {statistics.median(lengths):.0f}, "
                f"{cut:.0%} cut at {embedder.max_tokens}"
            )
        rate = throughput(embedder, sample)
        p50, p95 = query_times(embedder, query_texts, args.query_repeats)
        print(f"  {rate:,.1f} documents/s; query p50 {p50:.2f} ms, p95 {p95:.2f} ms", flush=True)
        vectors = corpus_vectors(embedder, texts, args.no_cache)
        results.append((key, embedder, rate, p50, quality(embedder, vectors, ids)))
    report(results)


def report(results: list) -> None:
    print(
        "\n| model | name | docs/s | all arXiv (2.7 M) | query p50 | recall@10 | nDCG@10 | MRR@10 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for key, embedder, rate, p50, by_kind in results:
        hours = ARXIV_ABSTRACTS / rate / 3600
        q = by_kind["all"]
        print(
            f"| {key} | `{embedder.name}` | {rate:,.1f} | {hours:,.1f} h | {p50:.2f} ms | "
            f"{q['recall']:.2f} | {q['ndcg']:.2f} | {q['mrr']:.2f} |"
        )
    kinds = sorted({kind for *_, by_kind in results for kind in by_kind} - {"all"})
    print("\nrecall@10 / nDCG@10 by query kind (queries per kind in brackets)")
    counts = defaultdict(int)
    for query in load_queries():
        counts[query.kind] += 1
    print("| model | " + " | ".join(f"{kind} ({counts[kind]})" for kind in kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for key, *_, by_kind in results:
        cells = [f"{by_kind[k]['recall']:.2f} / {by_kind[k]['ndcg']:.2f}" for k in kinds]
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
