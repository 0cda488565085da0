"""The vector index as a usearch HNSW file in the data dir (SQLite, or PostgreSQL without pgvector).

Layout of `DATA_DIR/search/`:

- `vectors-<generation>.usearch`: the HNSW graph with f16 vectors (cosine), keyed by paper id.
- `vectors-<generation>.ids.npy`, `.f16.npy`: the same vectors as a flat matrix sorted by paper
  id, for exact search among a filter's papers (gathering 10,000 rows from usearch one key at
  a time took ~70 ms; from this memory-mapped matrix a few ms).
- `vectors.json`: which file is current, the embedding model it holds, its dimension and count,
  and its watermark: it holds every Embedding row of that model with `updated_at <= watermark`.
- `vectors.lock`: taken (flock) by whoever writes: the job-queue worker, `reindex`.

Why usearch, f16, connectivity 16, expansion 64/64 (`bench/ann_index.py`, 200 K x 384 on 2
busy cores): recall@10 1.000 at 0.36 ms p50; i8 caps recall at 0.95; f32 doubles the file for
nothing; faiss HNSW is as fast but has no memory-mapped view, no removal and twice the file;
faiss IVF-SQ8 builds fastest but misses 0.6% and has no view either.

Why this shape:

- Readers (web workers) open the file as a memory-mapped `view`: milliseconds, no copy, pages
  shared between processes. Before each query a reader stats `vectors.json` (a microsecond);
  a new generation is a new file name, so a reader never sees a half-written file, and a file
  it still has mapped stays readable after the writer deletes it.
- Saving the file means writing all of it (hundreds of MB at 1 M), so the writer does not save
  on every `upsert` (indexing calls it every 64 papers). Rows newer than the watermark are the
  "delta": each reader keeps them in memory and scans them exactly with numpy, fetching only
  rows changed since its last look (an indexed range on `updated_at`), and they supersede the
  file's hits for the same papers. Once the delta reaches `SAVE_EVERY` rows the writer folds it
  into the file and saves a new generation; the delta then restarts from the new watermark.
- The writer reads the delta from the database, not from `upsert`'s arguments: the rows are
  the truth, and rows whose writer died before saving are folded in all the same.
- A row committed late with an `updated_at` older than a reader's last look would be missed
  by that reader's incremental fetch; readers therefore look back `LOOKBACK` seconds (indexing
  transactions last milliseconds), and `upsert` saves at once when one of its rows is older
  than the file's watermark.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

# onnxruntime before usearch, always: imported after usearch's extension module, onnxruntime's
# own crashes the process (segmentation fault; usearch 2.26.6 and onnxruntime 1.32.0 wheels).
import onnxruntime  # noqa: F401
from django.utils import timezone
from usearch.index import Index, MetricKind
from usearch.index import search as exact_search

from dailypapers.search.models import Embedding
from dailypapers.search.vectors import current_model

log = logging.getLogger("dailypapers.search")

FORMAT = 1
# Rows left in the delta before the writer folds them into the file (a reader scans the delta
# exactly: 5,000 x 384 is a quarter of a millisecond).
SAVE_EVERY = 5_000
# How far back a reader re-reads the delta on every query, for rows committed late (an
# indexing transaction lasts milliseconds; this also absorbs clock skew between hosts).
LOOKBACK = timedelta(seconds=30)
# `among` this size or smaller is searched exactly (the stored vectors of those ids); above,
# the graph is searched with oversampling and its hits filtered.
EXACT_AMONG = 20_000
# Rows read from the database per step of a rebuild.
CHUNK = 20_000
HNSW = {"metric": "cos", "dtype": "f16", "connectivity": 16, "expansion_add": 64}
EXPANSION_SEARCH = 64


@dataclass
class _Meta:
    model: str
    dim: int
    count: int
    watermark: datetime | None
    file: str | None
    format: int = FORMAT

    def dumps(self) -> str:
        data = dict(self.__dict__, watermark=self.watermark and self.watermark.isoformat())
        return json.dumps(data)

    @classmethod
    def loads(cls, text: str) -> _Meta:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"index format {data.get('format')}, expected {FORMAT}")
        mark = data["watermark"]
        return cls(**dict(data, watermark=mark and datetime.fromisoformat(mark)))


@dataclass(frozen=True)
class _Delta:
    """Rows newer than the file's watermark, as this process last read them. Never changed in
    place: a search that took one keeps a consistent pair of ids and vectors."""

    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    vectors: np.ndarray | None = None
    seen_until: datetime | None = None

    def merged(
        self, rows: list[tuple[int, bytes, datetime]], dim: int, checked_at: datetime
    ) -> _Delta:
        # Next time, rows written since this look (less the look-back) are enough.
        seen_until = max([checked_at, *(r[2] for r in rows)])
        if not rows:
            return _Delta(self.ids, self.vectors, seen_until)
        new_ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        old = self.vectors if self.vectors is not None else np.zeros((0, dim), np.float32)
        ids = np.concatenate([self.ids, new_ids])
        vectors = np.concatenate([old, _matrix([r[1] for r in rows], dim)])
        # Keep the last copy of each id (rows re-read within the look-back, or re-embedded).
        _, last = np.unique(ids[::-1], return_index=True)
        keep = np.sort(len(ids) - 1 - last)
        return _Delta(ids[keep], vectors[keep], seen_until)


def _matrix(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dim), np.float32)
    return np.frombuffer(b"".join(bytes(b) for b in blobs), dtype="<f4").reshape(-1, dim)


def _files(graph: str) -> tuple[str, str, str]:
    """A generation's files: the graph, then the flat matrix's sorted ids and f16 rows."""
    stem = graph.removesuffix(".usearch")
    return graph, f"{stem}.ids.npy", f"{stem}.f16.npy"


@dataclass(frozen=True)
class _Flat:
    """Every vector of a generation as f16 rows sorted by paper id."""

    ids: np.ndarray
    rows: np.ndarray

    @classmethod
    def empty(cls, dim: int) -> _Flat:
        return cls(np.zeros(0, np.int64), np.zeros((0, dim), np.float16))

    @classmethod
    def load(cls, directory: Path, graph: str, mmap: bool) -> _Flat:
        _, ids, rows = _files(graph)
        mode = "r" if mmap else None
        return cls(
            np.load(directory / ids, mmap_mode=mode), np.load(directory / rows, mmap_mode=mode)
        )

    def without(self, keys: np.ndarray) -> _Flat:
        keep = ~np.isin(self.ids, keys)
        return _Flat(np.asarray(self.ids[keep]), np.asarray(self.rows[keep]))

    def replaced(self, keys: np.ndarray, vectors: np.ndarray) -> _Flat:
        rest = self.without(keys)
        ids = np.concatenate([rest.ids, keys])
        rows = np.concatenate([rest.rows, vectors.astype(np.float16)])
        order = np.argsort(ids, kind="stable")
        return _Flat(ids[order], rows[order])

    def nearest(self, query: np.ndarray, k: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact top k among `keys` (sorted): (ids, cosine similarities). usearch's SIMD f16
        kernels score the gathered rows 5x faster than numpy converting them to float32."""
        if not len(self.ids) or not len(keys):
            return keys[:0], np.zeros(0, np.float32)
        where = np.minimum(np.searchsorted(self.ids, keys), len(self.ids) - 1)
        found = self.ids[where] == keys
        keys, rows = keys[found], self.rows[where[found]]
        if not len(keys):
            return keys, np.zeros(0, np.float32)
        hits = exact_search(
            rows, query.astype(np.float16), min(k, len(keys)), MetricKind.Cos, exact=True, threads=1
        )
        return keys[hits.keys.astype(np.int64)], 1.0 - hits.distances.astype(np.float32)


def _top(ids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    if len(ids) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        ids, scores = ids[part], scores[part]
    order = np.lexsort((ids, -scores))
    return list(zip(ids[order].tolist(), scores[order].tolist(), strict=True))


def _exact_among(query, k, among, flat: _Flat, delta: _Delta) -> list[tuple[int, float]]:
    """Exact scores over the allowed ids: vectors from the delta when it has them, else from
    the file's flat matrix (f16 copies: scores agree with float32 to ~1e-3)."""
    ids = np.unique(np.fromiter(among, np.int64, len(among)))
    in_delta = np.isin(ids, delta.ids)
    rows = np.isin(delta.ids, ids[in_delta])
    found, found_scores = flat.nearest(query, k, ids[~in_delta])
    all_ids = np.concatenate([delta.ids[rows], found])
    delta_scores = delta.vectors[rows] @ query if rows.any() else np.zeros(0, np.float32)
    return _top(all_ids, np.concatenate([delta_scores, found_scores]), k)


class UsearchIndex:
    """See the module docstring. One object per process; thread-safe."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.RLock()
        self._stamp: tuple[int, int] | None = None  # (inode, mtime_ns) of the meta file read
        self._meta: _Meta | None = None
        self._view: Index | None = None
        self._flat = _Flat.empty(0)
        self._delta = _Delta()
        # The writer's own loaded (writable) copy of the current generation.
        self._writable: Index | None = None
        self._writable_file: str | None = None
        self._write_depth = 0

    # ------------------------------------------------------------ paths and meta

    @property
    def meta_path(self) -> Path:
        return self.directory / "vectors.json"

    def _read_meta(self) -> _Meta | None:
        try:
            return _Meta.loads(self.meta_path.read_text())
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as error:
            log.warning("vector index: unreadable %s (%s), rebuilding", self.meta_path, error)
            return None

    def _fresh(self, meta: _Meta | None, model: str) -> bool:
        return (
            meta is not None
            and meta.model == model
            and (
                meta.file is None
                or all((self.directory / name).exists() for name in _files(meta.file))
            )
        )

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time across processes (flock) and threads (the RLock). Re-entrant:
        flock on a second descriptor of the same file would wait for ourselves."""
        with self._lock:
            if self._write_depth:
                self._write_depth += 1
                try:
                    yield
                finally:
                    self._write_depth -= 1
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(self.directory / "vectors.lock", "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                self._write_depth = 1
                try:
                    yield
                finally:
                    self._write_depth = 0
                    fcntl.flock(handle, fcntl.LOCK_UN)

    # ------------------------------------------------------------ reading

    def _current(self, model: str) -> _Meta:
        """The current generation opened as a view (reopened when another process saved one),
        built first when missing or stale."""
        try:
            stat = os.stat(self.meta_path)
            stamp = (stat.st_ino, stat.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        if stamp is not None and stamp == self._stamp and self._meta.model == model:
            return self._meta
        meta = self._read_meta()
        if not self._fresh(meta, model):
            self._rebuild_if_stale(model)
            return self._current(model)
        view, flat = None, _Flat.empty(meta.dim)
        if meta.file is not None:
            try:
                view = Index.restore(str(self.directory / meta.file), view=True)
                flat = _Flat.load(self.directory, meta.file, mmap=True)
            except (FileNotFoundError, RuntimeError, ValueError):
                # A writer replaced that generation between our reading the meta and opening it.
                self._stamp = None
                return self._current(model)
            view.expansion_search = EXPANSION_SEARCH
        self._meta, self._view, self._flat, self._stamp = meta, view, flat, stamp
        self._delta = _Delta()
        return meta

    def _refresh_delta(self, meta: _Meta, dim: int) -> _Delta:
        delta = self._delta
        since = meta.watermark
        if delta.seen_until is not None:
            since = (
                delta.seen_until - LOOKBACK
                if since is None
                else max(since, delta.seen_until - LOOKBACK)
            )
        checked_at = timezone.now()
        rows = Embedding.objects.filter(model=meta.model)
        if since is not None:
            rows = rows.filter(updated_at__gt=since)
        found = list(rows.values_list("paper_id", "vector", "updated_at"))
        self._delta = delta.merged(found, dim, checked_at)
        return self._delta

    def search(
        self, vector: np.ndarray, k: int, *, among: Collection[int] | None = None
    ) -> list[tuple[int, float]]:
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if k <= 0 or (among is not None and len(among) == 0):
            return []
        model = current_model()
        with self._lock:
            meta = self._current(model)
            # An index built from no rows has no dimension yet (0): the query's is taken.
            dim = meta.dim or query.shape[0]
            if query.shape[0] != dim:
                raise ValueError(f"query has {query.shape[0]} dimensions, the index {dim}")
            delta = self._refresh_delta(meta, dim)
            view, flat = self._view, self._flat
        if among is not None and len(among) <= EXACT_AMONG:
            return _exact_among(query, k, among, flat, delta)
        allowed = None if among is None else set(among)
        want = k
        while True:
            hits = self._merged(query, want, view, delta, allowed)
            if allowed is None or len(hits) >= k or want >= meta.count + len(delta.ids):
                return hits[:k]
            want *= 4  # too few survived the filter: look deeper

    def _merged(self, query, want, view, delta, allowed) -> list[tuple[int, float]]:
        scores: dict[int, float] = {}
        if view is not None and len(view):
            found = view.search(query, min(want + len(delta.ids), len(view)), threads=1)
            for key, distance in zip(found.keys.tolist(), found.distances.tolist(), strict=True):
                scores[key] = 1.0 - distance
        if len(delta.ids):
            # The delta's rows are newer than the file's copies of the same papers.
            for key, score in zip(
                delta.ids.tolist(), (delta.vectors @ query).tolist(), strict=True
            ):
                scores[key] = score
        if allowed is not None:
            scores = {key: s for key, s in scores.items() if key in allowed}
        return sorted(scores.items(), key=lambda item: -item[1])[: max(want, 1)]

    # ------------------------------------------------------------ writing

    def prepare(self) -> None:
        self._rebuild_if_stale(current_model())

    def _rebuild_if_stale(self, model: str) -> None:
        """Several processes may find the file stale at once: the first to get the lock
        builds it, the others find it fresh."""
        with self._writing():
            if not self._fresh(self._read_meta(), model):
                self.rebuild()

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        """A new file from every Embedding row of the current model."""
        model = current_model()
        with self._writing():
            rows = Embedding.objects.filter(model=model)
            total = rows.count()
            index, watermark, done, flats = None, None, 0, []
            # Ordered by `updated_at` so the watermark is exact even if rows are written meanwhile:
            # everything up to the last row read is in the file, the rest is the delta.
            chunk: list[tuple[int, bytes, datetime]] = []
            for row in (
                rows.order_by("updated_at", "paper_id")
                .values_list("paper_id", "vector", "updated_at")
                .iterator(chunk_size=2_000)
            ):
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    index, watermark, done = self._add_chunk(index, chunk, done, flats)
                    chunk = []
                    if progress:
                        progress(done, total)
            if chunk:
                index, watermark, done = self._add_chunk(index, chunk, done, flats)
            if progress:
                progress(done, total)
            dim = index.ndim if index is not None else 0
            flat = _Flat.empty(dim).replaced(
                np.concatenate([f.ids for f in flats]) if flats else np.zeros(0, np.int64),
                np.concatenate([f.rows for f in flats])
                if flats
                else np.zeros((0, dim), np.float16),
            )
            self._save(index, flat, _Meta(model, dim, done, watermark, None))

    def _add_chunk(self, index, chunk, done, flats):
        dim = len(chunk[0][1]) // 4
        if index is None:
            index = Index(ndim=dim, **HNSW)
        vectors = _matrix([r[1] for r in chunk], dim)
        keys = np.fromiter((r[0] for r in chunk), np.uint64, len(chunk))
        index.add(keys, vectors, threads=os.cpu_count() or 1)
        flats.append(_Flat(keys.astype(np.int64), vectors.astype(np.float16)))
        return index, chunk[-1][2], done + len(chunk)

    def upsert(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Readers see committed rows at once through the delta; the file is saved again once
        the delta is big, or when a row is older than the watermark (a late commit)."""
        if not len(ids):
            return
        model = current_model()
        meta = self._read_meta()
        if not self._fresh(meta, model):
            self.rebuild()
            return
        delta = Embedding.objects.filter(model=model)
        if meta.watermark is not None:
            delta = delta.filter(updated_at__gt=meta.watermark)
        late = (
            meta.watermark is not None
            and Embedding.objects.filter(
                paper_id__in=list(ids), model=model, updated_at__lte=meta.watermark
            ).exists()
        )
        if late or delta.count() >= SAVE_EVERY:
            self.fold_delta(list(ids) if late else [])

    def fold_delta(self, also: Sequence[int] = ()) -> None:
        """Put the delta (and the rows of `also`) into the file and save a new generation."""
        model = current_model()
        with self._writing():
            meta = self._read_meta()
            if not self._fresh(meta, model):
                self.rebuild()
                return
            rows = Embedding.objects.filter(model=model)
            if meta.watermark is not None:
                rows = rows.filter(updated_at__gt=meta.watermark)
            fetched = list(rows.values_list("paper_id", "vector", "updated_at"))
            if also:
                extra = Embedding.objects.filter(model=model, paper_id__in=list(also))
                fetched += list(extra.values_list("paper_id", "vector", "updated_at"))
            if not fetched:
                return
            dim = len(fetched[0][1]) // 4
            index = self._writable_copy(meta) or Index(ndim=dim, **HNSW)
            keys = np.array(sorted({r[0] for r in fetched}), np.uint64)
            latest = {r[0]: r for r in sorted(fetched, key=lambda r: r[2])}
            present = keys[index.contains(keys)] if len(index) else keys[:0]
            if len(present):
                index.remove(present)
            matrix = _matrix([latest[k][1] for k in keys.tolist()], dim)
            index.add(keys, matrix, threads=1)
            flat = self._writable_flat(meta, dim).replaced(keys.astype(np.int64), matrix)
            newest = max(r[2] for r in fetched)
            watermark = newest if meta.watermark is None else max(meta.watermark, newest)
            self._save(index, flat, _Meta(model, dim, len(index), watermark, None))

    def remove(self, ids: Sequence[int]) -> None:
        model = current_model()
        with self._writing():
            # Rows of removed papers may sit in this process's delta (the delta reads rows
            # changed since its last look, and a deleted row is no change): read it afresh.
            # Other processes' deltas may keep them until the next file: the service drops
            # ids whose paper is gone.
            self._delta = _Delta()
            meta = self._read_meta()
            if not self._fresh(meta, model) or meta.file is None:
                return  # nothing on file; a rebuild reads only the rows that exist
            index = self._writable_copy(meta)
            keys = np.asarray(list(ids), np.uint64)
            keys = keys[index.contains(keys)] if len(keys) else keys
            if not len(keys):
                return
            index.remove(keys)
            flat = self._writable_flat(meta, meta.dim).without(keys.astype(np.int64))
            self._save(index, flat, _Meta(model, meta.dim, len(index), meta.watermark, None))

    def _writable_copy(self, meta: _Meta) -> Index | None:
        """The current generation loaded for writing; kept while it stays current."""
        if meta.file is None:
            return None
        if self._writable is None or self._writable_file != meta.file:
            self._writable = Index.restore(str(self.directory / meta.file))
            self._writable_file = meta.file
        return self._writable

    def _writable_flat(self, meta: _Meta, dim: int) -> _Flat:
        if meta.file is None:
            return _Flat.empty(dim)
        return _Flat.load(self.directory, meta.file, mmap=False)

    def _save(self, index: Index | None, flat: _Flat, meta: _Meta) -> None:
        """Write a new generation beside the old one, then switch `vectors.json` to it
        (atomic rename): readers see the old files or the new, never half of one."""
        if index is not None and len(index):
            meta.file = f"vectors-{uuid.uuid4().hex[:12]}.usearch"
            graph, ids, rows = (self.directory / name for name in _files(meta.file))
            index.save(str(graph) + ".tmp")
            for path, array in ((ids, flat.ids), (rows, flat.rows)):
                with open(str(path) + ".tmp", "wb") as handle:
                    np.save(handle, array)
            for path in (graph, ids, rows):
                os.replace(str(path) + ".tmp", path)
        else:
            index = None
        temporary = self.meta_path.with_suffix(".json.tmp")
        temporary.write_text(meta.dumps())
        os.replace(temporary, self.meta_path)
        self._writable, self._writable_file = index, meta.file
        current = set(_files(meta.file)) if meta.file else set()
        for old in self.directory.glob("vectors-*"):
            if old.name not in current:
                old.unlink(missing_ok=True)  # a reader that still maps it keeps its pages
