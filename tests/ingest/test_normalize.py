"""Normalization every arXiv source shares, including property tests of the id parser and the
author-name handling."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dailypapers.ingest.normalize import (
    authors_from_parsed,
    authors_from_string,
    categories,
    clean_doi,
    detex,
    parse_datetime,
)
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.names import normalize_name


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
            ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"],
        ),
        ("Ada Lovelace and Alan Turing", ["Ada Lovelace", "Alan Turing"]),
        ("A. One, B. Two, and C. Three", ["A. One", "B. Two", "C. Three"]),
        (
            "J. Smith (1), K. Jones (1 and 2) ((1) MIT, (2) CERN)",
            ["J. Smith", "K. Jones"],
        ),
        ("The ATLAS Collaboration", ["The ATLAS Collaboration"]),
        ("A. Author,\n  B. Author", ["A. Author", "B. Author"]),
        ("", []),
    ],
)
def test_authors_from_arxiv_strings(text, names):
    assert authors_from_string(text) == names


def test_authors_from_snapshot_parts():
    parsed = [["Balázs", "C.", ""], ["Yuan", "C. -P.", "Jr"], ["Callan", "David"], ["", "", ""]]

    assert authors_from_parsed(parsed) == ["C. Balázs", "C. -P. Yuan Jr", "David Callan"]


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ('G\\"odel', "Gödel"),
        ("{\\o}ksendal", "øksendal"),
        ("\\c{C}elik", "Çelik"),
        ("Plain", "Plain"),
    ],
)
def test_tex_accents_become_unicode(tex, text):
    assert detex(tex) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Mon, 2 Apr 2007 19:18:42 GMT", dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=dt.UTC)),
        ("2007-04-02T19:18:42Z", dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=dt.UTC)),
        ("2007-04-02", dt.datetime(2007, 4, 2, tzinfo=dt.UTC)),
        ("2007-04-02T21:18:42+02:00", dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=dt.UTC)),
        ("", None),
    ],
)
def test_dates_in_both_formats_become_utc(value, expected):
    assert parse_datetime(value) == expected


def test_a_date_in_neither_format_is_an_error():
    with pytest.raises(ValueError, match="not an RFC 2822 or ISO date"):
        parse_datetime("yesterday")


def test_doi_without_prefix_and_only_the_first():
    assert clean_doi("https://doi.org/10.1103/PhysRevD.76.013009") == "10.1103/PhysRevD.76.013009"
    assert clean_doi("10.1/a 10.2/b") == "10.1/a"


def test_the_first_category_is_primary():
    assert categories("hep-ph astro-ph hep-ph") == ("hep-ph astro-ph", "hep-ph")
    assert categories(None) == ("", "")


new_style = st.builds(
    lambda yymm, number, width: f"{yymm:04d}.{number:0{width}d}",
    st.integers(0, 9999),
    st.integers(0, 9999),
    st.sampled_from([4, 5]),
)
versions = st.one_of(st.none(), st.integers(1, 99999))


@given(base=new_style, version=versions)
def test_any_new_style_id_round_trips_through_every_spelling(base, version):
    spelled = base if version is None else f"{base}v{version}"

    for form in (spelled, f"arXiv:{spelled}", f"https://arxiv.org/abs/{spelled}"):
        assert parse_arxiv_id(form) == (base, version)


@given(st.text(max_size=40))
def test_the_id_parser_accepts_only_what_it_can_print_back(text):
    try:
        parsed = parse_arxiv_id(text)
    except ValueError:
        return
    assert parsed.base.isascii()
    assert parse_arxiv_id(str(parsed)) == parsed


@given(st.text(max_size=60))
def test_name_normalization_is_idempotent_and_case_blind(name):
    once = normalize_name(name)

    assert normalize_name(once) == once
    assert normalize_name(name.upper()) == normalize_name(name.lower()) or not name.isascii()


@given(st.lists(st.from_regex(r"[A-Z][a-z]{1,8} [A-Z][a-z]{1,10}", fullmatch=True), max_size=6))
def test_joined_author_names_split_back(names):
    assert authors_from_string(", ".join(names)) == names
