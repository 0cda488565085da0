"""A first vote in a real Chromium (#22): a visitor's ▲ survives the trip through login and
lands them on the card, a no-JS vote comes back to the card, and Back never shows a vote
the way it was before the member changed it."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.models import Paper, Upvote
from tests.factories import make_member, make_submitted_paper

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long test password"
CARDS = 30


@pytest.fixture
def feed(settings) -> Paper:
    """Today's feed of 30 cards; the one returned is the last (fewest upvotes), far below
    the fold on any screen."""
    settings.FEED_CACHE_SECONDS = 0
    papers = [
        make_submitted_paper(feed_today(), upvotes=100 + CARDS - i, title=f"Paper number {i}")
        for i in range(CARDS)
    ]
    return papers[-1]


def log_in_by_cookie(context: BrowserContext, base: str, username: str = "ada") -> None:
    client = Client()
    client.force_login(make_member(username))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])


def card_of(page: Page, paper: Paper):
    return page.locator(f'article.card[id="paper-{paper.arxiv_id}"]')


def test_a_visitors_upvote_is_cast_after_login_and_they_land_on_the_card(
    live_server, page: Page, feed: Paper
):
    paper = feed
    ada = make_member("ada", password=PASSWORD)
    EmailAddress.objects.create(user=ada, email=ada.email, verified=True, primary=True)
    page.goto(live_server.url + "/")
    card_of(page, paper).get_by_role("link", name=re.compile("log in to upvote")).click()

    expect(page.locator(".messages")).to_contain_text(f"Log in to upvote “{paper.title}”")
    page.locator("#id_login").fill("ada")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(rf"/#paper-{re.escape(paper.arxiv_id)}$"))
    button = card_of(page, paper).get_by_role("button", name=re.compile("upvotes"))
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("102")
    expect(button).to_be_in_viewport()
    assert Upvote.objects.filter(user__username="ada", paper=paper).count() == 1


def test_without_javascript_a_members_vote_comes_back_to_the_card(
    live_server, browser, feed: Paper, request
):
    context = browser.new_context(java_script_enabled=False)
    request.addfinalizer(context.close)  # its connections hold live-server threads
    log_in_by_cookie(context, live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/")

    card_of(page, feed).get_by_role("button", name=re.compile("upvotes")).click()

    expect(page).to_have_url(re.compile(rf"/#paper-{re.escape(feed.arxiv_id)}$"))
    button = card_of(page, feed).get_by_role("button", name=re.compile("upvotes"))
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_be_in_viewport()
