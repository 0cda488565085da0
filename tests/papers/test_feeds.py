"""RSS and Atom feeds of the listings, parsed with feedparser as a reader would."""

from __future__ import annotations

import datetime as dt
import html

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dailypapers.papers.models import Author, Paper
from tests.factories import make_organization, make_paper, submit

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)
FORMATS = ["rss", "atom"]
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> & Co'


def fetch(client, url: str, status: int = 200) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    kind = "atom+xml" if url.split("?")[0].endswith(".atom") else "rss+xml"
    assert response["Content-Type"].startswith(f"application/{kind}")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def titles(feed) -> list[str]:
    return [shown_text(entry.title_detail) for entry in feed.entries]


def day_papers() -> list[Paper]:
    """Three papers on DAY (upvotes 5, 9, 1) and one the day before."""
    made = []
    for n, votes in enumerate([5, 9, 1]):
        paper = make_paper(
            title=f"Day paper {n}",
            imported_upvotes=votes,
            authors=("Ada Lovelace", "Alan Turing"),
            categories="cs.CL cs.AI",
        )
        submit(paper, DAY, hour=8 + n)
        made.append(paper)
    submit(make_paper(title="Yesterday's paper"), DAY - dt.timedelta(days=1))
    return made


@pytest.mark.parametrize("fmt", FORMATS)
def test_day_feed_lists_the_days_papers_in_page_order(client, fmt):
    day_papers()

    feed = fetch(client, f"/papers/date/2025-03-12/feed.{fmt}")

    assert titles(feed) == ["Day paper 1", "Day paper 0", "Day paper 2"]
    assert feed.feed.title == "Daily Papers · Mar 12, 2025"
    assert feed.feed.link == "http://testserver/papers/date/2025-03-12"


@pytest.mark.parametrize("fmt", FORMATS)
def test_items_carry_absolute_link_abstract_authors_and_feed_time(client, fmt):
    paper = make_paper(
        arxiv_id="2503.01234",
        title="Rubric rewards",
        abstract="We train reward models.",
        authors=("Ada Lovelace", "Alan Turing"),
        categories="cs.CL cs.LG",
    )
    submit(paper, DAY, hour=9)

    entry = fetch(client, f"/papers/date/2025-03-12/feed.{fmt}").entries[0]

    assert entry.link == "http://testserver/papers/2503.01234"
    assert entry.id == "http://testserver/papers/2503.01234"
    assert entry.summary == "We train reward models."
    assert entry.author == "Ada Lovelace, Alan Turing"
    assert [tag.term for tag in entry.tags] == ["cs.CL", "cs.LG"]
    assert entry.published_parsed[:5] == (2025, 3, 12, 9, 0)
    if fmt == "atom":  # required there; the same time (a vote changes no entry)
        assert entry.updated_parsed == entry.published_parsed


@pytest.mark.parametrize("fmt", FORMATS)
def test_links_use_the_configured_base_url(client, settings, fmt):
    settings.BASE_URL = "https://papers.example.org"
    submit(make_paper(arxiv_id="2503.00007"), DAY)

    feed = fetch(client, f"/papers/date/2025-03-12/feed.{fmt}")

    assert feed.entries[0].link == "https://papers.example.org/papers/2503.00007"
    assert feed.feed.link == "https://papers.example.org/papers/date/2025-03-12"
    if fmt == "atom":
        self_link = next(link.href for link in feed.feed.links if link.rel == "self")
        assert self_link == "https://papers.example.org/papers/date/2025-03-12/feed.atom"


@pytest.mark.parametrize("fmt", FORMATS)
def test_guid_stays_when_the_title_and_version_change(client, fmt):
    paper = make_paper(arxiv_id="2503.00042", title="First title", version=1)
    submit(paper, DAY)
    url = f"/papers/date/2025-03-12/feed.{fmt}"
    before = fetch(client, url).entries[0].id

    Paper.objects.filter(pk=paper.pk).update(title="A better title", version=2)
    after = fetch(client, url).entries[0]

    assert after.title == "A better title"
    assert after.id == before == "http://testserver/papers/2503.00042"


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_titles_and_abstracts_stay_text(client, fmt):
    submit(make_paper(title=HOSTILE, abstract=HOSTILE + " javascript:alert(3)"), DAY)

    response = client.get(f"/papers/date/2025-03-12/feed.{fmt}")
    entry = fetch(client, f"/papers/date/2025-03-12/feed.{fmt}").entries[0]

    # Every markup character reaches a reader as text: XML-escaped, and escaped once more
    # wherever the format says the text is HTML.
    assert b"<script" not in response.content
    assert b"<img" not in response.content
    assert shown_text(entry.title_detail) == HOSTILE
    assert shown_text(entry.summary_detail) == HOSTILE + " javascript:alert(3)"


def shown_text(detail) -> str:
    """What a reader displays: HTML is rendered (here: unescaped, for it must hold no
    tags), text is shown as it is."""
    if detail.type == "text/html":
        assert "<" not in detail.value
        return html.unescape(detail.value)
    assert detail.type == "text/plain"
    return detail.value


@pytest.mark.parametrize("fmt", FORMATS)
def test_hidden_papers_and_submissions_never_appear(client, fmt):
    submit(make_paper(title="Shown"), DAY)
    submit(make_paper(title="Hidden paper", hidden=True), DAY)
    submit(make_paper(title="Hidden submission"), DAY, hidden=True)
    org = make_organization("acme")
    make_paper(title="Org hidden", organization=org, hidden=True, authors=("Ada Lovelace",))
    make_paper(title="Org shown", organization=org, authors=("Ada Lovelace",))

    assert titles(fetch(client, f"/papers/date/2025-03-12/feed.{fmt}")) == ["Shown"]
    assert titles(fetch(client, f"/org/acme/feed.{fmt}")) == ["Org shown"]
    assert "Org hidden" not in titles(fetch(client, f"/authors/Ada Lovelace/feed.{fmt}"))
    assert "Hidden paper" not in titles(fetch(client, f"/feed.{fmt}"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_week_and_month_feeds(client, fmt):
    day_papers()
    submit(make_paper(title="Next month", imported_upvotes=50), dt.date(2025, 4, 1))

    week = fetch(client, f"/papers/week/2025-W11/feed.{fmt}")
    month = fetch(client, f"/papers/month/2025-03/feed.{fmt}")

    assert titles(week) == ["Day paper 1", "Day paper 0", "Day paper 2", "Yesterday's paper"]
    assert titles(month) == titles(week)
    assert week.feed.link == "http://testserver/papers/week/2025-W11"


@pytest.mark.parametrize("fmt", FORMATS)
def test_today_feed_follows_the_home_page(client, fmt):
    day_papers()  # nothing today: the latest day with papers, as on /

    feed = fetch(client, f"/feed.{fmt}")

    assert titles(feed) == ["Day paper 1", "Day paper 0", "Day paper 2"]
    assert feed.feed.link == "http://testserver/"


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_site_has_an_empty_today_feed(client, fmt):
    assert fetch(client, f"/feed.{fmt}").entries == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_trending_feed_in_trending_order(client, fmt):
    from django.utils import timezone

    now = timezone.now()
    for title, votes in [("Warm", 5), ("Hot", 40), ("Cold", 1)]:
        paper = make_paper(title=title, imported_upvotes=votes)
        submission = submit(paper, now.date())
        submission.submitted_at = now - dt.timedelta(hours=1)
        submission.save()

    feed = fetch(client, f"/papers/trending/feed.{fmt}")

    assert titles(feed) == ["Hot", "Warm", "Cold"]
    assert feed.feed.link == "http://testserver/papers/trending"


@pytest.mark.parametrize("fmt", FORMATS)
def test_organization_and_author_feeds_newest_first(client, fmt):
    org = make_organization("deepthink", fullname="DeepThink Lab")
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for n in range(3):
        make_paper(
            title=f"Org paper {n}",
            organization=org,
            authors=("José García",),
            published_at=base + dt.timedelta(days=n),
        )
    make_paper(title="Elsewhere", authors=("Someone Else",))

    org_feed = fetch(client, f"/org/deepthink/feed.{fmt}")
    author_feed = fetch(client, f"/authors/jose garcia/feed.{fmt}")

    assert titles(org_feed) == ["Org paper 2", "Org paper 1", "Org paper 0"]
    assert org_feed.feed.title == "DeepThink Lab · Daily Papers"
    assert org_feed.feed.link == "http://testserver/org/deepthink"
    assert org_feed.entries[0].published_parsed[:3] == (2025, 1, 3)
    assert titles(author_feed) == titles(org_feed)
    assert author_feed.feed.link == "http://testserver/authors/Jos%C3%A9%20Garc%C3%ADa"


@pytest.mark.parametrize(
    "url",
    [
        "/papers/date/2025-13-45/feed.atom",
        "/papers/date/not-a-day/feed.rss",
        "/papers/week/2025-W60/feed.atom",
        "/papers/month/2025-00/feed.rss",
        "/org/nothing/feed.atom",
        "/org/a%00b/feed.rss",
        "/authors/Nobody Here/feed.atom",
        "/authors/a%00b/feed.rss",
        "/papers/date/2025-03-12/feed.json",
        "/feed.xml",
    ],
)
def test_bad_input_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_feeds_answer_get_and_head_only(client):
    assert client.head("/feed.atom").status_code == 200
    assert client.post("/feed.atom").status_code == 405


def test_feeds_may_be_cached_briefly(client):
    response = client.get("/feed.rss")

    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


def test_author_named_like_a_feed_keeps_their_page(client):
    make_paper(title="Odd name", authors=("x/feed.atom",))

    page = client.get("/authors/x/feed.atom")
    own_feed = fetch(client, "/authors/x/feed.atom/feed.atom")

    assert page.status_code == 200
    assert page.context["author"].name == "x/feed.atom"
    assert titles(own_feed) == ["Odd name"]


def test_the_feed_wins_when_both_authors_exist(client):
    make_paper(title="By x", authors=("x",))
    make_paper(title="By the odd one", authors=("x/feed.rss",))

    assert titles(fetch(client, "/authors/x/feed.rss")) == ["By x"]


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/feed.atom",
        "/papers/date/2025-03-12/feed.rss",
        "/papers/month/2025-03/feed.atom",
        "/papers/trending/feed.rss",
        "/org/acme/feed.atom",
        "/authors/Ada Lovelace/feed.rss",
    ],
)
def test_feed_queries_do_not_grow_with_items(client, url):
    org = make_organization("acme")

    def add(n: int) -> None:
        for _ in range(n):
            paper = make_paper(organization=org, authors=("Ada Lovelace", "Alan Turing"))
            submit(paper, DAY)

    add(3)
    from django.core.cache import cache

    cache.clear()
    small = query_count(client, url)
    add(6)
    cache.clear()
    large = query_count(client, url)

    assert small == large
    assert Author.objects.count() == 2


@pytest.mark.parametrize(
    "page, feed",
    [
        ("/", "/feed.atom"),
        ("/papers/date/2025-03-12", "/papers/date/2025-03-12/feed.atom"),
        ("/papers/week/2025-W11", "/papers/week/2025-W11/feed.atom"),
        ("/papers/month/2025-03", "/papers/month/2025-03/feed.atom"),
        ("/papers/trending", "/papers/trending/feed.atom"),
        ("/org/acme", "/org/acme/feed.atom"),
        ("/authors/Ada%20Lovelace", "/authors/Ada%20Lovelace/feed.atom"),
    ],
)
def test_listing_pages_announce_their_feeds(client, page, feed):
    submit(make_paper(organization=make_organization("acme")), DAY)

    html = client.get(page).content.decode()

    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{feed}"' in html
    assert f'href="{feed.removesuffix(".atom")}.rss"' in html
    assert client.get(feed).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_reader_discovers_and_reads_a_feed_over_http(live_server):
    """As a feed reader does: fetch the page, follow its alternate link, parse the feed."""
    import re
    import urllib.request

    submit(make_paper(arxiv_id="2503.00099", title="Served over HTTP"), DAY)
    with urllib.request.urlopen(f"{live_server.url}/papers/date/2025-03-12") as page:
        html = page.read().decode()
    href = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html)

    feed = feedparser.parse(live_server.url + href.group(1))

    assert not feed.bozo and feed.status == 200
    assert [entry.title for entry in feed.entries] == ["Served over HTTP"]
    assert feed.entries[0].link == f"{live_server.url}/papers/2503.00099"
