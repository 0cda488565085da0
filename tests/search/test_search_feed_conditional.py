"""Conditional GET on the search feeds: an ETag of the results as listed, 304s for
`If-None-Match`, a new ETag when a vote reorders results sorted by upvotes."""

from __future__ import annotations

import pytest

from dailypapers.papers import services
from dailypapers.papers.models import Paper
from dailypapers.search import index_papers
from tests.factories import make_member, make_paper

pytestmark = pytest.mark.django_db

BY_UPVOTES = {"q": "reward models", "mode": "keyword", "sort": "upvotes"}


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # this test's own vector index file


@pytest.fixture
def papers() -> tuple[Paper, Paper]:
    ahead = make_paper(title="Reward models from rubrics", imported_upvotes=2)
    behind = make_paper(title="Reward models from preferences", imported_upvotes=1)
    index_papers([ahead.pk, behind.pk])
    return ahead, behind


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_a_search_feed_answers_its_own_etag_with_a_304(client, papers, fmt):
    url = f"/search/feed.{fmt}"
    first = client.get(url, BY_UPVOTES)

    again = client.get(url, BY_UPVOTES, headers={"If-None-Match": first["ETag"]})

    assert first["ETag"].startswith('"') and first["Last-Modified"]
    assert again.status_code == 304 and again.content == b""


def test_a_vote_that_reorders_results_changes_the_search_feeds_etag(client, papers):
    _, behind = papers
    before = client.get("/search/feed.atom", BY_UPVOTES)
    assert before.content.index(b"rubrics") < before.content.index(b"preferences")

    voters = [make_member("ada"), make_member("alan")]
    for voter in voters:
        services.set_upvote(voter, behind, True)
    after = client.get("/search/feed.atom", BY_UPVOTES, headers={"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert after.content.index(b"preferences") < after.content.index(b"rubrics")
    assert after["ETag"] != before["ETag"]


def test_another_query_has_another_etag(client, papers):
    etag = client.get("/search/feed.atom", BY_UPVOTES)["ETag"]

    other = client.get(
        "/search/feed.atom", {**BY_UPVOTES, "q": "rubrics"}, headers={"If-None-Match": etag}
    )

    assert other.status_code == 200


def test_a_rate_limited_search_feed_is_never_stored(client, papers, settings):
    settings.SEARCH_RATE_PER_MINUTE = 1
    client.get("/search/feed.atom", BY_UPVOTES)

    limited = client.get("/search/feed.atom", BY_UPVOTES)

    assert limited.status_code == 429
    assert limited["Cache-Control"] == "no-store"
    assert not limited.has_header("ETag")
