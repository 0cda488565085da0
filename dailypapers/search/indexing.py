"""Keeping the search indexes in step with the papers.

The keyword index is kept by the database itself (FTS5 triggers on SQLite, a generated
tsvector on PostgreSQL). Vectors are not: embedding a paper costs milliseconds of CPU, so
it happens on the job queue after commit (`papers_changed` -> `index_papers_task`), never
inside a web request or an import's transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable

import numpy as np
from django.db import transaction
from django.db.models import QuerySet

from dailypapers.papers.models import Paper
from dailypapers.search.embeddings import document_text, get_embedder
from dailypapers.search.models import Embedding
from dailypapers.search.vectors import get_vector_index

log = logging.getLogger("dailypapers.search")

# Papers per reindex step (and per queued task, see `receivers`).
TASK_SIZE = 256
# Texts embedded per call: big enough for the model's batching, small enough for memory.
EMBED_BATCH = 64


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def index_papers(paper_ids: Iterable[int]) -> int:
    """Embed the given papers whose vector is missing, stale (text changed) or from another
    model, and put them in the vector index. Safe to run twice: an up-to-date paper costs a
    hash. Returns how many papers were embedded."""
    wanted = sorted(set(paper_ids))
    if not wanted:
        return 0
    embedder = get_embedder()
    stored = dict(
        Embedding.objects.filter(paper_id__in=wanted, model=embedder.name).values_list(
            "paper_id", "text_hash"
        )
    )
    todo: list[tuple[int, str, str]] = []
    for pk, title, abstract in Paper.objects.filter(pk__in=wanted).values_list(
        "pk", "title", "abstract"
    ):
        text = document_text(title, abstract)
        digest = text_hash(text)
        if stored.get(pk) != digest:
            todo.append((pk, text, digest))
    for start in range(0, len(todo), EMBED_BATCH):
        _embed_and_store(todo[start : start + EMBED_BATCH], embedder)
    return len(todo)


def _embed_and_store(batch: list[tuple[int, str, str]], embedder) -> None:
    vectors = embedder.embed_documents([text for _, text, _ in batch]).astype("<f4")
    rows = [
        Embedding(paper_id=pk, model=embedder.name, text_hash=digest, vector=vector.tobytes())
        for (pk, _, digest), vector in zip(batch, vectors, strict=True)
    ]
    ids = [pk for pk, _, _ in batch]
    with transaction.atomic():
        # A paper deleted since the task was queued has no row to point at: leave it out.
        alive = set(Paper.objects.filter(pk__in=ids).values_list("pk", flat=True))
        keep = [i for i, row in enumerate(rows) if row.paper_id in alive]
        Embedding.objects.bulk_create(
            [rows[i] for i in keep],
            update_conflicts=True,
            unique_fields=["paper"],
            update_fields=["model", "text_hash", "vector", "updated_at"],
        )
    get_vector_index().upsert([ids[i] for i in keep], np.asarray(vectors[keep]))


def _next_paper_ids(after: int) -> list[int]:
    papers = Paper.objects.filter(pk__gt=after).order_by("pk")
    return list(papers.values_list("pk", flat=True)[:TASK_SIZE])


def _without_vectors() -> QuerySet[Paper]:
    current = Embedding.objects.filter(model=get_embedder().name).values("paper_id")
    return Paper.objects.exclude(pk__in=current)


def papers_without_vectors(limit: int) -> list[int]:
    """Up to `limit` papers with no vector of the current model, oldest first."""
    return list(_without_vectors().order_by("pk").values_list("pk", flat=True)[:limit])


def count_stale_papers() -> int:
    """Papers with no vector of the current model (those whose text changed since their
    vector was made are found on the way, by hash)."""
    return _without_vectors().count()


def reindex(
    *,
    embeddings: bool = True,
    keyword: bool = True,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the indexes from the database. The embedding pass only embeds papers with no
    up-to-date vector, so an interrupted run continues where it stopped; then the vector index
    is rebuilt from the stored vectors."""
    done = {"embedded": 0, "keyword": 0}
    if keyword:
        from dailypapers.search.keyword import rebuild_keyword_index

        done["keyword"] = rebuild_keyword_index()
    if embeddings:
        after = 0
        # Every paper, in id order: up-to-date ones cost a hash, so a run interrupted after
        # an hour passes that hour's papers in seconds and embeds where it stopped.
        while ids := _next_paper_ids(after):
            embedded = index_papers(ids)
            done["embedded"] += embedded
            after = ids[-1]
            if progress:
                progress(embedded)
        get_vector_index().rebuild()
    return done
