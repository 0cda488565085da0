"""The vector index as a pgvector table with an HNSW index (PostgreSQL with the `vector` extension).

`search_vector(paper_id, embedding vector(dim))` mirrors the Embedding rows of the current model
(one row per paper, deleted with its paper), and `search_vector_state` records which model and
dimension the table holds: another model makes the table stale and it is rebuilt. The backend
creates both the first time it is used, so no migration depends on the extension being there
(Debian's PostgreSQL has none; a managed service usually has it).

Queries are ordered by cosine distance through the HNSW index. Filtered queries (`among`):
a small set is scored exactly (the planner is kept off the graph, which would return fewer
than k); a large one uses pgvector 0.8's iterative index scans, or a deeper `ef_search` on
older versions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator, Sequence

import numpy as np
from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper

from dailypapers.search import vectors
from dailypapers.search.models import Embedding

TABLE = "search_vector"
STATE = "search_vector_state"
EXACT_AMONG = 20_000
# ef_search: candidates kept while walking the graph; pgvector returns at most this many rows.
EF_SEARCH = 64
EF_MAX = 1_000
COPY_CHUNK = 5_000


def unavailable_reason() -> str | None:
    """None when the `vector` extension is installed or can be installed on the default
    database; otherwise why not, in words for an error message."""
    if connection.vendor != "postgresql":
        return f"the database is {connection.vendor}, not PostgreSQL"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
        if cursor.fetchone():
            return None
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        if not cursor.fetchone():
            return "the PostgreSQL server has no pgvector extension ('vector' is not available)"
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except DatabaseError as error:
        return f"CREATE EXTENSION vector failed: {str(error).strip()}"
    return None


@contextlib.contextmanager
def _cursor() -> Iterator[CursorWrapper]:
    """A cursor in a transaction, with the extension and the state table created and pgvector's
    adapters (numpy arrays in and out) registered on the connection first: a cursor copies the
    adapters its connection has when it is made."""
    from pgvector.psycopg import register_vector

    with transaction.atomic():
        with connection.cursor() as probe:
            probe.execute("SELECT to_regtype('vector')::oid, to_regclass(%s) IS NOT NULL", [STATE])
            oid, has_state = probe.fetchone()
            if oid is None:
                probe.execute("CREATE EXTENSION IF NOT EXISTS vector")
                probe.execute("SELECT to_regtype('vector')::oid")
                oid = probe.fetchone()[0]
            if not has_state:
                probe.execute(
                    f"CREATE TABLE IF NOT EXISTS {STATE} (model text NOT NULL, dim int NOT NULL)"
                )
        raw = connection.connection
        # Keyed by the type's oid: an extension dropped and created again has a new one.
        if getattr(raw, "_dailypapers_vector_oid", None) != oid:
            register_vector(raw)
            raw._dailypapers_vector_oid = oid
        with connection.cursor() as cursor:
            yield cursor


class PgvectorIndex:
    """See the module docstring."""

    def _ensure(self, cursor, rebuild_if_stale: bool = True) -> int | None:
        """Rebuilds the table when it is missing or holds another model's vectors.
        Returns the dimension (0 while there is no vector at all; None when stale and not
        rebuilt)."""
        model = vectors.current_model()
        cursor.execute(f"SELECT model, dim, to_regclass(%s) IS NOT NULL FROM {STATE}", [TABLE])
        row = cursor.fetchone()
        if row and row[0] == model and row[2]:
            return row[1]
        if not rebuild_if_stale:
            return None
        return self._rebuild(cursor, model, None)

    def prepare(self) -> None:
        with _cursor() as cursor:
            self._ensure(cursor)

    # ------------------------------------------------------------ reading

    def search(
        self, vector: np.ndarray, k: int, *, among: Collection[int] | None = None
    ) -> list[tuple[int, float]]:
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if k <= 0 or (among is not None and len(among) == 0):
            return []
        with _cursor() as cursor:
            dim = self._ensure(cursor)
            if not dim:
                return []
            if query.shape[0] != dim:
                raise ValueError(f"query has {query.shape[0]} dimensions, the index {dim}")
            ids = None if among is None else [int(i) for i in among]
            if ids is not None and len(ids) <= EXACT_AMONG:
                # MATERIALIZED keeps the planner from answering with the graph (which would
                # walk it and then drop the rows outside the set, returning fewer than k).
                cursor.execute(
                    f"WITH scored AS MATERIALIZED (SELECT paper_id, embedding <=> %s AS d "
                    f"FROM {TABLE} WHERE paper_id = ANY(%s)) "
                    "SELECT paper_id, 1 - d FROM scored ORDER BY d, paper_id LIMIT %s",
                    [query, ids, k],
                )
                return [(pk, float(score)) for pk, score in cursor.fetchall()]
            self._tune(cursor, k, filtered=ids is not None)
            where, params = ("WHERE paper_id = ANY(%s)", [ids]) if ids is not None else ("", [])
            cursor.execute(
                f"SELECT paper_id, 1 - (embedding <=> %s) FROM {TABLE} {where} "
                "ORDER BY embedding <=> %s LIMIT %s",
                [query, *params, query, k],
            )
            return [(pk, float(score)) for pk, score in cursor.fetchall()]

    def _tune(self, cursor, k: int, filtered: bool) -> None:
        """ef_search bounds how many rows the graph yields, so it must cover k; a filter
        drops rows after the walk, so it asks pgvector >= 0.8 to keep walking."""
        ef = min(EF_MAX, max(EF_SEARCH, 2 * k))
        cursor.execute("SELECT set_config('hnsw.ef_search', %s, true)", [str(ef)])
        if filtered or k > EF_MAX:
            if self._iterative(cursor):
                cursor.execute("SELECT set_config('hnsw.iterative_scan', 'strict_order', true)")
                cursor.execute("SELECT set_config('hnsw.max_scan_tuples', '200000', true)")
            else:
                cursor.execute("SELECT set_config('hnsw.ef_search', %s, true)", [str(EF_MAX)])

    @staticmethod
    def _iterative(cursor) -> bool:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        version = tuple(int(p) for p in cursor.fetchone()[0].split(".")[:2])
        return version >= (0, 8)

    # ------------------------------------------------------------ writing

    def upsert(self, ids: Sequence[int], vectors_: np.ndarray) -> None:
        if not len(ids):
            return
        with _cursor() as cursor:
            dim = self._ensure(cursor)
            matrix = np.asarray(vectors_, dtype=np.float32).reshape(len(ids), -1)
            if dim != matrix.shape[1]:
                self._rebuild(cursor, vectors.current_model(), None)
                return
            # Papers deleted since their vectors were made are skipped, not an error.
            cursor.execute(
                f"INSERT INTO {TABLE} (paper_id, embedding) "
                "SELECT v.id, v.e FROM unnest(%s::bigint[], %s::vector[]) AS v(id, e) "
                "WHERE EXISTS (SELECT 1 FROM papers_paper p WHERE p.id = v.id) "
                "ON CONFLICT (paper_id) DO UPDATE SET embedding = EXCLUDED.embedding",
                [[int(i) for i in ids], list(matrix)],
            )

    def remove(self, ids: Sequence[int]) -> None:
        if not len(ids):
            return
        with _cursor() as cursor:
            if self._ensure(cursor, rebuild_if_stale=False) is None:
                return
            cursor.execute(f"DELETE FROM {TABLE} WHERE paper_id = ANY(%s)", [[int(i) for i in ids]])

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        with _cursor() as cursor:
            self._rebuild(cursor, vectors.current_model(), progress)

    def _rebuild(self, cursor, model: str, progress) -> int:
        """Table dropped and filled again by binary COPY, then the HNSW index built over it
        (building after the load is several times faster than keeping it up row by row).
        Returns the dimension."""
        rows = Embedding.objects.filter(model=model)
        total = rows.count()
        first = rows.values_list("vector", flat=True).first()
        dim = len(first) // 4 if first is not None else 0
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (paper_id bigint PRIMARY KEY "
            f"REFERENCES papers_paper(id) ON DELETE CASCADE, "
            f"embedding vector({max(dim, 1)}) NOT NULL)"
        )
        done, after = 0, -1
        # Chunks by key: the connection cannot read the Embedding rows while a COPY is open.
        while chunk := list(
            rows.filter(paper_id__gt=after)
            .order_by("paper_id")
            .values_list("paper_id", "vector")[:COPY_CHUNK]
        ):
            with cursor.cursor.copy(
                f"COPY {TABLE} (paper_id, embedding) FROM STDIN WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "vector"])
                for pk, blob in chunk:
                    copy.write_row((pk, np.frombuffer(bytes(blob), dtype="<f4")))
            done += len(chunk)
            after = chunk[-1][0]
            if progress:
                progress(done, total)
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            f"CREATE INDEX {TABLE}_hnsw ON {TABLE} USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = 16, ef_construction = 64)"
        )
        cursor.execute(f"DELETE FROM {STATE}")
        cursor.execute(f"INSERT INTO {STATE} (model, dim) VALUES (%s, %s)", [model, dim])
        return dim
