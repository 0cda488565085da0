"""Every list page runs the same number of queries for N and 2N papers."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_organization, make_paper, submit

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)


def count_queries(client, url: str) -> int:
    cache.clear()  # measure the uncached path
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_papers(n: int, org) -> None:
    for _ in range(n):
        authors = ("Ada Lovelace", "Alan Turing", "Grace Hopper")
        paper = make_paper(organization=org, authors=authors)
        submit(paper, DAY)


@pytest.mark.parametrize(
    "url",
    [
        "/papers/date/2025-03-12",
        "/papers/week/2025-W11",
        "/papers/month/2025-03",
        "/org/acme",
        "/authors/Ada Lovelace",
        "/papers/trending",
        "/search?q=Paper",
    ],
)
def test_list_pages_run_constant_queries(client, url):
    org = make_organization("acme")
    add_papers(5, org)
    small = count_queries(client, url)
    add_papers(5, org)

    assert count_queries(client, url) == small
