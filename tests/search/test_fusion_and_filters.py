"""Reciprocal rank fusion, the filters a search carries, and highlighting in excerpts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from dailypapers.papers.templatetags.paper_tags import highlight
from dailypapers.search.filters import Filters, allowed_papers
from dailypapers.search.fusion import reciprocal_rank_fusion
from tests.factories import make_organization, make_paper, submit


def test_fusion_rewards_papers_both_lists_agree_on():
    keyword = [1, 2, 3, 4]
    semantic = [5, 3, 6, 1]
    fused = reciprocal_rank_fusion([keyword, semantic], k=60)
    assert fused[:2] == [1, 3]  # in both lists, near the top
    assert set(fused) == {1, 2, 3, 4, 5, 6}


def test_fusion_ties_keep_the_first_lists_order():
    assert reciprocal_rank_fusion([[7, 8], [9, 10]], k=60) == [7, 9, 8, 10]


def test_fusion_of_one_list_is_that_list():
    assert reciprocal_rank_fusion([[3, 1, 2], []], k=10) == [3, 1, 2]


def test_filters_read_from_a_query_string_and_bad_dates_are_named():
    filters = Filters.from_params(QueryDict("from=2025-01-01&to=nope&code=1&feed=0&org=acme"))
    assert filters.date_from == dt.date(2025, 1, 1)
    assert filters.date_to is None
    assert filters.has_code and filters.in_feed is False and filters.organization == "acme"
    assert filters.errors == ("“nope” is not a date (use YYYY-MM-DD)",)
    assert not Filters.from_params(QueryDict("")).active


@pytest.mark.django_db
def test_allowed_papers_apply_every_filter_and_author_and_org_terms():
    acme = make_organization("acme", name="Acme", fullname="Acme Research Lab")
    coded = make_paper(
        title="Coded",
        github_repo="https://github.com/a/b",
        published_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        authors=("Geoffrey Hinton",),
        organization=acme,
    )
    plain = make_paper(title="Plain", published_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))
    submit(plain, dt.date(2024, 3, 2))

    def titles(filters: Filters, **terms) -> set[str]:
        return set(allowed_papers(filters, **terms).values_list("title", flat=True))

    assert allowed_papers(Filters()) is None
    assert titles(Filters(has_code=True)) == {"Coded"}
    assert titles(Filters(date_from=dt.date(2025, 1, 1))) == {"Coded"}
    assert titles(Filters(date_to=dt.date(2024, 12, 31))) == {"Plain"}
    assert titles(Filters(in_feed=True)) == {"Plain"}
    assert titles(Filters(in_feed=False)) == {"Coded"}
    assert titles(Filters(organization="acme")) == {"Coded"}
    assert titles(Filters(), authors=("hinton",)) == {"Coded"}
    assert titles(Filters(), authors=("Geoffrey Hinton",)) == {"Coded"}
    assert titles(Filters(), authors=("nobody at all",)) == set()
    assert titles(Filters(), orgs=("research lab",)) == {"Coded"}
    assert coded.pk != plain.pk


def test_highlight_marks_words_by_their_stem_and_escapes_everything():
    html = highlight("Reward models <b>model</b> the modeling of $models$.", ["models"])
    assert "<mark>models</mark>" in html
    assert "&lt;b&gt;<mark>model</mark>&lt;/b&gt;" in html
    assert "<mark>modeling</mark>" in html
    assert "$models$" in html  # math is left whole for KaTeX
    assert highlight("<script>x</script>", []) == "&lt;script&gt;x&lt;/script&gt;"
    assert highlight("a (b) c", ["(b)"]) == "a (b) c"  # regex syntax in a term is literal
