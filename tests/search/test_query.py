"""parse_query: the search box's syntax, and that no string can break it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dailypapers.search.query import MAX_TERM_CHARS, MAX_TERMS, ParsedQuery, parse_query

# What a keyword backend would read as syntax (FTS5 and tsquery operators, quotes, column
# filters, SQL punctuation) or choke on (control characters, spaces inside a word).
SYNTAX = re.compile(r"[\"'*^:()\-+&|!<>;,.\s\x00-\x1f\x7f]")

HOSTILE = [
    "",
    "   \t\n ",
    "x" * 5000,
    "deep learning " * 400,
    "!!! ??? ... --- ***",
    '"unbalanced quote',
    'two "unbalanced "quotes',
    '"',
    '""',
    "NEAR(diffusion model)",
    "diffusion NEAR model",
    "diff* ^transformer",
    "title:diffusion abstract:model",
    "a AND b OR c NOT d",
    "AND",
    "OR NOT",
    "'; DROP TABLE papers_paper; --",
    "1' OR '1'='1",
    "深度学习 模型",
    "التعلم العميق",
    "глубокое обучение",
    "🚀🔥 llm 🤖",
    "nul\x00byte",
    "\x00\x01\x02\x1b[31m",
    "-",
    "- -- ---",
    '-""',
    "author:",
    'author:""',
    "org:",
    "a & b | !c <-> d",
    "{col1 col2}: term",
    "é e\u0301 café",
]


def test_words_phrases_exclusions_and_filters():
    parsed = parse_query(
        'diffusion models "video generation" -gan -"style transfer" '
        'author:"Geoffrey Hinton" author:lecun org:google'
    )
    assert parsed == ParsedQuery(
        words=("diffusion", "models"),
        phrases=("video generation",),
        excluded=("gan", "style transfer"),
        authors=("Geoffrey Hinton", "lecun"),
        orgs=("google",),
    )
    assert parsed.has_text
    assert parsed.semantic_text == "diffusion models video generation"
    assert parsed.highlight_terms() == ["diffusion", "models", "video", "generation"]


def test_filters_alone_have_no_text():
    parsed = parse_query("author:hinton org:meta -gan")
    assert not parsed.has_text
    assert parsed.authors == ("hinton",)
    assert parsed.orgs == ("meta",)


def test_punctuation_separates_words():
    assert parse_query("GPT-4 state_of_the_art").words == ("GPT", "4", "state", "of", "the", "art")


def test_a_one_word_quote_is_a_word():
    assert parse_query('"transformers"') == ParsedQuery(words=("transformers",))


def test_an_unbalanced_quote_runs_to_the_end():
    assert parse_query('llm "chain of thought').phrases == ("chain of thought",)


def test_operators_are_plain_words():
    parsed = parse_query("NEAR(a b) foo* ^bar title:baz AND OR NOT")
    assert parsed.words == ("NEAR", "a", "b", "foo", "bar", "title", "baz", "AND", "OR", "NOT")


def test_a_negated_name_filter_is_dropped():
    assert parse_query("-author:smith -org:meta") == ParsedQuery()


def test_repeated_words_are_kept_once_ignoring_case():
    assert parse_query("Model model MODEL").words == ("Model",)


def test_non_latin_scripts_are_words_and_emoji_are_not():
    parsed = parse_query("深度学习 التعلم глубокое 🚀")
    assert parsed.words == ("深度学习", "التعلم", "глубокое")


def test_a_combining_accent_is_composed():
    assert parse_query("cafe\u0301").words == ("café",)


def test_long_queries_are_capped():
    parsed = parse_query(" ".join(f"word{i}" for i in range(1000)))
    assert len(parsed.words) == MAX_TERMS
    assert all(len(word) <= MAX_TERM_CHARS for word in parse_query("x" * 5000).words)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_parse_to_clean_terms(text):
    assert_clean(parse_query(text))


@given(st.text(max_size=600))
def test_any_text_parses_to_clean_terms(text):
    assert_clean(parse_query(text))


@given(
    st.lists(
        st.sampled_from(['"', "-", "author:", "org:", ":", "*", "^", "(", ")", " ", "NEAR", "a"])
        | st.text(alphabet=st.characters(codec="utf-8"), max_size=5),
        max_size=40,
    ).map("".join)
)
def test_syntax_soup_parses_to_clean_terms(text):
    assert_clean(parse_query(text))


def assert_clean(parsed: ParsedQuery) -> None:
    for word in parsed.words:
        assert word and not SYNTAX.search(word), word
        assert len(word) <= MAX_TERM_CHARS
    for term in (*parsed.phrases, *parsed.excluded):
        assert term and term == term.strip() and "  " not in term, term
        assert not any(SYNTAX.search(part) for part in term.split(" ")), term
    for name in (*parsed.authors, *parsed.orgs):
        assert name and "\x00" not in name and '"' not in name
    count = len(parsed.words) + len(parsed.phrases) + len(parsed.excluded)
    assert count + len(parsed.authors) + len(parsed.orgs) <= MAX_TERMS
    assert isinstance(parsed.semantic_text, str)
    assert parsed.has_text == bool(parsed.semantic_text)
