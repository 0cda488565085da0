"""Feed pages are rendered once and shared (`papers.cards`, `papers.feed_cache`): reused
for visitors, finished per member with their own votes and token, never one reader's page
served to another, a vote shown after FEED_CACHE_SECONDS and moderation at once."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dailypapers.papers import feed_cache, services
from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.models import Paper
from tests.factories import make_member, make_submitted_paper

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)
URL = "/papers/date/2025-03-12"
TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Clock:
    """The feed cache's wall clock, moved by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(feed_cache, "_now", fake)
    return fake


@pytest.fixture(autouse=True)
def _cached(settings):
    settings.FEED_CACHE_SECONDS = 1.0  # the default (the suite turns it off elsewhere)


def cards(html: str) -> dict[str, str]:
    """Each card's HTML by the arXiv id its title links to."""
    found = {}
    for card in re.split(r'<article class="card"[^>]*>', html)[1:]:
        arxiv_id = re.search(r'<h2 class="title math"><a href="/papers/([^"]+)"', card).group(1)
        found[arxiv_id] = card.split("</article>")[0]
    return found


def shown_count(html: str, paper: Paper) -> int:
    control = cards(html)[paper.arxiv_id]
    return int(re.search(r"<strong>([\d,]+)</strong>", control).group(1).replace(",", ""))


def pressed(html: str) -> set[str]:
    return {arxiv_id for arxiv_id, card in cards(html).items() if 'aria-pressed="true"' in card}


def get(client: Client, url: str = URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def feed_queries(client: Client, url: str = URL) -> list[str]:
    """The SQL a page load ran, other than the cache's own table."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "dailypapers_cache" not in q["sql"]]


def member_client(username: str) -> tuple[Client, object]:
    member = make_member(username)
    client = Client()
    client.force_login(member)
    return client, member


# ------------------------------------------------------------------------------ visitors


def test_visitors_share_one_render_of_the_page(client, clock):
    make_submitted_paper(DAY, title="Shared")
    first = client.get(URL)

    again = Client().get(URL)  # another visitor

    assert "papers/_feed_body.html" in [t.name for t in first.templates]
    assert again.templates == []  # nothing rendered: the whole page came from the cache
    assert again.content == first.content
    assert feed_queries(Client()) == []  # not one query outside the cache table


def test_a_visitor_page_sets_no_cookie_and_varies_on_cookie(client, clock):
    make_submitted_paper(DAY)
    get(client)

    response = client.get(URL)

    assert response.cookies == {}
    assert "Cookie" in response["Vary"]
    assert "private" not in response.get("Cache-Control", "")
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_vote_shows_to_visitors_once_the_cache_time_has_passed(client, clock):
    paper = make_submitted_paper(DAY, upvotes=5)
    voter = make_member("voter")
    assert shown_count(get(client), paper) == 5

    services.set_upvote(voter, paper, True)

    assert shown_count(get(client), paper) == 5  # within FEED_CACHE_SECONDS: the shared page
    clock.advance(1.0)
    assert shown_count(get(client), paper) == 6


def test_a_page_past_its_time_is_never_served_even_while_another_rebuilds_it(
    client, clock, monkeypatch
):
    paper = make_submitted_paper(DAY, upvotes=5)
    get(client)
    Paper.objects.filter(pk=paper.pk).update(upvotes=1)
    clock.advance(1.0)
    assert feed_cache._lock(f"feed:page:{URL}")  # a rebuild that hangs in another worker
    monkeypatch.setattr(feed_cache, "WAIT_SECONDS", 0)  # do not wait for it in a test

    assert shown_count(get(client), paper) == 6


def test_past_half_its_life_a_page_is_rebuilt_by_one_request_while_others_serve_it(client, clock):
    paper = make_submitted_paper(DAY, upvotes=5)
    get(client)
    Paper.objects.filter(pk=paper.pk).update(upvotes=1)
    clock.advance(0.6)
    page_key = f"feed:page:{URL}"
    assert feed_cache._lock(page_key)  # another worker is rebuilding it right now

    assert shown_count(get(client), paper) == 5  # served as it is, no second build
    cache.delete(f"{page_key}:lock")
    assert shown_count(get(client), paper) == 6  # this request takes the lock and rebuilds


def test_concurrent_requests_for_a_missing_page_wait_for_one_build(settings, monkeypatch):
    # An in-process cache: the test database (SQLite in memory, shared between threads)
    # refuses concurrent writers at once where a real one waits; the bench loads the real
    # database cache with 16 connections.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.FEED_CACHE_SECONDS = 60
    monkeypatch.setattr(feed_cache, "WAIT_SECONDS", 60)  # the waiters never give up here
    feed_cache.generation()  # as on a running site (first requests may race to create it)
    builds, release = [], threading.Event()

    def build() -> str:
        builds.append(threading.get_ident())
        release.wait(60)
        return "the page"

    def reader(results: list) -> None:
        results.append(feed_cache.shared("/a/page", build))

    results: list[str] = []
    threads = [threading.Thread(target=reader, args=(results,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while not builds and time.monotonic() < deadline:  # one builds; the others wait for it
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join()

    assert len(builds) == 1
    assert results == ["the page"] * 8


def test_page_numbers_have_their_own_pages_and_other_parameters_share_one(client, clock):
    for n in range(55):
        make_submitted_paper(DAY, upvotes=n, title=f"Paper number {n}")
    first = get(client)

    assert get(client, URL + "?page=1&utm_source=x") == first
    assert get(client, URL + "?page=nonsense") == first
    second = get(client, URL + "?page=2")
    assert "Paper number 0<" in second and "Paper number 0<" not in first
    assert 'href="?page=1"' in second  # the pager of the page it is, not of some request


def test_home_is_cached_like_a_day(client, clock):
    paper = make_submitted_paper(DAY, upvotes=2)
    get(client, "/")
    Paper.objects.filter(pk=paper.pk).update(upvotes=10)

    assert shown_count(get(client, "/"), paper) == 2
    clock.advance(1.0)
    assert shown_count(get(client, "/"), paper) == 12


# ---------------------------------------------------------------------------- moderation


@pytest.mark.parametrize("hide", ["paper", "submission"])
def test_hiding_shows_at_once(client, clock, django_capture_on_commit_callbacks, hide):
    make_submitted_paper(DAY, title="Stays")
    doomed = make_submitted_paper(DAY, title="Goes away")
    assert "Goes away" in get(client)

    with django_capture_on_commit_callbacks(execute=True):
        if hide == "paper":
            services.set_paper_hidden(doomed, True)
        else:
            services.set_submission_hidden(doomed.submission, True)

    html = get(client)  # the clock has not moved: the generation did
    assert "Goes away" not in html and "Stays" in html


def test_a_lost_generation_counter_never_revives_old_pages(client, clock):
    make_submitted_paper(DAY, title="Old")
    get(client)
    cache.delete(feed_cache.GENERATION_KEY)  # evicted (the database cache culls)
    Paper.objects.filter(title="Old").update(title="New")

    assert "New" in get(client)


# ------------------------------------------------------------------------------- members


def test_members_see_their_own_votes_and_nobody_elses(clock):
    one, two, three = (make_submitted_paper(DAY, upvotes=n) for n in (3, 2, 1))
    ada, ada_member = member_client("ada")
    bob, bob_member = member_client("bob")
    services.set_upvote(ada_member, one, True)
    services.set_upvote(bob_member, two, True)
    services.set_upvote(bob_member, three, True)

    assert pressed(get(ada)) == {one.arxiv_id}
    assert pressed(get(bob)) == {two.arxiv_id, three.arxiv_id}
    assert pressed(get(ada)) == {one.arxiv_id}
    visitor = get(Client())
    assert pressed(visitor) == set() and "csrfmiddlewaretoken" not in visitor


def test_a_member_page_is_private_and_carries_their_own_token(clock):
    make_submitted_paper(DAY)
    ada, _ = member_client("ada")
    bob, _ = member_client("bob")

    responses = {name: c.get(URL) for name, c in (("ada", ada), ("bob", bob))}

    for response in responses.values():
        assert "private" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
        tokens = TOKEN_INPUT.findall(response.content.decode())
        secret = response.cookies["csrftoken"].value
        assert len(tokens) >= 1  # the vote form (and any form in the header)
        assert {_unmask(token) for token in tokens} == {secret}  # their own cookie's
    secrets = {r.cookies["csrftoken"].value for r in responses.values()}
    assert len(secrets) == 2


def test_the_vote_controls_are_those_the_template_renders_for_this_reader(rf, clock):
    papers = [make_submitted_paper(DAY, upvotes=n) for n in (7, 1234)]
    ada, member = member_client("ada")
    services.set_upvote(member, papers[0], True)
    get(Client())  # the shared page exists before this member comes
    html = get(ada, URL + "?page=1")
    visitor_html = get(Client(), URL)

    for paper in Paper.objects.filter(pk__in=[p.pk for p in papers]):
        paper.score = paper.upvotes + paper.imported_upvotes
        expected = _control(rf, paper, member, upvoted=paper.pk == papers[0].pk)
        assert _tokenless(expected) in _tokenless(cards(html)[paper.arxiv_id])
        anonymous = _control(rf, paper, None, upvoted=False)
        assert anonymous in cards(visitor_html)[paper.arxiv_id]


def test_a_member_who_just_voted_gets_a_page_built_after_their_vote(
    clock, django_capture_on_commit_callbacks
):
    paper = make_submitted_paper(DAY, upvotes=5)
    ada, member = member_client("ada")
    assert shown_count(get(ada), paper) == 5

    with django_capture_on_commit_callbacks(execute=True):
        services.set_upvote(member, paper, True)

    html = get(ada)  # no clock move: their own count agrees with their pressed button
    assert pressed(html) == {paper.arxiv_id} and shown_count(html, paper) == 6


def test_nothing_of_a_member_reaches_the_shared_cache(clock):
    make_submitted_paper(DAY, title="A paper")
    ada, _ = member_client("ada-the-unique-name")
    response = ada.get(URL)
    token = TOKEN_INPUT.search(response.content.decode()).group(1)
    secret = response.cookies["csrftoken"].value
    session = ada.cookies["sessionid"].value

    stored = pickle.dumps(cache.get(f"feed:page:{URL}"))
    local = pickle.dumps(list(feed_cache._local.values()))

    assert b"A paper" in stored
    for private in ("ada-the-unique-name", token, secret, session):
        assert private.encode() not in stored and private.encode() not in local


def test_a_member_page_runs_constant_queries(clock):
    ada, _ = member_client("ada")
    make_submitted_paper(DAY)
    get(Client())
    small = feed_queries(ada)
    for _ in range(5):
        make_submitted_paper(DAY)
    cache.clear()
    get(Client())

    assert len(feed_queries(ada)) == len(small)


def test_the_trending_page_is_shared_and_finished_per_member(clock):
    today = feed_today()
    liked, other = (make_submitted_paper(today, upvotes=n) for n in (9, 4))
    ada, member = member_client("ada")
    services.set_upvote(member, liked, True)
    assert set(cards(get(Client(), "/papers/trending"))) == {liked.arxiv_id, other.arxiv_id}

    again = Client().get("/papers/trending")
    member_html = get(ada, "/papers/trending")

    assert again.templates == []
    assert pressed(member_html) == {liked.arxiv_id}
    assert "Trending papers · Daily Papers" in member_html


# ------------------------------------------------------------------------------- hostile


HOSTILE = '<!--0:1--><script>alert(1)</script><img src=x onerror="alert(2)"> $\\frac{'


def test_hostile_titles_stay_inert_in_shared_and_member_pages(clock):
    make_submitted_paper(DAY, title=HOSTILE)
    ada, _ = member_client("ada")

    for html in (get(Client()), get(ada)):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;!--0:1--&gt;&lt;script&gt;" in html


# ------------------------------------------------------------------------------ helpers


def _control(rf, paper: Paper, member, upvoted: bool) -> str:
    from django.contrib.auth.models import AnonymousUser

    request = rf.get(URL)
    request.user = member or AnonymousUser()
    context = {"paper": paper, "upvoted": upvoted}
    return render_to_string("papers/_vote.html", context, request=request)


def _tokenless(html: str) -> str:
    return TOKEN_INPUT.sub('name="csrfmiddlewaretoken" value="…"', html)


def _unmask(token: str) -> str:
    from django.middleware.csrf import _unmask_cipher_token

    return _unmask_cipher_token(token)
