"""Papers are indexed after commit through the job queue; `reindex` rebuilds and resumes;
`dailypapers search` answers from the shell."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from huey.contrib.djhuey import HUEY

from dailypapers.ingest.pipeline import upsert_records
from dailypapers.papers.models import Paper
from dailypapers.search import indexing
from dailypapers.search.embeddings import get_embedder
from dailypapers.search.models import Embedding
from tests.factories import make_paper
from tests.ingest.support import record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    HUEY.flush()
    yield
    HUEY.flush()


def run_queued_tasks() -> int:
    ran = 0
    while task := HUEY.dequeue():
        HUEY.execute(task)
        ran += 1
    return ran


def test_an_import_queues_indexing_and_the_worker_embeds_the_papers():
    upsert_records([record("2501.00001", title="Reward models"), record("2501.00002")])
    assert not Embedding.objects.exists()  # nothing inside the import itself
    assert run_queued_tasks() == 1
    assert Embedding.objects.count() == 2
    assert set(Embedding.objects.values_list("model", flat=True)) == {get_embedder().name}


def test_changed_text_is_re_embedded_and_unchanged_text_is_not():
    paper = make_paper(title="Reward models", abstract="About rewards.")
    run_queued_tasks()
    before = Embedding.objects.get(paper=paper)
    assert indexing.index_papers([paper.pk]) == 0  # up to date: a hash, no model call
    paper.abstract = "About something else entirely: protein folding."
    paper.save()  # an admin edit: post_save queues it too
    run_queued_tasks()
    after = Embedding.objects.get(paper=paper)
    assert after.text_hash != before.text_hash and after.vector != before.vector


def test_a_paper_deleted_before_its_task_runs_is_skipped():
    paper = make_paper(title="Gone soon")
    Paper.objects.filter(pk=paper.pk).delete()
    run_queued_tasks()
    assert not Embedding.objects.exists()


def test_reindex_interrupted_continues_where_it_stopped(monkeypatch):
    for n in range(7):
        Paper.objects.bulk_create([Paper(arxiv_id=f"2502.{n:05d}", title=f"Paper {n}")])
    monkeypatch.setattr(indexing, "TASK_SIZE", 3)
    steps = []

    def interrupt(embedded: int) -> None:
        steps.append(embedded)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        indexing.reindex(keyword=False, progress=interrupt)
    assert Embedding.objects.count() == 3 == steps[0]
    done = indexing.reindex(keyword=False)
    assert done["embedded"] == 4
    assert Embedding.objects.count() == 7


def test_a_changed_model_setting_re_embeds_everything(settings):
    make_paper(title="Reward models")
    make_paper(title="Robot videos")
    run_queued_tasks()
    first = set(Embedding.objects.values_list("model", flat=True))
    settings.EMBEDDING_MODEL = "wordllama"
    out = io.StringIO()
    call_command("reindex", "--embeddings", stdout=out)
    assert "embedded 2 papers" in out.getvalue()
    assert set(Embedding.objects.values_list("model", flat=True)) == {get_embedder().name}
    assert first != {get_embedder().name}


def test_search_command_prints_json_best_first():
    make_paper("2503.00001", title="Rubric reward models")
    make_paper("2503.00002", title="Protein folding")
    run_queued_tasks()
    call_command("reindex", stdout=io.StringIO())
    out = io.StringIO()
    call_command("search", "rubric reward", "--json", "--mode", "keyword", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows[0]["id"] == "2503.00001" and rows[0]["title"] == "Rubric reward models"
    assert set(rows[0]) == {"id", "title", "score"}
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    plain = io.StringIO()
    call_command("search", "rubric", "--limit", "1", stdout=plain)
    assert plain.getvalue().startswith("2503.00001")


def test_the_sweep_embeds_papers_a_lost_task_left_without_vectors():
    from dailypapers.search.tasks import index_missing_papers

    paper = make_paper(title="Reward models")
    HUEY.flush()  # the worker stopped mid-task: its task is gone
    assert not Embedding.objects.exists()
    index_missing_papers.call_local()
    assert Embedding.objects.filter(paper=paper).exists()


def test_the_sweep_builds_a_missing_vector_index_before_any_reader_needs_it(settings, tmp_path):
    from dailypapers.search.tasks import index_missing_papers
    from dailypapers.search.vectors import get_vector_index, reset_vector_indexes

    paper = make_paper(title="Reward models")
    run_queued_tasks()
    settings.DATA_DIR = tmp_path / "elsewhere"  # the index file is gone (a new host, a wipe)
    reset_vector_indexes()
    index_missing_papers.call_local()
    assert any((tmp_path / "elsewhere").rglob("*")), "the sweep built the file"
    vector = get_embedder().embed_query("Reward models")
    assert get_vector_index().search(vector, 1)[0][0] == paper.pk


def test_a_deleted_paper_leaves_the_vector_index():
    from dailypapers.search.vectors import get_vector_index

    keep = make_paper(title="Reward models")
    gone = make_paper(title="Reward modelling")
    run_queued_tasks()
    vector = get_embedder().embed_query("Reward models")
    assert {pk for pk, _ in get_vector_index().search(vector, 5)} == {keep.pk, gone.pk}
    gone.delete()
    run_queued_tasks()
    assert {pk for pk, _ in get_vector_index().search(vector, 5)} == {keep.pk}
