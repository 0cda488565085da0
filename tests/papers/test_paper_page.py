import datetime as dt

import pytest

from dailypapers.papers.models import Submission
from tests.factories import make_organization, make_paper, submit

pytestmark = pytest.mark.django_db


def test_paper_page_shows_everything_known(client):
    org = make_organization("deepthink", fullname="DeepThink Lab")
    paper = make_paper(
        "2401.01234",
        title="Scaling $\\alpha$-Laws",
        abstract="We show $E = mc^2$ holds.",
        authors=("Ada Lovelace", "Alan Turing"),
        organization=org,
        github_repo="https://github.com/example/scaling",
        github_stars=42,
        project_page="https://example.org/scaling",
        ai_summary="A short summary.",
        ai_keywords=["scaling", "laws"],
        imported_upvotes=12,
    )
    submit(paper, dt.date(2025, 3, 12), submitter_name="someone")

    html = client.get("/papers/2401.01234").content.decode()

    assert "Scaling $\\alpha$-Laws" in html
    assert 'href="/authors/Ada%20Lovelace"' in html and "Alan Turing" in html
    assert 'href="https://arxiv.org/abs/2401.01234"' in html
    assert 'href="https://arxiv.org/pdf/2401.01234"' in html
    assert 'href="https://github.com/example/scaling"' in html and "★ 42" in html
    assert 'href="https://example.org/scaling"' in html
    assert "DeepThink Lab" in html
    assert "submitted by someone" in html
    assert 'href="/papers/date/2025-03-12"' in html
    assert "A short summary." in html and "laws" in html
    assert "katex.min.js" in html


def test_versioned_id_redirects_to_canonical_page(client):
    make_paper("2401.01234")

    response = client.get("/papers/2401.01234v2")

    assert response.status_code == 301
    assert response.url == "/papers/2401.01234"


def test_old_style_id_has_a_page(client):
    make_paper("hep-th/9901001", title="Old style paper")

    response = client.get("/papers/hep-th/9901001")

    assert response.status_code == 200
    assert b"Old style paper" in response.content
    assert client.get("/papers/hep-th/9901001v3").url == "/papers/hep-th/9901001"


def test_unknown_paper_is_404_with_a_link_to_search(client):
    response = client.get("/papers/2401.99999")

    assert response.status_code == 404
    assert b'href="/search"' in response.content
    assert b"No paper 2401.99999 here yet." in response.content


def test_paper_as_markdown(client):
    paper = make_paper(
        "2401.01234",
        title="A Title",
        abstract="An abstract.",
        authors=("Ada Lovelace", "Alan Turing"),
    )
    submit(paper, dt.date(2025, 3, 12))

    response = client.get("/papers/2401.01234.md")

    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# A Title\n")
    assert "**Authors:** Ada Lovelace, Alan Turing" in text
    assert "## Abstract\n\nAn abstract." in text
    assert client.get("/papers/2401.01234v1.md").url == "/papers/2401.01234.md"


def test_hidden_submission_still_has_a_paper_page(client):
    paper = make_paper("2401.01234", title="Hidden from feed")
    submit(paper, dt.date(2025, 3, 12))
    Submission.objects.update(hidden=True)

    assert client.get("/papers/2401.01234").status_code == 200


def test_unknown_address_gets_the_friendly_404(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert b"There is no page at this address." in response.content
    assert b"Resolver404" not in response.content


def test_markdown_export_leaves_out_links_that_are_not_http(client):
    make_paper(
        "2401.04444",
        github_repo="javascript:alert(document.cookie)",
        project_page="https://example.org/project",
    )

    text = client.get("/papers/2401.04444.md").content.decode()

    assert "javascript:" not in text and "- Code:" not in text
    assert "- Project page: https://example.org/project" in text
