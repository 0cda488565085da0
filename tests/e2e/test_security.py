"""The Content-Security-Policy in a real Chromium: math, broken images and the admin still
work with no inline script or style."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.factories import make_organization, make_submitted_paper

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_stretchy_math_renders_under_the_policy(live_server, page: Page):
    paper = make_submitted_paper(
        dt.date(2025, 3, 11),
        title="Vectors $\\vec{v}$ and hats $\\widehat{xyz}$",
        abstract="Arrows $\\overrightarrow{AB}$, roots $\\sqrt{x^2+1}$ and $\\frac{a}{b}$.",
    )

    page.goto(live_server.url + paper.get_absolute_url())

    expect(page.locator("h1 .katex")).to_have_count(2)
    expect(page.locator(".abstract .katex svg").first).to_be_visible()
    assert "\\overrightarrow" not in page.locator(".abstract").inner_text()


def test_images_that_fail_to_load_are_hidden(live_server, page: Page):
    missing = live_server.url + "/static/nothing-here.png"
    org = make_organization("ghost", avatar_url=missing)
    make_submitted_paper(dt.date(2025, 3, 11), organization=org, thumbnail=missing)

    page.goto(live_server.url + "/papers/date/2025-03-11")

    expect(page.locator("a.thumb")).to_be_hidden()
    expect(page.locator(".org img")).to_be_hidden()
    expect(page.locator(".org")).to_contain_text("Ghost Research")


def test_admin_works_under_the_policy(live_server, page: Page):
    get_user_model().objects.create_superuser("admin", "admin@example.org", "s3cret-pass")
    paper = make_submitted_paper(dt.date(2025, 3, 11), title="Admin sees this")

    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("s3cret-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Papers").first).to_be_visible()

    page.goto(live_server.url + "/admin/papers/paper/")
    expect(page.get_by_role("cell", name="Admin sees this", exact=True)).to_be_visible()
    page.goto(live_server.url + f"/admin/papers/paper/{paper.pk}/change/")
    expect(page.locator("#id_title")).to_have_value("Admin sees this")
    page.goto(live_server.url + f"/admin/papers/submission/{paper.submission.pk}/change/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
