"""Search latency on a synthetic 1 M-paper database: the vector index, similar papers, and (when
the search service is there) keyword / semantic / hybrid search end to end, server side.

Fills `var/bench/search-sqlite` (or `--database-url`, a PostgreSQL database whose name contains
`bench`) with benchkit's synthetic papers (realistic title and abstract lengths), gives every
paper a random clustered 384-d vector as its Embedding row (the configured model's name, so the
index takes them as current), builds the vector index (timed), then measures p50/p95 of:

- `index k=10` / `index k=100`: `get_vector_index().search(vector, k)` with held-out vectors;
- `index among 10k`: the same restricted to 10,000 random papers (a filter);
- `similar`: `similar_papers(paper_id, 6)` (reads the paper's vector, then searches);
- `search <mode>`: `dailypapers.search.search(q, mode=...)` with 2-4 word queries (includes
  embedding the query with the real model), for each of `--modes`.

It prints a table and asserts nothing.

    .venv/bin/python bench/search_latency.py                         # 1,000,000 papers
    .venv/bin/python bench/search_latency.py --papers 20000 --keep   # small, reuse the fill
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from benchkit.db import prepare_database
from benchkit.env import BENCH_ROOT, configure_env
from benchkit.fill import VOCAB, use_corpus_words

DIM = 384
VECTOR_MARKER = "bench-vectors.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=3_000, help="feed days the papers span")
    parser.add_argument("--authors", type=int, default=100_000)
    parser.add_argument("--clusters", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=300, help="timed calls per measurement")
    parser.add_argument("--modes", default="keyword,semantic,hybrid")
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the fill, vectors and vector index if there"
    )
    parser.add_argument("--vector-index", default="auto", choices=["auto", "file", "pgvector"])
    parser.add_argument(
        "--warm",
        action="store_true",
        help="read the SQLite file once before timing, so it is in the OS page cache as on a "
        "server that has been serving (else random papers' pages come from disk)",
    )
    parser.add_argument(
        "--corpus-words",
        action="store_true",
        help="titles, abstracts and queries from the demo corpus's vocabulary at its frequencies "
        "(realistic posting lists) instead of benchkit's ~120 words",
    )
    return parser.parse_args(argv)


def data_dir(args: argparse.Namespace) -> Path:
    suffix = "-corpus" if args.corpus_words else ""
    if not args.database_url:
        return BENCH_ROOT / f"search-sqlite{suffix}"
    return BENCH_ROOT / f"search-pg-{args.database_url.rsplit('/', 1)[-1]}{suffix}"


def clustered_vectors(rng: np.random.Generator, n: int, centers, projection) -> np.ndarray:
    """As in ann_index.py: clusters in a 64-d latent space, projected to 384-d, normalised."""
    which = rng.integers(0, len(centers), n)
    latent = centers[which] + 0.7 * rng.standard_normal((n, centers.shape[1]), np.float32)
    block = latent @ projection + 0.15 * rng.standard_normal((n, DIM), np.float32)
    return (block / np.linalg.norm(block, axis=1, keepdims=True)).astype("<f4")


def fill_vectors(args: argparse.Namespace, model: str, folder: Path) -> tuple[np.ndarray, bool]:
    """An Embedding row per paper (unless --keep finds them); returns held-out query vectors
    and whether the stored rows were kept."""
    from django.db import transaction

    from dailypapers.papers.models import Paper
    from dailypapers.search.models import Embedding

    rng = np.random.default_rng(11)
    centers = rng.standard_normal((args.clusters, 64)).astype(np.float32)
    projection = rng.standard_normal((64, DIM)).astype(np.float32) / 8.0
    queries = clustered_vectors(rng, 1_000, centers, projection)
    marker = folder / VECTOR_MARKER
    wanted = {"papers": args.papers, "clusters": args.clusters, "model": model}
    if args.keep and marker.exists() and json.loads(marker.read_text()) == wanted:
        print("vectors: reusing the stored Embedding rows")
        return queries, True
    started = time.perf_counter()
    Embedding.objects.all().delete()
    ids = list(Paper.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, len(ids), 10_000):
            chunk = ids[start : start + 10_000]
            vectors = clustered_vectors(rng, len(chunk), centers, projection)
            Embedding.objects.bulk_create(
                [
                    Embedding(paper_id=pk, model=model, text_hash="bench", vector=v.tobytes())
                    for pk, v in zip(chunk, vectors, strict=True)
                ],
                batch_size=2_000,
            )
    print(f"vectors: {len(ids):,} Embedding rows in {time.perf_counter() - started:.1f} s")
    marker.write_text(json.dumps(wanted))
    return queries, False


def timed(call: Callable[[int], object], count: int) -> tuple[float, float]:
    """p50/p95 in ms of call(i) for i in range(count), after a short warm-up."""
    for i in range(min(20, count)):
        call(i)
    times = []
    for i in range(count):
        t0 = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    folder = data_dir(args)
    configure_env(args, folder)
    os.environ["DAILYPAPERS_VECTOR_INDEX"] = args.vector_index
    if args.corpus_words:
        by_frequency = use_corpus_words()
        # What people type: content words, not "the" nor words found once.
        args.query_words = by_frequency[150:5000]
    else:
        args.query_words = VOCAB
    prepare_database(args, folder)  # migrate, fill (django.setup() inside)

    from dailypapers.papers.models import Paper
    from dailypapers.search.vectors import current_model, get_vector_index, similar_papers

    model = current_model()
    queries, kept = fill_vectors(args, model, folder)
    index = get_vector_index()
    print(f"vector index: {type(index).__name__}")
    rows: list[tuple[str, float, float]] = []
    before = rss_mb()
    started = time.perf_counter()
    if kept:
        index.prepare()  # the saved index file of these rows too, unless missing or stale
    else:
        index.rebuild(progress=_progress())
    build = time.perf_counter() - started
    print(f"\nindex build: {build:.1f} s, RSS +{rss_mb() - before:.0f} MB in the building process")
    sizes = sum(p.stat().st_size for p in (folder / "search").glob("vectors-*.usearch"))
    if sizes:
        print(f"index file: {sizes / 1e6:.0f} MB")

    if args.warm and not args.database_url:
        with (folder / "dailypapers.sqlite3").open("rb") as database:
            while database.read(1 << 24):
                pass
    rng = random.Random(5)
    ids = list(Paper.objects.values_list("pk", flat=True))
    sample = [rng.choice(ids) for _ in range(args.queries + 20)]
    among = rng.sample(ids, min(10_000, len(ids)))
    n = args.queries
    rows.append(("index k=10", *timed(lambda i: index.search(queries[i % 1000], 10), n)))
    rows.append(("index k=100", *timed(lambda i: index.search(queries[i % 1000], 100), n)))
    rows.append(("index among 10k", *timed(lambda i: index.search(queries[i], 10, among=among), n)))
    rows.append(("similar", *timed(lambda i: similar_papers(sample[i], 6), n)))
    rows += search_modes(args, rng)
    print(
        f"\nrecall@10 against exact search: {recall_at_10(index, queries[:200]):.3f} (200 queries)"
    )
    print(f"\n{len(ids):,} papers, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print("| measurement | p50 ms | p95 ms |\n|---|---|---|")
    for name, p50, p95 in rows:
        print(f"| {name} | {p50:.2f} | {p95:.2f} |")


def recall_at_10(index, queries: np.ndarray) -> float:
    """The index's top 10 against numpy's exact top 10 over every stored vector."""
    from dailypapers.search.models import Embedding

    ids, blocks = [], []
    rows = Embedding.objects.order_by("pk").values_list("paper_id", "vector")
    for start in range(0, 10**9, 100_000):
        chunk = list(rows[start : start + 100_000])
        if not chunk:
            break
        ids.extend(pk for pk, _ in chunk)
        blocks.append(np.frombuffer(b"".join(bytes(v) for _, v in chunk), "<f4").reshape(-1, DIM))
    matrix, keys = np.vstack(blocks), np.asarray(ids)
    found = 0
    for query in queries:
        exact = set(keys[np.argpartition(-(matrix @ query), 10)[:10]].tolist())
        found += len(exact & {pk for pk, _ in index.search(query, 10)})
    return found / (10 * len(queries))


def search_modes(args: argparse.Namespace, rng: random.Random) -> list[tuple[str, float, float]]:
    """Hooks for the search service: skipped (with a note) until `search()` is there."""
    try:
        from dailypapers.search import search
    except ImportError as error:
        print(f"search modes skipped: {error}")
        return []
    words = args.query_words
    texts = [" ".join(rng.choices(words, k=rng.randint(2, 4))) for _ in range(args.queries + 20)]
    rows = []
    for mode in [m for m in args.modes.split(",") if m]:
        try:
            search(texts[0], mode=mode)
        except Exception as error:  # the service may not be finished: report, go on
            print(f"search mode {mode} skipped: {type(error).__name__}: {error}")
            continue
        rows.append(
            (f"search {mode}", *timed(lambda i, m=mode: search(texts[i], mode=m), args.queries))
        )
    return rows


def _progress() -> Callable[[int, int], None]:
    last = [0.0]

    def report(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30 or done == total:
            last[0] = time.perf_counter()
            print(f"  index {done:,}/{total:,}", flush=True)

    return report


if __name__ == "__main__":
    sys.exit(main())
