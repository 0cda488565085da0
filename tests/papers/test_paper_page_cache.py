"""The paper page's shared part is rendered once and reused (`papers.paper_page`): a visitor's
second request reads no paper, comment or vote table; a member's page carries their own vote,
token and comment controls and never reaches another reader; comments and moderation show
at once, votes at once to the voter."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dailypapers.papers import services
from dailypapers.papers.services import comments as comment_services
from tests.factories import make_member, make_paper, submit

pytestmark = pytest.mark.django_db
ID = "2503.00001"
URL = f"/papers/{ID}"
DOMAIN_TABLES = re.compile(r'"papers_(paper|comment|upvote|submission|authorship)"')


@pytest.fixture(autouse=True)
def _cached(settings):
    settings.FEED_CACHE_SECONDS = 60.0  # long enough that only invalidation refreshes


@pytest.fixture
def paper():
    paper = make_paper(ID, title="Rubric Reward Models", abstract="Rubrics teach reward models.")
    submit(paper, dt.date(2025, 3, 4))
    return paper


def member_client(name: str) -> tuple[Client, object]:
    member = make_member(name)
    client = Client()
    client.force_login(member)
    return client, member


def domain_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if DOMAIN_TABLES.search(q["sql"])]


def test_a_visitors_second_request_reads_no_paper_tables(paper):
    visitor = Client()
    assert domain_queries(visitor, URL)  # the first one builds the page
    assert domain_queries(visitor, URL) == []
    assert "Rubric Reward Models" in visitor.get(URL).content.decode()


def test_a_members_page_is_theirs_and_stays_out_of_the_visitors(paper):
    author, member = member_client("grace")
    services.set_upvote(member, paper, True)
    with_comment = comment_services.post_comment(member, paper, "Nice rubric.")
    page = author.get(URL).content.decode()
    assert 'aria-pressed="true"' in page
    assert f'action="/comments/{with_comment.pk}/edit"' in page or "<summary>Edit</summary>" in page
    assert "private" in author.get(URL)["Cache-Control"]

    visitor = Client().get(URL).content.decode()
    assert "Nice rubric." in visitor
    assert "<summary>Edit</summary>" not in visitor
    assert 'aria-pressed="true"' not in visitor
    assert "csrfmiddlewaretoken" not in visitor
    assert "Log in to comment" in visitor

    other, _ = member_client("alan")
    other_page = other.get(URL).content.decode()
    assert "<summary>Edit</summary>" not in other_page
    assert "<summary>Report</summary>" in other_page
    assert 'aria-pressed="true"' not in other_page


def test_a_comment_shows_to_visitors_at_once(paper, django_capture_on_commit_callbacks):
    visitor = Client()
    assert "No comments yet." in visitor.get(URL).content.decode()
    member = make_member("grace")
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.post_comment(member, paper, "First!")
    page = visitor.get(URL).content.decode()
    assert "First!" in page and "No comments yet." not in page


def test_a_hidden_paper_is_gone_at_once(paper, django_capture_on_commit_callbacks):
    assert Client().get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.set_paper_hidden(paper, True)
    assert Client().get(URL).status_code == 404
    staff = make_member("mod")
    staff.is_staff = True
    staff.save()
    moderator = Client()
    moderator.force_login(staff)
    assert "Unhide paper" in moderator.get(URL).content.decode()


def test_the_voter_sees_their_vote_at_once(paper, django_capture_on_commit_callbacks):
    voter, member = member_client("grace")
    assert 'aria-pressed="false"' in voter.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_upvote(member, paper, True)
    page = voter.get(URL).content.decode()
    assert 'aria-pressed="true"' in page
    assert re.search(r"<strong>1</strong>", page)


def test_an_unknown_paper_is_404_and_a_versioned_id_redirects(paper):
    assert Client().get("/papers/2503.09999").status_code == 404
    response = Client().get(f"/papers/{ID}v2")
    assert response.status_code == 301 and response["Location"] == URL
