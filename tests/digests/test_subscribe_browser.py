"""The subscribe flow in Chromium: banner -> form -> email -> Confirm -> active, then the
unsubscribe page, with real CSRF cookies and a real SMTP server."""

import re

import pytest
from playwright.sync_api import Page, expect

from dailypapers.digests import tokens
from dailypapers.digests.models import Subscription

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("csp_violations"),  # fail on any CSP violation
]


def test_a_reader_subscribes_from_the_banner_confirms_and_unsubscribes(
    live_server, page: Page, smtp_server
):
    base = live_server.url
    page.goto(base + "/")
    expect(page.get_by_text("Get trending papers in your email inbox!")).to_be_visible()
    page.get_by_role("link", name="Subscribe").click()
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Weekly").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    (message,) = smtp_server.to("ada@example.org")
    (link,) = message.links()
    page.goto(base + re.sub(r"^https?://[^/]+", "", link))
    assert not Subscription.objects.get().active  # opening the link is not enough
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    sub = Subscription.objects.get()
    assert sub.active and sub.frequency == "weekly"

    page.goto(base + re.sub(r"^https?://[^/]+", "", tokens.unsubscribe_url(sub)))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    sub.refresh_from_db()
    assert not sub.active
