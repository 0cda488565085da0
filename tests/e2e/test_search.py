"""A reader searches in a real Chromium: live results while typing, then the full page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from dailypapers.papers.models import Paper
from dailypapers.search import index_papers
from tests.factories import make_paper

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cache.clear()


def test_live_results_appear_as_you_type_and_the_form_works_without_them(live_server, page: Page):
    make_paper(title="Rubric Reward Models for $\\alpha$-Alignment", abstract="Rubrics as rewards.")
    make_paper(title="Protein Folding at Scale", abstract="Structures from sequences.")
    index_papers(list(Paper.objects.values_list("pk", flat=True)))

    page.goto(live_server.url + "/")
    box = page.get_by_role("searchbox", name="Search any paper")
    box.press_sequentially("rubric rew", delay=30)
    live = page.locator("#live-results")
    expect(live.get_by_role("link", name="All results for “rubric rew” →")).to_be_visible()
    expect(live.locator("a mark").first).to_have_text("Rubric")
    expect(live.locator(".katex")).to_have_count(1)  # math renders in swapped-in results

    box.press("Enter")
    expect(page).to_have_url(live_server.url + "/search?q=rubric+rew")
    first = page.locator("article.card h2 a").first
    expect(first).to_contain_text("Rubric Reward Models")
    expect(page.locator("article.card h2 .katex")).to_have_count(1)
    first.click()
    expect(page.locator("h1")).to_contain_text("Rubric Reward Models")
    expect(page.get_by_role("heading", name="Similar papers")).to_be_visible()
