"""Read pages answer GET and HEAD; any other method is a 405, never a 403 or the page."""

import datetime as dt

import pytest
from django.test import Client

from tests.factories import make_organization, make_submitted_paper

pytestmark = pytest.mark.django_db

READ_PAGES = [
    "/",
    "/papers/date/2025-03-12",
    "/papers/week/2025-W11",
    "/papers/month/2025-03",
    "/papers/week",
    "/papers/month",
    "/papers/trending",
    "/papers/2503.00001",
    "/papers/2503.00001.md",
    "/org/acme",
    "/authors/Ada Lovelace",
    "/search?q=paper",
]


@pytest.fixture
def site():
    make_submitted_paper(
        dt.date(2025, 3, 12), arxiv_id="2503.00001", organization=make_organization("acme")
    )


@pytest.fixture
def browser():
    """A client that checks CSRF tokens, as the real middleware does for browsers."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("url", READ_PAGES)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_read_pages_answer_405_to_other_methods(site, browser, url, method):
    response = browser.generic(method, url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("url", READ_PAGES)
def test_read_pages_answer_get_and_head(site, browser, url):
    assert browser.get(url).status_code in (200, 302)
    assert browser.head(url).status_code in (200, 302)
