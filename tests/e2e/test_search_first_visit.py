"""A first search in a real Chromium: a phone's first screen holds several results, /search has
one search box and distinct landmarks, and the header's live results work from the keyboard."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from dailypapers.papers.models import Paper
from dailypapers.search import index_papers
from tests.factories import make_paper

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# An abstract of a usual length (~1,200 characters; the card shows its first 320).
ABSTRACT = " ".join(["Reward models trained from rubrics align assistants with experts."] * 18)
LANDMARKS = ("banner", "navigation", "main", "contentinfo", "search", "region", "complementary")


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cache.clear()


def rubric_papers(n: int) -> None:
    for k in range(n):
        make_paper(
            title=f"Rubric reward models for aligning language models, part {k}",
            abstract=ABSTRACT,
            authors=("Grace Hopper", "Alan Turing", "Ada Lovelace", "Edsger Dijkstra", "Anon"),
        )
    make_paper(title="Protein Folding at Scale", abstract="Structures from sequences.")
    index_papers(list(Paper.objects.values_list("pk", flat=True)))


def cards_in_first_screen(page: Page) -> int:
    tops = page.locator("article.card").evaluate_all(
        "cards => cards.map(card => card.getBoundingClientRect().top)"
    )
    return sum(1 for top in tops if top < page.viewport_size["height"])


def test_a_phone_first_screen_shows_three_search_results(live_server, page: Page):
    rubric_papers(6)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/search?q=rubric+reward")
    # Measured before the phone styles: 2, the second's top 91 px above the screen's end.
    assert cards_in_first_screen(page) >= 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_search_page_has_one_search_box_and_distinct_landmarks(live_server, page: Page):
    rubric_papers(2)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/search?q=rubric")
    expect(page.get_by_role("searchbox")).to_have_count(1)
    for role in LANDMARKS:  # axe's landmark-unique: same role, same name (or none) twice
        found = page.get_by_role(role)
        names = [
            found.nth(i).evaluate("e => e.getAttribute('aria-label') || ''")
            for i in range(found.count())
        ]
        assert len(names) == len(set(names)), (role, names)


def live_box(live_server, page: Page, text: str):
    page.goto(live_server.url + "/")
    box = page.get_by_role("searchbox", name="Search any paper")
    box.press_sequentially(text, delay=20)
    list_ = page.get_by_role("list", name="Quick results")
    expect(list_).to_be_visible()
    return box, list_


def test_arrow_keys_move_through_live_results_and_enter_opens_one(live_server, page: Page):
    rubric_papers(3)
    box, results = live_box(live_server, page, "rubric")
    links = results.get_by_role("link")
    box.press("ArrowDown")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    title = links.nth(1).inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(title)


def test_escape_and_leaving_the_box_close_live_results(live_server, page: Page):
    rubric_papers(2)
    box, results = live_box(live_server, page, "rubric")
    box.press("Escape")
    expect(results).to_be_hidden()
    expect(box).to_have_value("rubric")  # Escape closed the list; it did not clear the box
    box.press("ArrowDown")
    expect(results.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(results).to_be_hidden()
    expect(box).to_be_focused()
    box.press("ArrowDown")
    expect(results).to_be_visible()
    page.get_by_role("link", name="Daily Papers").first.focus()  # focus leaves the form
    expect(results).to_be_hidden()


def test_live_results_announce_their_count_not_their_list(live_server, page: Page):
    rubric_papers(3)
    _box, results = live_box(live_server, page, "rubric")
    status = page.get_by_role("status")
    shown = results.locator("li:not(.live-all)").count()  # hybrid: the 3 and one by meaning
    assert shown >= 3
    expect(status).to_have_text(f"{shown} results; down arrow to go through them")
    assert results.evaluate("e => e.closest('[aria-live]')") is None


def test_a_live_search_shows_it_is_loading(live_server, page: Page):
    rubric_papers(1)
    page.goto(live_server.url + "/")
    spinner = page.locator("#live-spinner")
    expect(spinner).to_be_hidden()
    page.route("**/search/live*", lambda route: None)  # held: the request stays in flight
    page.get_by_role("searchbox", name="Search any paper").press_sequentially("rubric")
    expect(spinner).to_be_visible()
