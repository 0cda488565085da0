"""/api/v1 beyond the basics: submitting a paper new here (arXiv is a loopback server with
recorded answers), the cost of list routes (same queries for N and 2N papers), CORS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dailypapers.accounts.tokens import create_token
from dailypapers.papers import ranking
from dailypapers.papers.models import Paper, Submission
from dailypapers.search import index_papers
from tests.factories import make_member, make_organization, make_paper, submit
from tests.ingest.test_submit import FakeArxiv

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 4)


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.SUBMIT_WEEKENDS = True
    settings.SUBMIT_MAX_AGE_DAYS = 0  # the recorded paper is from 2021


@pytest.fixture
def arxiv(httpserver, settings) -> FakeArxiv:
    fake = FakeArxiv(httpserver)
    settings.ARXIV_API_URL = fake.url
    settings.ARXIV_DELAY_SECONDS = 0
    return fake


@pytest.fixture
def auth() -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(make_member(), 'script')[1]}"}


def post_submission(client, auth, raw: str):
    return client.post("/api/v1/submissions", {"arxiv_id": raw}, "application/json", **auth)


def test_a_paper_new_here_is_fetched_from_arxiv_and_submitted(client, arxiv, auth):
    arxiv.knows("2104.12255", "id_2104.12255v2.xml")

    response = post_submission(client, auth, "https://arxiv.org/abs/2104.12255v1")

    assert response.status_code == 201, response.json()
    assert arxiv.asked == ["2104.12255"]
    paper = response.json()["paper"]
    assert paper["title"] == "0: The Funniest Number in Cryptography"
    assert [a["name"] for a in paper["authors"]] == ["Quan Thoi Minh Nguyen"]
    assert Submission.objects.filter(paper__arxiv_id="2104.12255").exists()


def test_an_id_arxiv_does_not_know_is_a_clear_400(client, arxiv, auth):
    response = post_submission(client, auth, "2104.99999")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "lookup_failed"
    assert "2104.99999" in response.json()["error"]["message"]
    assert not Paper.objects.exists()


def test_arxiv_down_is_a_clear_400_and_stores_nothing(client, arxiv, auth):
    arxiv.fails("2104.12255", 503, 503, 503)
    response = post_submission(client, auth, "2104.12255")
    assert response.status_code == 400
    assert "could not be reached" in response.json()["error"]["message"]
    assert not Paper.objects.exists()


def test_a_hidden_paper_is_refused(client, arxiv, auth):
    make_paper("2104.12255", hidden=True)
    response = post_submission(client, auth, "2104.12255")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "submission_refused"
    assert arxiv.asked == []


def _corpus(count: int) -> None:
    org = make_organization(f"org{count}")
    for _ in range(count):
        paper = make_paper(authors=("Ada Lovelace", "Alan Turing"), organization=org)
        submit(paper, DAY)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/papers?limit=100",
        "/api/v1/papers?sort=upvotes&limit=100",
        "/api/v1/feeds/day/2025-03-04",
        "/api/v1/feeds/trending",
        "/api/v1/organizations/{org}/papers",
        "/api/v1/authors/Ada Lovelace/papers",
        "/api/v1/search?q=things&mode=keyword",
    ],
)
def test_a_list_costs_the_same_queries_for_twice_the_papers(client, url, settings):
    # The limit's counter in the database cache costs a different number of queries when it
    # is created than when it counts on: off here, so only the list is measured.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (0, 0)}

    def queries_for(count: int) -> tuple[int, int]:
        Paper.objects.all().delete()
        _corpus(count)
        ranking.refresh_trending()  # computed outside the measure, as the periodic job does
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url.format(org=f"org{count}"))
        items = response.json()["items"]
        return len(items), len(captured)

    few_items, few = queries_for(4)
    many_items, many = queries_for(8)
    assert (few_items, many_items) == (4, 8)
    assert few == many


def test_reads_answer_a_cors_preflight_and_writes_do_not_allow_other_origins(client):
    preflight = client.options(
        "/api/v1/papers",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "PUT" not in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_semantic_and_hybrid_search_and_similar_papers_find_by_meaning(client):
    cats = make_paper("2503.00001", title="Cats purr", abstract="Domestic felines and pets.")
    make_paper("2503.00002", title="Kittens play", abstract="Young cats chase toys at home.")
    make_paper("2503.00003", title="Tax law", abstract="Corporate income tax regulation.")
    index_papers(list(Paper.objects.values_list("pk", flat=True)))

    semantic = client.get("/api/v1/search", {"q": "feline pets", "mode": "semantic"}).json()
    first = semantic["items"][0]
    assert first["paper"]["arxiv_id"] in {"2503.00001", "2503.00002"}
    assert first["semantic_rank"] == 1 and first["keyword_rank"] is None
    hybrid = client.get("/api/v1/search", {"q": "cats", "mode": "hybrid", "limit": 1}).json()
    assert hybrid["items"][0]["paper"]["arxiv_id"] in {"2503.00001", "2503.00002"}
    assert hybrid["next_offset"] == 1

    similar = client.get(f"/api/v1/papers/{cats.arxiv_id}/similar", {"limit": 1}).json()
    assert [p["arxiv_id"] for p in similar] == ["2503.00002"]
