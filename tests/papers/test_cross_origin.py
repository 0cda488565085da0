"""Which pages another site's script may read (CORS): the feeds and a paper's Markdown,
GET and HEAD only, never the HTML pages."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_organization, make_paper, submit

pytestmark = pytest.mark.django_db

ORIGIN = {"Origin": "https://reader.example"}
READABLE = [
    "/feed.atom",
    "/feed.rss",
    "/papers/date/2025-03-12/feed.atom",
    "/papers/week/2025-W11/feed.rss",
    "/papers/month/2025-03/feed.atom",
    "/papers/trending/feed.rss",
    "/org/acme/feed.atom",
    "/authors/Ada Lovelace/feed.atom",
    "/search/feed.rss",
    "/papers/2503.01234.md",
    "/papers/hep-th/9901001.md",
]
HTML_PAGES = [
    "/",
    "/papers/date/2025-03-12",
    "/papers/trending",
    "/papers/2503.01234",
    "/org/acme",
    "/authors/Ada Lovelace",
    "/search",
]


@pytest.fixture(autouse=True)
def corpus(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the search feed's own vector index file
    acme = make_organization("acme")
    submit(make_paper("2503.01234", organization=acme), dt.date(2025, 3, 12))
    make_paper("hep-th/9901001")


@pytest.mark.parametrize("url", READABLE)
def test_feeds_and_markdown_are_readable_from_any_origin(client, url):
    response = client.get(url, headers=ORIGIN)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = response["Access-Control-Expose-Headers"]
    assert "ETag" in exposed and "Link" in exposed


@pytest.mark.parametrize("url", HTML_PAGES)
def test_html_pages_are_not_readable_from_another_origin(client, url):
    response = client.get(url, headers=ORIGIN)

    assert response.status_code == 200
    assert not response.has_header("Access-Control-Allow-Origin")


def test_a_304_to_another_origin_is_readable_too(client):
    etag = client.get("/feed.atom")["ETag"]

    response = client.get("/feed.atom", headers={**ORIGIN, "If-None-Match": etag})

    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == "*"


def test_another_origin_may_only_read_a_feed(client):
    preflight = client.options(
        "/feed.atom", headers={**ORIGIN, "Access-Control-Request-Method": "POST"}
    )

    methods = preflight["Access-Control-Allow-Methods"]
    assert "GET" in methods and "HEAD" in methods
    assert "POST" not in methods
    assert not preflight.has_header("Access-Control-Allow-Credentials")
