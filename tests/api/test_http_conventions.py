"""HTTP conventions of the JSON routes (Hugging Face–compatible and /api/v1): who may cache
an answer and for how long, and which headers a script in another origin may read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from dailypapers.accounts.tokens import create_token
from tests.factories import make_member, make_organization, make_paper, submit

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 4)
PUBLIC = "public, max-age=60"
READS = [
    "/api/daily_papers?date=2025-03-04",
    "/api/papers/search",
    "/api/papers?limit=1",
    "/api/papers/2503.00001",
    "/api/v1/papers",
    "/api/v1/papers/2503.00001",
    "/api/v1/feeds/day/2025-03-04",
    "/api/v1/feeds/trending",
    "/api/v1/organizations/acme",
    "/api/openapi.json",
]
ERRORS = [
    ("/api/papers/2599.99999", 404),
    ("/api/daily_papers?limit=0", 400),
    ("/api/v1/papers/2599.99999", 404),
    ("/api/v1/papers?limit=0", 422),
    ("/api/v1/no-such-route", 404),
]


@pytest.fixture(autouse=True)
def corpus(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # this test's own vector index file
    acme = make_organization("acme")
    for n in (1, 2):
        submit(make_paper(f"2503.0000{n}", organization=acme), DAY)


def bearer(name: str = "ada") -> dict:
    _, raw = create_token(make_member(name), "script")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("url", READS)
def test_anonymous_reads_may_be_cached_for_a_minute_by_anyone(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == PUBLIC
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize("url", READS)
def test_a_members_read_stays_in_their_own_client(client, url):
    response = client.get(url, headers=bearer())

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]


def test_head_is_cached_like_get(client):
    assert client.head("/api/v1/papers")["Cache-Control"] == PUBLIC
    assert client.head("/api/papers/2503.00001")["Cache-Control"] == PUBLIC


@pytest.mark.parametrize(("url", "status"), ERRORS)
def test_errors_are_never_stored(client, url, status):
    response = client.get(url)

    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/api/daily_papers", "/api/v1/papers"])
def test_a_429_is_never_stored(client, settings, url):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (0, 1)}
    cache.clear()
    client.get(url)

    limited = client.get(url)

    assert limited.status_code == 429
    assert limited["Cache-Control"] == "no-store"


def test_writes_are_never_stored(client):
    auth = bearer()

    vote = client.put("/api/v1/papers/2503.00001/upvote", headers=auth)
    refused = client.post("/api/daily_papers", headers=auth)

    assert vote.status_code == 200 and vote["Cache-Control"] == "no-store"
    assert refused.status_code == 405 and refused["Cache-Control"] == "no-store"


def test_another_origin_may_read_the_next_page_link(client):
    response = client.get("/api/papers?limit=1", headers={"Origin": "https://notebook.example"})

    assert response["Link"].endswith('rel="next"')
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = [name.strip() for name in response["Access-Control-Expose-Headers"].split(",")]
    assert {"Link", "ETag", "RateLimit", "RateLimit-Policy", "Retry-After"} <= set(exposed)
