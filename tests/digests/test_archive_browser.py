"""The staff preview in Chromium: the email's HTML part renders in its frame under the site's
Content-Security-Policy (and its own), and the web version of a sent digest opens."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from dailypapers.digests.send import send_digests
from tests.digests.helpers import subscribe
from tests.factories import make_submitted_paper

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("csp_violations"),  # fail on any CSP violation, the frame's too
]
DAY = dt.date(2026, 11, 20)
PASSWORD = "a long test password"


def test_staff_previews_the_email_and_opens_the_web_version(
    live_server, page: Page, smtp_server, settings
):
    settings.BASE_URL = live_server.url
    make_submitted_paper(DAY, upvotes=8, arxiv_id="2511.00008", title="Rubric reward models")
    make_submitted_paper(DAY, upvotes=3, arxiv_id="2511.00003", title="Sparse attention")
    get_user_model().objects.create_user("editor", "editor@example.org", PASSWORD, is_staff=True)
    base = live_server.url

    page.goto(base + "/admin/login/?next=/digest/preview")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Digest preview")).to_be_visible()

    # Pick the period with the page's own form.
    page.get_by_label("Period").select_option("daily")
    page.get_by_label("Date").fill("2026-11-20")
    page.get_by_role("button", name="Preview").click()
    headers = page.locator("table.email-headers")
    expect(headers).to_contain_text("List-Unsubscribe")
    expect(headers).to_contain_text("Daily Papers: the day's top papers, Nov 20, 2026")

    email = page.frame_locator("iframe.email-frame")
    first = email.get_by_role("link", name="Rubric reward models")
    expect(first).to_be_visible()
    expect(first).to_have_attribute("href", base + "/papers/2511.00008")
    expect(email.get_by_role("link", name="Sparse attention")).to_be_visible()
    # The email's inline styles apply inside the frame (its policy allows them).
    assert first.evaluate("a => getComputedStyle(a.closest('h2')).fontSize") == "16px"
    expect(page.locator("pre.email-text")).to_contain_text("1. Rubric reward models")
    expect(page.get_by_text("404 until then")).to_be_visible()

    # Once sent, the web version is public: a visitor's browser (no session) opens it.
    subscribe("reader@example.org")
    assert send_digests("daily", DAY).sent == 1
    page.context.clear_cookies()
    page.goto(base + "/digest/daily/2026-11-20")
    expect(page.get_by_role("heading", name="The top papers of the day")).to_be_visible()
    page.get_by_role("link", name="Rubric reward models").click()
    expect(page).to_have_url(base + "/papers/2511.00008")
