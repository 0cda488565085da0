"""The vector index file (usearch) and the backend choice, on SQLite and on PostgreSQL without
pgvector: real Embedding rows, real index files, answers checked against numpy."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from dailypapers.search import paper_vectors, vectors, vectors_usearch
from dailypapers.search.models import Embedding
from dailypapers.search.vectors import current_model, get_vector_index, similar_papers
from dailypapers.search.vectors_usearch import UsearchIndex
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def clustered(n: int, dim: int, seed: int = 0) -> np.ndarray:
    """Unit vectors in a few clusters, so neighbours are meaningful and ties are rare."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((8, dim))
    points = centers[rng.integers(0, 8, n)] + 0.6 * rng.standard_normal((n, dim))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32)


def store(vectors_: np.ndarray, model: str | None = None, papers=None) -> list[int]:
    """Papers (new unless given) with these vectors as their Embedding rows."""
    model = model or current_model()
    papers = papers or [make_paper(authors=()) for _ in range(len(vectors_))]
    for paper, vector in zip(papers, vectors_, strict=True):
        Embedding.objects.update_or_create(
            paper=paper,
            defaults={"model": model, "text_hash": "x", "vector": vector.astype("<f4").tobytes()},
        )
    return [p.pk for p in papers]


def exact(ids: list[int], matrix: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    order = np.argsort(-(matrix @ query), kind="stable")[:k]
    return [ids[i] for i in order]


@pytest.fixture
def dim() -> int:
    from dailypapers.search.embeddings import get_embedder

    return get_embedder().dim


@pytest.fixture
def file_index(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.VECTOR_INDEX = "file"
    vectors.reset_vector_indexes()
    yield UsearchIndex(tmp_path / "search")
    vectors.reset_vector_indexes()


def test_nearest_neighbours_are_those_numpy_finds(file_index, dim):
    matrix = clustered(300, dim)
    ids = store(matrix)
    query = clustered(1, dim, seed=9)[0]
    hits = file_index.search(query, 10)
    assert [pk for pk, _ in hits] == exact(ids, matrix, query, 10)
    scores = dict(zip(ids, (matrix @ query).tolist(), strict=True))
    # f16 copies in the file: cosine to about 1e-3.
    assert all(abs(score - scores[pk]) < 5e-3 for pk, score in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_a_missing_index_file_is_built_from_the_rows(file_index, dim):
    store(clustered(50, dim))
    assert not (file_index.directory / "vectors.json").exists()
    file_index.search(clustered(1, dim, 3)[0], 5)
    meta = json.loads((file_index.directory / "vectors.json").read_text())
    assert meta["count"] == 50 and meta["model"] == current_model() and meta["dim"] == dim
    assert (file_index.directory / meta["file"]).exists()


def test_upserted_vectors_are_seen_by_another_process_without_a_rebuild(file_index, dim):
    store(clustered(100, dim))
    reader = UsearchIndex(file_index.directory)  # what a web worker holds
    query = clustered(1, dim, seed=5)[0]
    reader.search(query, 5)
    built = json.loads((file_index.directory / "vectors.json").read_text())
    # A new paper whose vector is the query itself: it must come first, at once.
    [new] = store(query[None, :])
    file_index.upsert([new], query[None, :])
    hits = reader.search(query, 5)
    assert hits[0][0] == new and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    # Below SAVE_EVERY, the file was not written again: the delta answered.
    assert json.loads((file_index.directory / "vectors.json").read_text()) == built


def test_a_full_delta_is_folded_into_a_new_file_that_readers_switch_to(
    file_index, dim, monkeypatch
):
    store(clustered(100, dim))
    reader = UsearchIndex(file_index.directory)
    reader.search(clustered(1, dim, 1)[0], 5)
    old = json.loads((file_index.directory / "vectors.json").read_text())
    monkeypatch.setattr(vectors_usearch, "SAVE_EVERY", 3)
    fresh = clustered(3, dim, seed=11)
    new_ids = store(fresh)
    file_index.upsert(new_ids, fresh)
    meta = json.loads((file_index.directory / "vectors.json").read_text())
    assert meta["count"] == 103 and meta["file"] != old["file"]
    assert not (file_index.directory / old["file"]).exists()  # the old generation is gone
    for pk, vector in zip(new_ids, fresh, strict=True):
        assert reader.search(vector, 1)[0][0] == pk
    assert len(reader._delta.ids) == 0  # the reader reopened the file; nothing left over


def test_a_changed_vector_replaces_the_old_one(file_index, dim, monkeypatch):
    matrix = clustered(60, dim)
    ids = store(matrix)
    reader = UsearchIndex(file_index.directory)
    target = clustered(1, dim, seed=21)[0]
    reader.search(target, 3)
    papers = [Embedding.objects.get(pk=ids[7]).paper]
    store(target[None, :], papers=papers)
    file_index.upsert([ids[7]], target[None, :])
    assert reader.search(target, 1)[0][0] == ids[7]
    # Its old place is gone: near its old vector it scores as the new vector does.
    score = dict(reader.search(matrix[7], 60))[ids[7]]
    assert score == pytest.approx(float(target @ matrix[7]), abs=5e-3)
    monkeypatch.setattr(vectors_usearch, "SAVE_EVERY", 1)
    file_index.upsert([ids[7]], target[None, :])  # folded into the file now
    assert reader.search(target, 1)[0][0] == ids[7]
    assert dict(reader.search(matrix[7], 60))[ids[7]] == pytest.approx(score, abs=5e-3)


def test_removed_papers_leave_the_index(file_index, dim):
    matrix = clustered(40, dim)
    ids = store(matrix)
    reader = UsearchIndex(file_index.directory)
    reader.search(matrix[0], 3)
    Embedding.objects.filter(pk=ids[0]).delete()
    file_index.remove([ids[0]])
    assert ids[0] not in [pk for pk, _ in reader.search(matrix[0], 40)]
    assert json.loads((file_index.directory / "vectors.json").read_text())["count"] == 39


@pytest.mark.parametrize("damage", ["delete the meta", "delete the file", "garble the meta"])
def test_a_damaged_index_is_rebuilt(file_index, dim, damage):
    matrix = clustered(30, dim)
    ids = store(matrix)
    file_index.search(matrix[0], 1)
    meta_path = file_index.directory / "vectors.json"
    if damage == "delete the meta":
        meta_path.unlink()
    elif damage == "delete the file":
        (file_index.directory / json.loads(meta_path.read_text())["file"]).unlink()
    else:
        meta_path.write_text("{not json")
    reader = UsearchIndex(file_index.directory)
    assert reader.search(matrix[4], 1)[0][0] == ids[4]
    assert json.loads(meta_path.read_text())["count"] == 30


def test_a_changed_model_makes_the_index_stale(file_index, dim, settings):
    from dailypapers.search.embeddings import get_embedder

    first_model = current_model()
    minilm = clustered(20, dim)
    minilm_ids = store(minilm)
    file_index.search(minilm[0], 1)
    settings.EMBEDDING_MODEL = "wordllama"
    other = get_embedder()
    assert other.name != first_model
    assert other.name == current_model()
    wordllama = clustered(5, other.dim, seed=3)
    word_ids = store(wordllama, model=other.name)
    hits = UsearchIndex(file_index.directory).search(wordllama[2], 10)
    assert {pk for pk, _ in hits} == set(word_ids)  # the 20 MiniLM rows are another model's
    assert hits[0][0] == word_ids[2]
    meta = json.loads((file_index.directory / "vectors.json").read_text())
    assert meta["model"] == other.name and meta["dim"] == other.dim
    assert not set(minilm_ids) & {pk for pk, _ in hits}


def test_among_restricts_to_those_papers_exactly(file_index, dim):
    matrix = clustered(200, dim)
    ids = store(matrix)
    query = clustered(1, dim, seed=4)[0]
    allowed = ids[::7]
    rows = [ids.index(pk) for pk in allowed]
    hits = file_index.search(query, 5, among=set(allowed))
    assert [pk for pk, _ in hits] == exact(allowed, matrix[rows], query, 5)
    # Papers only in the delta (not yet in the file) are found among the allowed too.
    [late] = store(query[None, :])
    file_index.upsert([late], query[None, :])
    hits = file_index.search(query, 3, among=[late, *allowed])
    assert hits[0][0] == late
    assert file_index.search(query, 3, among=[]) == []
    assert file_index.search(query, 3, among=[10**9]) == []  # no such paper


def test_a_large_among_searches_the_graph_and_filters(file_index, dim, monkeypatch):
    monkeypatch.setattr(vectors_usearch, "EXACT_AMONG", 2)
    matrix = clustered(200, dim)
    ids = store(matrix)
    query = clustered(1, dim, seed=8)[0]
    allowed = ids[1::5]
    rows = [ids.index(pk) for pk in allowed]
    hits = file_index.search(query, 8, among=allowed)
    assert [pk for pk, _ in hits] == exact(allowed, matrix[rows], query, 8)


def test_a_query_of_the_wrong_dimension_is_refused(file_index, dim):
    store(clustered(5, dim))
    with pytest.raises(ValueError, match="dimensions"):
        file_index.search(np.ones(dim + 1, np.float32), 3)


def test_an_empty_database_gives_no_hits_and_then_finds_new_rows(file_index, dim):
    assert file_index.search(clustered(1, dim)[0], 5) == []
    vector = clustered(1, dim, seed=2)
    [pk] = store(vector)
    file_index.upsert([pk], vector)
    assert file_index.search(vector[0], 5)[0][0] == pk


def test_similar_papers_excludes_the_paper_itself(file_index, dim):
    matrix = clustered(80, dim)
    ids = store(matrix)
    similar = similar_papers(ids[3], k=6)
    assert len(similar) == 6 and ids[3] not in [pk for pk, _ in similar]
    others = [i for i in range(80) if i != 3]
    assert [pk for pk, _ in similar] == exact(
        [ids[i] for i in others], matrix[others], matrix[3], 6
    )


def test_similar_papers_of_a_paper_without_a_vector_is_empty(file_index, dim):
    store(clustered(5, dim))
    assert similar_papers(make_paper(authors=()).pk) == []
    assert similar_papers(10**9) == []


def test_the_file_backend_is_chosen_where_pgvector_is_not_usable(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.VECTOR_INDEX = "auto"
    vectors.reset_vector_indexes()
    try:
        if connection.vendor == "postgresql":
            from dailypapers.search.vectors_pgvector import unavailable_reason

            if unavailable_reason() is None:
                pytest.skip("this PostgreSQL has pgvector: see test_vectors_pgvector.py")
        assert isinstance(get_vector_index(), UsearchIndex)
    finally:
        vectors.reset_vector_indexes()


def test_asking_for_pgvector_without_it_is_a_clear_configuration_error(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.VECTOR_INDEX = "pgvector"
    vectors.reset_vector_indexes()
    if connection.vendor == "postgresql":
        from dailypapers.search.vectors_pgvector import unavailable_reason

        if unavailable_reason() is None:
            pytest.skip("this PostgreSQL has pgvector")
        expected = "no pgvector extension"
    else:
        expected = "needs PostgreSQL"
    with pytest.raises(ImproperlyConfigured, match=expected):
        get_vector_index()
    vectors.reset_vector_indexes()


def test_an_unknown_vector_index_setting_names_the_choices(settings):
    settings.VECTOR_INDEX = "annoy"
    with pytest.raises(ImproperlyConfigured, match="auto, file, pgvector"):
        get_vector_index()


def test_a_row_committed_late_is_saved_into_the_file_at_once(file_index, dim):
    """A row whose updated_at is older than the file's watermark (its transaction committed
    after the file was saved) is in no reader's delta: upsert must put it in the file."""
    matrix = clustered(30, dim)
    ids = store(matrix)
    reader = UsearchIndex(file_index.directory)
    reader.search(matrix[0], 1)
    meta = json.loads((file_index.directory / "vectors.json").read_text())
    target = clustered(1, dim, seed=33)[0]
    old = Embedding.objects.order_by("updated_at").first().updated_at
    Embedding.objects.filter(pk=ids[9]).update(
        vector=target.astype("<f4").tobytes(), updated_at=old
    )
    file_index.upsert([ids[9]], target[None, :])
    assert json.loads((file_index.directory / "vectors.json").read_text())["file"] != meta["file"]
    assert reader.search(target, 1)[0] == (ids[9], pytest.approx(1.0, abs=5e-3))


def test_a_writer_finding_the_file_stale_rebuilds_it(file_index, dim):
    ids = store(clustered(25, dim))
    file_index.rebuild()
    (file_index.directory / "vectors.json").unlink()
    file_index.fold_delta()
    meta = json.loads((file_index.directory / "vectors.json").read_text())
    assert meta["count"] == len(ids)


def test_stored_vectors_come_back_whole_across_groups_of_ids(dim, monkeypatch):
    monkeypatch.setattr(vectors, "ID_GROUP", 8)  # 21 ids: groups of 8, 8 and 5 padded to 8
    matrix = clustered(21, dim)
    ids = store(matrix)
    other = store(clustered(1, dim, seed=1), model="another-model")
    found = paper_vectors([*ids, *other, 10**9, ids[0]])
    assert sorted(found) == sorted(ids)  # not another model's row, not a missing paper
    for pk, row in zip(ids, matrix, strict=True):
        np.testing.assert_array_equal(found[pk], row)
    assert paper_vectors([]) == {}
