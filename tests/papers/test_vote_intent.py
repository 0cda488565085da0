"""A visitor's ▲ through login (`papers.vote_intent`): cast after login by the browser that
clicked it, by no one else's link, and back on the card."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client

from dailypapers.papers import vote_intent
from dailypapers.papers.models import Paper, Upvote
from tests.factories import make_paper, submit

pytestmark = pytest.mark.django_db

INTENT = "/papers/2401.01234/upvote/intent"


@pytest.fixture
def paper() -> Paper:
    return make_paper("2401.01234", imported_upvotes=7)


def member(name: str = "ada") -> User:
    return User.objects.create(username=name)


def login_next(answer) -> str:
    """Where the login page the visitor was sent to comes back to."""
    location = urlsplit(answer["Location"])
    assert location.path == "/accounts/login/"
    return parse_qs(location.query)["next"][0]


def test_a_visitors_upvote_sends_them_to_login_with_a_signed_intent(client, paper):
    answer = client.get(INTENT, {"next": "/papers/date/2025-03-12?page=2"})

    back = login_next(answer)
    assert back.startswith(INTENT + "?intent=")
    intent = vote_intent.read(parse_qs(urlsplit(back).query)["intent"][0])
    assert (intent.arxiv_id, intent.page) == ("2401.01234", "/papers/date/2025-03-12?page=2")
    cookie = answer.cookies[vote_intent.COOKIE]
    assert cookie.value == intent.nonce and cookie["path"] == "/papers/" and cookie["httponly"]
    assert not Upvote.objects.exists()  # nothing is cast before login


def test_the_login_page_says_the_vote_will_be_cast(client, paper):
    answer = client.get(INTENT, {"next": "/"}, follow=True)

    assert "Log in to upvote “Paper 2401.01234”" in answer.content.decode()


def test_a_member_back_from_login_has_the_vote_cast_and_lands_on_the_card(client, paper):
    back = login_next(client.get(INTENT, {"next": "/?page=2"}))
    client.force_login(member())

    answer = client.get(back)

    assert answer.status_code == 302 and answer["Location"] == "/?page=2#paper-2401.01234"
    assert Upvote.objects.filter(user__username="ada", paper=paper).count() == 1
    assert answer.cookies[vote_intent.COOKIE].value == ""  # used once
    client.get(back)  # the cookie is gone: asking again casts nothing new
    paper.refresh_from_db()
    assert paper.upvotes == 1


def test_someone_elses_signed_intent_casts_nothing_for_a_logged_in_member(paper):
    """The CSRF case: an attacker gets a genuine intent as a visitor and sends a member to it."""
    back = login_next(Client().get(INTENT, {"next": "/"}))
    victim = Client()
    victim.force_login(member())

    answer = victim.get(back)

    assert answer["Location"] == "/#paper-2401.01234"
    assert not Upvote.objects.exists()
    notes = [str(m) for m in get_messages(answer.wsgi_request)]
    assert notes == ["Your upvote was not cast: press ▲ to upvote."]


def test_an_intent_too_old_casts_nothing(client, paper, monkeypatch):
    back = login_next(client.get(INTENT, {"next": "/"}))
    client.force_login(member())
    monkeypatch.setattr(vote_intent, "INTENT_SECONDS", -1)  # every intent is now too old

    answer = client.get(back)

    assert answer["Location"] == "/papers/2401.01234"
    assert not Upvote.objects.exists()


def test_an_intent_for_one_paper_casts_nothing_on_another(client, paper):
    make_paper("2401.09999")
    back = login_next(client.get(INTENT, {"next": "/"}))
    client.force_login(member())

    client.get(back.replace("2401.01234", "2401.09999", 1))

    assert not Upvote.objects.exists()


def test_a_tampered_intent_casts_nothing(client, paper):
    back = login_next(client.get(INTENT, {"next": "/"}))
    client.force_login(member())

    client.get(back[:-3] + "xyz")

    assert not Upvote.objects.exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_an_intent_never_leads_to_another_site(client, paper, target):
    back = login_next(client.get(INTENT, {"next": target}))
    client.force_login(member())

    assert client.get(back)["Location"] == "/papers/2401.01234"


def test_a_member_following_a_visitors_link_goes_to_the_card_without_voting(client, paper):
    client.force_login(member())

    answer = client.get(INTENT, {"next": "/papers/trending"})

    assert answer["Location"] == "/papers/trending#paper-2401.01234"
    assert not Upvote.objects.exists()


def test_a_feed_gives_every_visitor_the_same_upvote_link(paper):
    submit(paper, make_paper().published_at.date())
    pages = [Client().get(f"/papers/date/{paper.submission.feed_date}") for _ in range(2)]

    link = f'href="{INTENT}?next=/papers/date/{paper.submission.feed_date}"'
    assert all(link in page.content.decode() for page in pages)
    assert 'id="paper-2401.01234"' in pages[0].content.decode()


def test_the_intent_answers_only_reads(client, paper):
    assert client.post(INTENT).status_code == 405
