"""The proof: the official `huggingface_hub` client, pointed at a live server of ours on
loopback, lists, searches and reads our papers, with the values that are in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from huggingface_hub import HfApi, constants
from huggingface_hub.errors import BadRequestError, HfHubHTTPError
from huggingface_hub.utils import close_session

from dailypapers.accounts.tokens import create_token
from dailypapers.papers import services
from dailypapers.papers.models import Paper
from tests.factories import make_member, make_organization, make_paper, submit

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.date(2025, 3, 12)  # ISO week 2025-W11
APRIL = dt.date(2025, 4, 2)


@pytest.fixture(autouse=True)
def online(monkeypatch, settings, tmp_path):
    # Other test folders set HF_HUB_OFFLINE for the embedding model; the client would then
    # refuse every request, even to loopback.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    settings.DATA_DIR = tmp_path
    # The client keeps its HTTP connection alive, so the server's handler thread (and, with
    # CONN_MAX_AGE, its database connection) would outlive the test and block dropping the
    # PostgreSQL test database: connections close after each request, the client's at the end.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    yield
    close_session()


@pytest.fixture
def corpus():
    org = make_organization("acme", name="Acme", fullname="Acme Research")
    member = make_member("ada")
    top = make_paper(
        "2503.00001",
        authors=("Ada Lovelace", "Alan Turing"),
        title="Rubric reward models",
        abstract="We train reward models from rubrics.",
        organization=org,
        github_repo="https://github.com/acme/rubric",
        github_stars=42,
        ai_summary="Rubrics make reward models.",
        ai_keywords=["reward model"],
        imported_upvotes=30,
        published_at=dt.datetime(2025, 3, 10, 17, 35, 15, tzinfo=dt.UTC),
    )
    submit(top, DAY, hour=2, submitter=member)
    for number, votes in ((2, 10), (3, 0)):
        submit(make_paper(f"2503.0000{number}", imported_upvotes=votes), DAY, hour=number)
    submit(make_paper("2503.00004", title="Next day", imported_upvotes=5), DAY.replace(day=13))
    submit(make_paper("2504.00005", title="April paper", imported_upvotes=7), APRIL)
    submit(make_paper("2504.00006", title="Trending one", imported_upvotes=900), APRIL)
    return {"top": top, "member": member}


@pytest.fixture
def api(live_server):
    return HfApi(endpoint=live_server.url, token=False)


def arxiv_ids(papers) -> list[str]:
    return [paper.id for paper in papers]


def test_list_daily_papers_for_a_date_has_the_databases_values(api, corpus):
    papers = list(api.list_daily_papers(date="2025-03-12"))

    assert arxiv_ids(papers) == ["2503.00001", "2503.00002", "2503.00003"]
    top = papers[0]
    db = Paper.objects.get(arxiv_id="2503.00001")
    assert top.title == db.title
    assert [author.name for author in top.authors] == ["Ada Lovelace", "Alan Turing"]
    assert top.published_at == db.published_at
    assert top.submitted_at == dt.datetime(2025, 3, 12, 2, tzinfo=dt.UTC)
    assert top.submitted_by.username == "ada"
    assert top.upvotes == db.total_upvotes == 30
    assert top.organization.name == "acme" and top.organization.fullname == "Acme Research"
    assert top.github_repo == db.github_repo and top.github_stars == 42
    assert top.ai_summary == db.ai_summary and top.ai_keywords == ["reward model"]
    assert papers[2].upvotes == 0


def test_list_daily_papers_for_a_week_and_a_month(api, corpus):
    week = arxiv_ids(api.list_daily_papers(week="2025-W11"))
    month = arxiv_ids(api.list_daily_papers(month="2025-04"))

    assert week == ["2503.00001", "2503.00002", "2503.00004", "2503.00003"]
    assert month == ["2504.00006", "2504.00005"]


def test_list_daily_papers_trending(api, corpus):
    from dailypapers.papers.ranking import compute_trending

    trending = arxiv_ids(api.list_daily_papers(sort="trending"))

    assert trending == compute_trending().arxiv_ids
    assert trending[0] == "2504.00006"


def test_list_daily_papers_pages(api, corpus):
    first = arxiv_ids(api.list_daily_papers(week="2025-W11", limit=3))
    second = arxiv_ids(api.list_daily_papers(week="2025-W11", limit=3, p=1))

    assert first == ["2503.00001", "2503.00002", "2503.00004"]
    assert second == ["2503.00003"]


def test_list_papers_searches_and_marks_our_members_votes(live_server, corpus):
    _, raw = create_token(corpus["member"], "script")
    services.set_upvote(corpus["member"], corpus["top"], True)
    api = HfApi(endpoint=live_server.url, token=raw)

    papers = list(api.list_papers(query="rubric reward", limit=3))

    assert papers[0].id == "2503.00001"
    assert papers[0].title == "Rubric reward models"
    assert papers[0].upvotes == 31  # 30 imported and the member's own
    assert papers[0].upvoted is True
    assert papers[0].highlightedTitle == "Rubric reward models"
    assert len(papers) <= 3


def test_paper_info_is_the_flat_paper(api, corpus):
    info = api.paper_info("2503.00001")

    assert info.id == "2503.00001"
    assert info.title == "Rubric reward models"
    assert info.summary == "We train reward models from rubrics."
    assert [author.name for author in info.authors] == ["Ada Lovelace", "Alan Turing"]
    assert info.organization.name == "acme"
    assert info.github_repo == "https://github.com/acme/rubric"
    assert info.submitted_at == dt.datetime(2025, 3, 12, 2, tzinfo=dt.UTC)
    assert info.linked_models == [] and info.num_total_models == 0


def test_read_paper_is_the_markdown_page(api, corpus):
    text = api.read_paper("2503.00001")

    assert text.startswith("# Rubric reward models")
    assert "Ada Lovelace, Alan Turing" in text
    assert "https://github.com/acme/rubric" in text


def test_a_bad_date_raises_the_clients_bad_request_error(api, corpus):
    with pytest.raises(BadRequestError) as raised:
        list(api.list_daily_papers(date="2025-13-45"))

    assert raised.value.response.status_code == 400
    assert "date" in raised.value.response.json()["error"]


def test_an_unknown_paper_is_a_404(api, corpus):
    with pytest.raises(HfHubHTTPError) as info_error:
        api.paper_info("2503.09999")
    with pytest.raises(HfHubHTTPError) as read_error:
        api.read_paper("2503.09999")

    assert info_error.value.response.status_code == 404
    assert read_error.value.response.status_code == 404
