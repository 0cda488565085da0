"""arXiv ids: what the parser and the `/papers/<id>` URL accept (ASCII, bounded versions)."""

from __future__ import annotations

import pytest

from dailypapers.papers.arxiv_ids import ArxivId, parse_arxiv_id
from tests.factories import make_paper

ARABIC_INDIC_ID = "٢٦١١.٩٩٩٩٠"
HUGE_VERSION_ID = "2606.25393v" + "9" * 4301


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("2401.01234", ArxivId("2401.01234", None)),
        ("2401.01234v12", ArxivId("2401.01234", 12)),
        ("arXiv:2401.01234v2", ArxivId("2401.01234", 2)),
        ("https://arxiv.org/pdf/2401.01234v3.pdf", ArxivId("2401.01234", 3)),
        ("hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
        ("math.AG/0601001", ArxivId("math.AG/0601001", None)),
    ],
)
def test_real_ids_parse(raw, parsed):
    assert parse_arxiv_id(raw) == parsed


@pytest.mark.parametrize(
    "raw",
    [
        ARABIC_INDIC_ID,
        "2611.99990v٣",
        "\uff12\uff16\uff11\uff11.\uff19\uff19\uff19\uff19\uff10",  # fullwidth digits
        "hep-th/٩٩٠١٠٠١",
        HUGE_VERSION_ID,
    ],
)
def test_non_ascii_digits_and_unbounded_versions_are_not_ids(raw):
    with pytest.raises(ValueError, match="not an arXiv id"):
        parse_arxiv_id(raw)


def test_the_reason_for_a_huge_input_stays_short():
    with pytest.raises(ValueError) as raised:
        parse_arxiv_id(HUGE_VERSION_ID)

    assert len(str(raised.value)) < 120


@pytest.mark.django_db
@pytest.mark.parametrize("path", [HUGE_VERSION_ID, HUGE_VERSION_ID + ".md"])
def test_paper_page_with_a_huge_version_is_a_404_not_a_server_error(client, path):
    make_paper("2606.25393")

    assert client.get(f"/papers/{path}").status_code == 404


@pytest.mark.django_db
def test_paper_page_with_a_version_still_redirects_to_the_paper(client):
    make_paper("2606.25393")

    response = client.get("/papers/2606.25393v2")

    assert (response.status_code, response["Location"]) == (301, "/papers/2606.25393")
