"""/search and its live results, end to end through the real indexes: the database's keyword
index, the real embedding model and the vector index of this database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from dailypapers.papers.models import Paper
from dailypapers.search import index_papers
from tests.factories import make_organization, make_paper, submit
from tests.limits import assert_rate_limited

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "   ",
    "x" * 5000,
    "!!! ??? ...",
    '"unbalanced quote',
    'NEAR(reward model) * ^title "',
    "title:reward OR abstract:model AND NOT x",
    "'; DROP TABLE papers_paper; --",
    "强化学习 奖励模型",
    "обучение с подкреплением",  # noqa: RUF001
    "تعلم الآلة",
    "🤖 robots",
    "reward\x00model",
    "-",
    "author:",
    'org:"',
    "-reward",
]


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # this test's own vector index file
    cache.clear()


def corpus() -> dict[str, Paper]:
    acme = make_organization("acme", name="Acme", fullname="Acme Research")
    papers = {
        "reward": make_paper(
            title="Rubric Reward Models for Aligning Language Models",
            abstract="We train reward models from rubrics written by experts to align assistants.",
            github_repo="https://github.com/acme/rubric",
            organization=acme,
            authors=("Grace Hopper",),
            published_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC),
            imported_upvotes=40,
        ),
        "robot": make_paper(
            title="Robots Learn Manipulation from Human Videos",
            abstract="A robot arm imitates people seen in videos to grasp and move objects.",
            published_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
            imported_upvotes=3,
        ),
        "cite": make_paper(
            title="Attributed Question Answering with Citations",
            abstract="Large language models answer questions and cite the passages they used.",
            published_at=dt.datetime(2025, 1, 10, tzinfo=dt.UTC),
        ),
    }
    for n in range(5):
        make_paper(
            title=f"Protein folding study {n}",
            abstract="We predict protein structures from amino acid sequences.",
        )
    submit(papers["robot"], dt.date(2024, 2, 2))
    index_papers(list(Paper.objects.values_list("pk", flat=True)))
    return papers


def titles(response) -> list[str]:
    return [paper.title for paper in response.context["page"].papers]


def test_words_find_the_paper_and_are_highlighted(client):
    corpus()
    response = client.get("/search", {"q": "rubric reward"})
    assert response.status_code == 200
    assert titles(response)[0] == "Rubric Reward Models for Aligning Language Models"
    assert "<mark>reward</mark>" in response.content.decode().lower()


def test_meaning_finds_a_paper_without_its_words(client):
    papers = corpus()
    response = client.get(
        "/search", {"q": "make chatbots point to their sources", "mode": "semantic"}
    )
    assert titles(response)[0] == papers["cite"].title
    hybrid = client.get("/search", {"q": "make chatbots point to their sources"})
    assert papers["cite"].title in titles(hybrid)[:3]


def test_keyword_mode_with_no_match_suggests_papers_close_in_meaning(client):
    corpus()
    response = client.get("/search", {"q": "humanoid locomotion", "mode": "keyword"})
    page = response.context["page"]
    assert page.results == []
    assert "close in meaning" in page.message
    assert page.suggestions[0].title == "Robots Learn Manipulation from Human Videos"
    assert "Close in meaning" in response.content.decode()


def test_filters_sorts_and_query_operators(client):
    corpus()
    assert titles(client.get("/search", {"q": "models", "code": "1"})) == [
        "Rubric Reward Models for Aligning Language Models"
    ]
    assert titles(client.get("/search", {"q": "robot", "feed": "1"})) == [
        "Robots Learn Manipulation from Human Videos"
    ]
    in_2025 = titles(
        client.get("/search", {"q": "models", "from": "2025-01-01", "to": "2025-12-31"})
    )
    assert "Robots Learn Manipulation from Human Videos" not in in_2025
    newest = titles(
        client.get("/search", {"q": "language models", "sort": "newest", "mode": "keyword"})
    )
    assert newest[:2] == [
        "Rubric Reward Models for Aligning Language Models",
        "Attributed Question Answering with Citations",
    ]
    upvoted = titles(client.get("/search", {"q": "models videos", "sort": "upvotes"}))
    assert upvoted[0] == "Rubric Reward Models for Aligning Language Models"
    excluded = titles(client.get("/search", {"q": "language models -rubric"}))
    assert "Rubric Reward Models for Aligning Language Models" not in excluded
    assert titles(client.get("/search", {"q": "author:hopper"})) == [
        "Rubric Reward Models for Aligning Language Models"
    ]
    assert titles(client.get("/search", {"q": "models org:acme"})) == [
        "Rubric Reward Models for Aligning Language Models"
    ]
    phrase = titles(client.get("/search", {"q": '"human videos"', "mode": "keyword"}))
    assert phrase == ["Robots Learn Manipulation from Human Videos"]


def test_paging_never_repeats_or_skips_a_paper(client):
    for n in range(45):
        make_paper(
            title=f"Diffusion sampler number {n}", abstract="Diffusion models sample images."
        )
    index_papers(list(Paper.objects.values_list("pk", flat=True)))
    pages = [client.get("/search", {"q": "diffusion sampler", "page": n}) for n in (1, 2, 3)]
    seen = [title for page in pages for title in titles(page)]
    assert len(seen) == 45 and len(set(seen)) == 45
    assert 'rel="next"' in pages[0].content.decode()
    assert 'rel="next"' not in pages[2].content.decode()


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_hostile_queries_never_fail(client, query, mode):
    make_paper(title="Reward models", abstract="Models of reward.")
    response = client.get("/search", {"q": query, "mode": mode, "from": "not-a-date", "page": "x"})
    assert response.status_code == 200
    live = client.get("/search/live", {"q": query})
    assert live.status_code == 200


def test_bad_filters_are_named_not_fatal(client):
    response = client.get("/search", {"q": "reward", "from": "2025-13-45"})
    assert response.status_code == 200
    assert "is not a date" in response.content.decode()


def test_live_results_are_a_fragment_with_a_link_to_all_results(client):
    corpus()
    response = client.get("/search/live", {"q": "rubric"})
    html = response.content.decode()
    assert "<html" not in html
    assert "Rubric" in html and "/papers/" in html
    assert "/search?q=rubric" in html
    assert client.get("/search/live", {"q": "r"}).content == b""


def test_searches_are_rate_limited_per_address(client, settings):
    settings.SEARCH_RATE_PER_MINUTE = 3
    make_paper(title="Reward models")
    answers = [client.get("/search", {"q": "reward"}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert_rate_limited(answers[-1], "search", 3)
    other = client.get("/search", {"q": "reward"}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200
    assert client.get("/search").status_code == 200  # the empty form is not a search


def test_similar_papers_on_the_paper_page(client):
    papers = corpus()
    response = client.get(papers["reward"].get_absolute_url())
    similar = [p.title for p in response.context["similar"]]
    assert papers["reward"].title not in similar
    assert 1 <= len(similar) <= 6
    assert "Similar papers" in response.content.decode()
