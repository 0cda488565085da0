"""/search/feed.rss|atom: the search page's results as a feed, through the real indexes."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from dailypapers.papers.models import Paper
from dailypapers.search import index_papers
from tests.factories import make_organization, make_paper, submit
from tests.limits import assert_rate_limited
from tests.papers.test_feeds import HOSTILE, shown_text

pytestmark = pytest.mark.django_db

FORMATS = ["rss", "atom"]
REWARD = "Rubric Reward Models for Aligning Language Models"
ROBOT = "Robots Learn Manipulation from Human Videos"


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # this test's own vector index file


def corpus() -> None:
    acme = make_organization("acme", name="Acme", fullname="Acme Research")
    make_paper(
        arxiv_id="2505.00001",
        title=REWARD,
        abstract="We train reward models from rubrics written by experts to align assistants.",
        github_repo="https://github.com/acme/rubric",
        organization=acme,
        authors=("Grace Hopper",),
        published_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC),
        imported_upvotes=40,
    )
    robot = make_paper(
        title=ROBOT,
        abstract="A robot arm imitates people seen in videos to grasp and move objects.",
        published_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
    )
    make_paper(
        title="Attributed Question Answering with Citations",
        abstract="Large language models answer questions and cite the passages they used.",
        published_at=dt.datetime(2025, 1, 10, tzinfo=dt.UTC),
    )
    submit(robot, dt.date(2024, 2, 2))
    index_papers(list(Paper.objects.values_list("pk", flat=True)))


def fetch(client, fmt: str, params: dict, status: int = 200):
    response = client.get(f"/search/feed.{fmt}", params)
    assert response.status_code == status, response.content[:300]
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def titles(feed) -> list[str]:
    return [shown_text(entry.title_detail) for entry in feed.entries]


@pytest.mark.parametrize("fmt", FORMATS)
def test_search_feed_lists_the_pages_results(client, fmt):
    corpus()

    feed = fetch(client, fmt, {"q": "rubric reward", "mode": "keyword"})
    page = client.get("/search", {"q": "rubric reward", "mode": "keyword"})

    assert titles(feed) == [paper.title for paper in page.context["page"].papers] == [REWARD]
    entry = feed.entries[0]
    assert entry.link == entry.id == "http://testserver/papers/2505.00001"
    assert entry.author == "Grace Hopper"
    assert entry.published_parsed[:3] == (2025, 5, 1)
    assert feed.feed.title == "Search: rubric reward · Daily Papers"
    assert feed.feed.link == "http://testserver/search?q=rubric+reward&mode=keyword"


@pytest.mark.parametrize("fmt", FORMATS)
def test_search_feed_applies_the_pages_filters_and_sort(client, fmt):
    corpus()

    assert titles(fetch(client, fmt, {"q": "models", "code": "1"})) == [REWARD]
    assert titles(fetch(client, fmt, {"q": "robot", "feed": "1"})) == [ROBOT]
    assert titles(fetch(client, fmt, {"org": "acme"})) == [REWARD]  # a filter alone
    in_2025 = titles(fetch(client, fmt, {"q": "models", "from": "2025-01-01"}))
    assert ROBOT not in in_2025 and REWARD in in_2025
    newest = fetch(client, fmt, {"q": "language models", "sort": "newest", "mode": "keyword"})
    assert titles(newest)[:2] == [REWARD, "Attributed Question Answering with Citations"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_query_is_an_empty_feed(client, fmt):
    corpus()

    assert fetch(client, fmt, {}).entries == []
    assert fetch(client, fmt, {"q": "   "}).entries == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_filter_that_does_not_parse_is_a_400(client, fmt):
    response = client.get(f"/search/feed.{fmt}", {"q": "reward", "from": "2025-13-45"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    "query", [HOSTILE, "reward\x00model", 'NEAR(x) * ^title "', "x" * 5000, "🤖", "-"]
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_queries_give_a_valid_feed(client, fmt, query):
    make_paper(title="Reward models", abstract="Models of reward.")

    response = client.get(f"/search/feed.{fmt}", {"q": query, "mode": "nonsense", "sort": "x"})
    feed = fetch(client, fmt, {"q": query})

    assert response.status_code == 200
    assert b"<script" not in response.content and b"<img" not in response.content
    assert shown_text(feed.feed.title_detail).startswith("Search: ")


@pytest.mark.parametrize("fmt", FORMATS)
def test_hidden_papers_never_appear(client, fmt):
    make_paper(title="Visible reward paper", abstract="Reward.")
    make_paper(title="Hidden reward paper", abstract="Reward.", hidden=True)
    index_papers(list(Paper.objects.values_list("pk", flat=True)))

    assert titles(fetch(client, fmt, {"q": "reward", "mode": "keyword"})) == [
        "Visible reward paper"
    ]


def test_search_feeds_share_the_search_rate_limit(client, settings):
    settings.SEARCH_RATE_PER_MINUTE = 2
    make_paper(title="Reward models")

    codes = [client.get("/search/feed.atom", {"q": "reward"}).status_code for _ in range(3)]
    limited = client.get("/search/feed.rss", {"q": "reward"})

    assert codes == [200, 200, 429]
    assert_rate_limited(limited, "search", 2)
    assert client.get("/search/feed.atom").status_code == 200  # no search, no limit


def test_results_page_announces_its_feeds_with_its_parameters(client):
    corpus()

    html = client.get("/search", {"q": "rubric reward", "code": "1"}).content.decode()
    bare = client.get("/search").content.decode()

    assert 'type="application/atom+xml"' in html
    assert 'href="/search/feed.atom?q=rubric+reward&amp;code=1"' in html
    assert 'href="/search/feed.rss?q=rubric+reward&amp;code=1"' in html
    assert "application/atom+xml" not in bare
