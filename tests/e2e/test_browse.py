"""A reader in a real Chromium: today's feed, the previous day, a paper with rendered math."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from tests.factories import make_submitted_paper

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reader_steps_back_a_day_and_sees_rendered_math(live_server, page: Page):
    make_submitted_paper(
        dt.date(2025, 3, 11),
        title="Bounds on $\\epsilon$-Optimal Policies",
        abstract="We prove that $\\sum_{i=1}^n x_i^2 \\le \\epsilon$ for every policy.",
        upvotes=12,
    )
    make_submitted_paper(dt.date(2025, 3, 14), title="Latest Day Paper", upvotes=3)

    page.goto(live_server.url + "/")
    expect(page.locator("h2.current")).to_have_text("Mar 14, 2025")
    expect(page.get_by_role("link", name="Latest Day Paper")).to_be_visible()

    page.get_by_role("link", name="← Mar 11, 2025").click()
    expect(page).to_have_url(live_server.url + "/papers/date/2025-03-11")

    page.locator("article.card h2 a").first.click()
    expect(page.locator("h1 .katex")).to_have_count(1)
    expect(page.locator(".abstract .katex").first).to_be_visible()
    assert "\\sum" not in page.locator(".abstract").inner_text()
