"""The vector index: nearest papers by meaning, one interface over two backends.

- `vectors_pgvector`: a pgvector table with an HNSW index, on PostgreSQL when the `vector`
  extension can be used (managed PostgreSQL services ship it; Debian 12's PostgreSQL does not).
- `vectors_usearch`: a usearch HNSW file in the data dir, on SQLite, or on PostgreSQL without
  the extension (chosen over faiss by `bench/ann_index.py`).

The `Embedding` rows are the source of truth; either index is rebuilt from them.
`settings.VECTOR_INDEX` picks: "auto" (pgvector when usable, else the file), "file", "pgvector".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from typing import Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

CHOICES = ("auto", "file", "pgvector")


class VectorIndex(Protocol):
    def upsert(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Called after the Embedding rows of `ids` are committed."""

    def remove(self, ids: Sequence[int]) -> None: ...

    def search(
        self, vector: np.ndarray, k: int, *, among: Collection[int] | None = None
    ) -> list[tuple[int, float]]:
        """(paper_id, cosine similarity), best first; `among` restricts to those ids."""

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        """From the Embedding rows of the current model; progress(done, total)."""

    def prepare(self) -> None:
        """Rebuild now if missing or stale (another model): the worker does it, so that no
        web request pays for a build (minutes at a million papers)."""


def current_model() -> str:
    """The name stored in `Embedding.model` for the configured embedder: vectors of any other
    name are stale. The one place the backends learn it."""
    from dailypapers.search.embeddings import stored_name

    return stored_name()


_lock = threading.Lock()
_indexes: dict[tuple, VectorIndex] = {}


def get_vector_index() -> VectorIndex:
    """The backend for the default database, made once per process (per database alias,
    setting and data dir, so tests that switch them get their own)."""
    choice = settings.VECTOR_INDEX
    if choice not in CHOICES:
        raise ImproperlyConfigured(
            f"DAILYPAPERS_VECTOR_INDEX={choice!r}: choose one of {', '.join(CHOICES)}"
        )
    key = (connection.alias, connection.settings_dict.get("NAME"), choice, str(settings.DATA_DIR))
    with _lock:
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = _make_index(choice)
        return index


def _make_index(choice: str) -> VectorIndex:
    from dailypapers.search import vectors_pgvector

    if choice in ("auto", "pgvector") and connection.vendor == "postgresql":
        problem = vectors_pgvector.unavailable_reason()
        if problem is None:
            return vectors_pgvector.PgvectorIndex()
        if choice == "pgvector":
            raise ImproperlyConfigured(
                f"DAILYPAPERS_VECTOR_INDEX=pgvector, but {problem}. Install pgvector on the "
                "server (or let a superuser run CREATE EXTENSION vector), or set "
                "DAILYPAPERS_VECTOR_INDEX=auto to use the index file."
            )
    elif choice == "pgvector":
        raise ImproperlyConfigured(
            f"DAILYPAPERS_VECTOR_INDEX=pgvector needs PostgreSQL; the database is "
            f"{connection.vendor}. Set DAILYPAPERS_VECTOR_INDEX=auto or file."
        )
    from dailypapers.search.vectors_usearch import UsearchIndex

    return UsearchIndex(settings.DATA_DIR / "search")


def reset_vector_indexes() -> None:
    """Forget the per-process backends (tests that change settings or databases)."""
    with _lock:
        _indexes.clear()


def stored_vector(paper_id: int, model: str | None = None) -> np.ndarray | None:
    """A paper's vector from the database, or None when it has none of the current model."""
    from dailypapers.search.models import Embedding

    row = (
        Embedding.objects.filter(paper_id=paper_id, model=model or current_model())
        .values_list("vector", flat=True)
        .first()
    )
    return None if row is None else np.frombuffer(bytes(row), dtype="<f4")


def stored_vectors(paper_ids: Collection[int], model: str | None = None) -> dict[int, np.ndarray]:
    """The vectors of those papers that have one of the current model, by paper id."""
    from dailypapers.search.models import Embedding

    model = model or current_model()
    found: dict[int, np.ndarray] = {}
    for group in _id_groups(paper_ids):
        rows = Embedding.objects.filter(paper_id__in=group, model=model)
        for pk, vector in rows.values_list("paper_id", "vector"):
            found[pk] = np.frombuffer(bytes(vector), dtype="<f4")
    return found


ID_GROUP = 512


def _id_groups(paper_ids: Collection[int]) -> list[list[int]]:
    """The ids in groups of ID_GROUP, each padded (repeating its last id) to a power of two.
    Python's sqlite3 caches a compiled statement per SQL text, and an `IN` of every length is
    another text: a digest run asking for each batch's vectors grew memory by 0.35 MB per
    1,000 subscribers until the cache filled. Ten shapes keep it flat (measured,
    bench/digest_compose.py); the repeated ids cost nothing (`IN` reads each once)."""
    ids = sorted(set(paper_ids))
    groups = []
    for start in range(0, len(ids), ID_GROUP):
        group = ids[start : start + ID_GROUP]
        size = 1 << (len(group) - 1).bit_length()
        groups.append(group + group[-1:] * (size - len(group)))
    return groups


def similar_papers(paper_id: int, k: int = 6) -> list[tuple[int, float]]:
    """The `k` papers nearest to `paper_id`'s stored vector, itself excluded; [] without one."""
    vector = stored_vector(paper_id)
    if vector is None or k <= 0:
        return []
    hits = get_vector_index().search(vector, k + 1)
    return [(pk, score) for pk, score in hits if pk != paper_id][:k]
