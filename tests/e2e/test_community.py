"""The community in a real Chromium: a newcomer signs up, confirms the address from the email
that reached a real SMTP server, logs in, upvotes, submits a paper fetched from (recorded)
arXiv, comments and replies; then a moderator hides the comment and it is gone for the member.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect

from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.models import Comment, Paper, Upvote
from tests.factories import make_submitted_paper
from tests.ingest.test_submit import FakeArxiv

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def arxiv(httpserver, settings) -> FakeArxiv:
    fake = FakeArxiv(httpserver)
    settings.ARXIV_API_URL = fake.url
    settings.ARXIV_DELAY_SECONDS = 0
    settings.SUBMIT_MAX_AGE_DAYS = 0  # the recorded paper is from 2021
    settings.SUBMIT_WEEKENDS = True
    return fake


def sign_up_and_confirm(page: Page, base: str, smtp_server) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Sign up").click()
    page.locator("#id_username").fill("ada")
    page.locator("#id_email").fill("ada@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("main")).to_contain_text("ada@example.org")

    (message,) = smtp_server.to("ada@example.org")
    (link,) = [url for url in message.links() if "/accounts/confirm-email/" in url]
    page.goto(re.sub(r"^https?://[^/]+", base, link))
    page.get_by_role("button", name="Confirm").click()


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header").get_by_role("link", name=username, exact=True)).to_be_visible()


def test_a_member_joins_votes_submits_and_discusses_and_a_moderator_hides(
    live_server, page: Page, browser: Browser, smtp_server, arxiv, settings, request
):
    settings.FEED_CACHE_SECONDS = 0
    base = live_server.url
    make_submitted_paper(feed_today(), title="Today's Paper on Reward Models", upvotes=4)
    arxiv.knows("2104.12255", "id_2104.12255v2.xml")

    sign_up_and_confirm(page, base, smtp_server)
    if page.locator("header").get_by_role("link", name="ada", exact=True).count() == 0:
        log_in(page, base, "ada")

    # Upvote on today's feed: the button swaps in place (htmx) and the count moves.
    page.goto(base + "/")
    card = page.locator("article.card", has_text="Today's Paper on Reward Models")
    button = card.get_by_role("button", name=re.compile("upvotes"))
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_contain_text("4")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("5")
    assert Upvote.objects.filter(user__username="ada").count() == 1

    # Submit a paper arXiv knows and we don't: look it up, confirm, land on its page.
    page.get_by_role("link", name="Submit").click()
    page.get_by_label(re.compile("arXiv", re.I)).first.fill("https://arxiv.org/abs/2104.12255v2")
    page.get_by_role("button", name="Look it up").click()
    page.get_by_role("button", name=re.compile("Submit to today")).click()
    expect(page).to_have_url(re.compile(r"/papers/2104\.12255$"))
    paper = Paper.objects.get(arxiv_id="2104.12255")
    assert paper.submission.feed_date == feed_today()
    assert paper.submission.submitter.username == "ada"

    # Comment, then reply to the comment.
    page.get_by_label("Your comment").fill("The ablation in **section 4** is the key result.")
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator("#comments article.comment", has_text="the key result")
    expect(comment.locator("strong")).to_have_text("section 4")
    comment.locator("summary", has_text="Reply").click()
    comment.get_by_label("Your reply").fill("Agreed, and the appendix has the numbers.")
    comment.get_by_role("button", name="Reply").click()
    expect(page.locator("#comments")).to_contain_text("the appendix has the numbers")
    top = Comment.objects.get(parent=None, paper=paper)
    assert top.replies.count() == 1

    # A moderator, in a browser of their own, hides the comment from the page.
    get_user_model().objects.create_user(
        "mod", "mod@example.org", PASSWORD, is_staff=True, is_superuser=True
    )
    moderators_browser = browser.new_context()
    # Closed at the end: its keep-alive connections hold server threads (and their database
    # sessions) open, and PostgreSQL refuses to drop the test database under them.
    request.addfinalizer(moderators_browser.close)
    moderator = moderators_browser.new_page()
    moderator.goto(base + "/admin/login/?next=/papers/2104.12255")
    moderator.get_by_label("Username").fill("mod")
    moderator.get_by_label("Password").fill(PASSWORD)
    moderator.get_by_role("button", name="Log in").click()
    moderator.goto(base + "/papers/2104.12255")
    hidden = moderator.locator(f"#comment-{top.pk}")
    hidden.get_by_role("button", name="Hide", exact=True).click()
    expect(moderator.locator(f"#comment-{top.pk}")).to_contain_text("hidden by a moderator")
    top.refresh_from_db()
    assert top.hidden

    # Gone for the member at once, with its reply and from the count on the card.
    page.reload()
    expect(page.locator("#comments")).not_to_contain_text("the key result")
    expect(page.locator("#comments")).not_to_contain_text("the appendix has the numbers")
    page.goto(base + "/")
    submitted = page.locator("article.card", has_text=paper.title[:30])
    expect(submitted).to_contain_text("0 comments")
