import datetime as dt

import pytest

from tests.factories import make_paper

pytestmark = pytest.mark.django_db

PUBLISHED = dt.datetime(2025, 3, 12, tzinfo=dt.UTC)


def add_matching_papers(n: int) -> list[str]:
    """`n` papers that tie on every sort key but the id, created in reverse id order."""
    ids = [f"2503.{number:05d}" for number in range(1, n + 1)]
    for arxiv_id in reversed(ids):
        make_paper(arxiv_id, title=f"Rubric reward models {arxiv_id}", published_at=PUBLISHED)
    return ids


def arxiv_ids(response) -> list[str]:
    return [paper.arxiv_id for paper in response.context["page"]]


def test_next_page_link_keeps_the_query(client):
    add_matching_papers(60)

    first = client.get("/search", {"q": "rubric reward"})
    second = client.get("/search?q=rubric+reward&page=2")

    assert 'href="?q=rubric+reward&amp;page=2"' in first.content.decode()
    assert 'href="?q=rubric+reward&amp;page=1"' in second.content.decode()
    assert len(arxiv_ids(second)) == 10


def test_pager_replaces_the_page_parameter_instead_of_adding_one(client):
    add_matching_papers(120)

    second = client.get("/search?page=2&q=rubric")

    assert 'href="?page=3&amp;q=rubric"' in second.content.decode()


def test_search_pages_never_repeat_or_skip_a_paper(client):
    ids = add_matching_papers(120)

    pages = [client.get("/search", {"q": "rubric", "page": n}) for n in (1, 2, 3)]

    assert [arxiv_id for page in pages for arxiv_id in arxiv_ids(page)] == ids


def test_pager_names_pages_not_dates_since_results_are_ranked(client):
    add_matching_papers(120)

    html = client.get("/search?q=rubric&page=2").content.decode()

    assert ">← Previous page<" in html and ">Next page →<" in html
