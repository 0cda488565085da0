"""/search says where a page sits among the results ("21–40 of 45") and why the list is what
it is, truthfully: through the real keyword index, embedding model and vector index."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from dailypapers.papers.models import Paper
from dailypapers.search import index_papers, service
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

SOME_WORDS = "No paper contains all these words"


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # this test's own vector index file
    cache.clear()


def samplers(n: int) -> None:
    for k in range(n):
        make_paper(title=f"Diffusion sampler number {k}", abstract="Diffusion models sample.")
    index_papers(list(Paper.objects.values_list("pk", flat=True)))


def count_line(client, **params) -> str:
    html = client.get("/search", params).content.decode()
    start = html.index('id="result-count">') + len('id="result-count">')
    return html[start : html.index("</p>", start)]


# Not "semantic" alone: its list comes from an approximate (HNSW) index, which may miss one of
# 45 near-identical vectors (seen on PostgreSQL: "of 44"), so its total is only as exact as
# the index's recall.
@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
def test_each_page_counts_from_its_first_result_to_its_last_of_the_total(client, mode):
    samplers(45)
    lines = [count_line(client, q="diffusion sampler", mode=mode, page=n) for n in (1, 2, 3)]
    assert lines == [
        "Results 1–20 of 45 for “diffusion sampler”.",
        "Results 21–40 of 45 for “diffusion sampler”.",
        "Results 41–45 of 45 for “diffusion sampler”.",
    ]


def test_a_total_beyond_the_lists_read_is_an_estimate_from_the_papers_searched(client, monkeypatch):
    samplers(30)
    monkeypatch.setattr(service, "MIN_DEPTH", 21)  # page 1 reads 21 of the 30
    assert count_line(client, q="diffusion") == "Results 1–20 of about 30 for “diffusion”."


@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
def test_a_total_past_the_end_of_paging_is_shown_capped(client, monkeypatch, mode):
    samplers(30)
    monkeypatch.setattr(service, "MAX_DEPTH", 25)
    assert count_line(client, q="diffusion", mode=mode) == "Results 1–20 of 25+ for “diffusion”."


def test_filters_alone_are_counted_too(client):
    for k in range(3):
        make_paper(title=f"Paper {k}", authors=("Grace Hopper",))
    assert count_line(client, q="author:hopper") == "Results 1–3 of 3 for “author:hopper”."


@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
def test_papers_with_the_one_word_searched_are_not_said_to_lack_it(client, mode):
    for k in range(3):
        make_paper(title=f"A model of rain {k}", abstract="We model rain with a large model.")
    make_paper(title="Protein folding", abstract="Structures from sequences.")
    index_papers(list(Paper.objects.values_list("pk", flat=True)))
    response = client.get("/search", {"q": "model", "mode": mode})
    assert "A model of rain" in response.content.decode()
    assert SOME_WORDS not in response.content.decode()


def test_enough_papers_with_every_word_are_not_said_to_lack_some(client):
    for k in range(service.HYBRID_EVERY_WORD_ENOUGH + 2):
        make_paper(title=f"Graph networks {k}", abstract="Graph networks on molecules.")
    index_papers(list(Paper.objects.values_list("pk", flat=True)))
    response = client.get("/search", {"q": "graph molecules"})
    assert SOME_WORDS not in response.content.decode()


def test_papers_with_only_some_of_the_words_are_said_to_be_so(client):
    make_paper(title="Graph theory", abstract="Colourings of planar maps.")
    make_paper(title="Protein folding", abstract="Structures from sequences.")
    index_papers(list(Paper.objects.values_list("pk", flat=True)))
    response = client.get("/search", {"q": "graph zymurgy"})
    assert "Graph theory" in response.content.decode()
    assert SOME_WORDS in response.content.decode()
