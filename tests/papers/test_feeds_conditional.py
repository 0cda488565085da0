"""Conditional GET on the feeds and on `/papers/<id>.md`: a strong ETag of the body, 304s
for `If-None-Match`, and an ETag that moves when a vote moves a paper."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dailypapers.papers import services
from tests.factories import make_member, make_organization, make_paper, submit

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)
DAY_FEED = "/papers/date/2025-03-12/feed.atom"
FEEDS = [
    "/feed.rss",
    "/feed.atom",
    "/papers/date/2025-03-12/feed.rss",
    "/papers/date/2025-03-12/feed.atom",
    "/papers/week/2025-W11/feed.atom",
    "/papers/month/2025-03/feed.rss",
    "/papers/trending/feed.atom",
    "/papers/trending/feed.rss",
    "/org/acme/feed.atom",
    "/authors/Ada Lovelace/feed.rss",
]


@pytest.fixture
def papers():
    """Two papers on DAY with one vote each: the earlier submission leads until a vote.
    And one submitted an hour ago, so today's feed and the trending feed are not empty."""
    acme = make_organization("acme")
    first = make_paper(title="First", imported_upvotes=1, organization=acme)
    second = make_paper(title="Second", imported_upvotes=1, organization=acme)
    submit(first, DAY, hour=8)
    submit(second, DAY, hour=9)
    recent = submit(make_paper(title="Recent", imported_upvotes=3), timezone.now().date())
    recent.submitted_at = timezone.now() - dt.timedelta(hours=1)
    recent.save()
    return first, second


def revalidate(client, url: str, etag: str, method: str = "get"):
    return getattr(client, method)(url, headers={"If-None-Match": etag})


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_sends_a_strong_etag_and_keeps_last_modified(client, papers, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Last-Modified"]


@pytest.mark.parametrize("url", FEEDS)
def test_the_same_etag_is_answered_with_a_bodiless_304(client, papers, url):
    etag = client.get(url)["ETag"]

    again = revalidate(client, url, etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "public, max-age=300"


def test_a_vote_that_reorders_the_feed_changes_its_etag(client, papers):
    _, second = papers
    before = client.get(DAY_FEED)
    assert before.content.index(b"First") < before.content.index(b"Second")

    services.set_upvote(make_member(), second, True)
    after = revalidate(client, DAY_FEED, before["ETag"])

    assert after.status_code == 200
    assert after.content.index(b"Second") < after.content.index(b"First")
    assert after["ETag"] != before["ETag"]
    assert revalidate(client, DAY_FEED, after["ETag"]).status_code == 304


def test_a_vote_that_moves_nothing_keeps_the_etag(client, papers):
    first, _ = papers
    etag = client.get(DAY_FEED)["ETag"]

    services.set_upvote(make_member(), first, True)  # the leader leads by more: same body

    assert revalidate(client, DAY_FEED, etag).status_code == 304


def test_a_new_paper_in_the_feed_changes_its_etag(client, papers):
    etag = client.get(DAY_FEED)["ETag"]

    submit(make_paper(title="Late"), DAY, hour=10)

    assert revalidate(client, DAY_FEED, etag).status_code == 200


def test_a_proxy_weakened_etag_still_matches(client, papers):
    # A proxy that gzips the body sends the tag on as W/"…"; If-None-Match compares weakly.
    etag = client.get(DAY_FEED)["ETag"]

    assert revalidate(client, DAY_FEED, f"W/{etag}").status_code == 304


def test_star_and_lists_of_etags_are_understood(client, papers):
    etag = client.get(DAY_FEED)["ETag"]

    assert revalidate(client, DAY_FEED, "*").status_code == 304
    assert revalidate(client, DAY_FEED, f'"other", {etag}').status_code == 304
    assert revalidate(client, DAY_FEED, '"other", "another"').status_code == 200


def test_head_is_answered_with_a_304_too(client, papers):
    etag = client.get(DAY_FEED)["ETag"]

    assert revalidate(client, DAY_FEED, etag, method="head").status_code == 304


def test_if_modified_since_alone_gets_the_whole_feed(client, papers):
    # Last-Modified is the newest entry's date, which a vote does not move: answering this
    # with a 304 would hide a new order from the reader.
    last_modified = client.get(DAY_FEED)["Last-Modified"]

    response = client.get(DAY_FEED, headers={"If-Modified-Since": last_modified})

    assert response.status_code == 200 and response.content


def test_rss_and_atom_of_one_listing_have_their_own_etags(client, papers):
    rss = client.get("/papers/date/2025-03-12/feed.rss")["ETag"]

    assert revalidate(client, DAY_FEED, rss).status_code == 200


def test_paper_markdown_is_cacheable_and_answers_if_none_match(client):
    make_paper("2503.01234", title="Rubric rewards")
    response = client.get("/papers/2503.01234.md")

    again = revalidate(client, "/papers/2503.01234.md", response["ETag"])

    assert response["Cache-Control"] == "public, max-age=300"
    assert again.status_code == 304 and again.content == b""


def test_a_changed_paper_changes_its_markdown_etag(client):
    paper = make_paper("2503.01234", title="Rubric rewards")
    etag = client.get("/papers/2503.01234.md")["ETag"]

    paper.title = "Rubric rewards, revised"
    paper.save()

    assert revalidate(client, "/papers/2503.01234.md", etag).status_code == 200


def test_a_hidden_paper_shown_to_a_moderator_stays_out_of_shared_caches(client):
    make_paper("2503.01234", hidden=True)
    moderator = make_member("mod")
    moderator.is_staff = True
    moderator.save()
    client.force_login(moderator)

    response = client.get("/papers/2503.01234.md")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("ETag")
