import datetime as dt

import pytest

from tests.factories import make_organization, make_paper

pytestmark = pytest.mark.django_db


def test_organization_page_lists_papers_newest_first_paged(client):
    org = make_organization("deepthink", fullname="DeepThink Lab")
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for day in range(35):
        make_paper(
            title=f"Paper day {day:02d}",
            organization=org,
            published_at=base + dt.timedelta(days=day),
        )
    make_paper(title="Someone else's")

    first = client.get("/org/deepthink")
    second = client.get("/org/deepthink?page=2")

    assert [p.title for p in first.context["page"]][:2] == ["Paper day 34", "Paper day 33"]
    assert len(first.context["page"]) == 30
    expected = [f"Paper day {d:02d}" for d in range(4, -1, -1)]
    assert [p.title for p in second.context["page"]] == expected
    assert b"35 papers" in first.content


def test_author_page_matches_name_case_and_accents(client):
    make_paper(title="By José", authors=("José García",))
    make_paper(title="Not by José", authors=("Someone Else",))

    response = client.get("/authors/jose garcia")

    assert response.status_code == 200
    assert [p.title for p in response.context["page"]] == ["By José"]


def test_unknown_author_and_org_are_404(client):
    assert client.get("/authors/Nobody Here").status_code == 404
    assert client.get("/org/nothing").status_code == 404


def test_nul_characters_in_names_and_queries_are_harmless(client):
    # PostgreSQL refuses NUL in string parameters; the pages must not turn that into a 500.
    make_paper(title="Plain paper")

    assert client.get("/authors/a%00b").status_code == 404
    assert client.get("/search?q=plain%00").status_code == 200
