"""Keyword search on PostgreSQL: the stored `search_document` tsvector (title weight A,
abstract weight B) and its GIN index, made by migration search/0002.

The tsquery is built with `websearch_to_tsquery('english', …)`, which never raises on its
input; every term goes to it inside double quotes, so `or` and `-` typed by a user are words,
not operators. The query's structure (AND, OR, NOT, phrases) is built here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

from dailypapers.search.keyword import ABSTRACT_WEIGHT, TITLE_WEIGHT

if TYPE_CHECKING:
    from dailypapers.search.keyword import Subquery
    from dailypapers.search.query import ParsedQuery

COLUMN = "search_document"

# ts_rank's weights are {D, C, B, A}: the abstract is B, the title A, scaled to 1.
WEIGHTS = f"{{0, 0, {ABSTRACT_WEIGHT / TITLE_WEIGHT:g}, 1}}"


def search(
    parsed: ParsedQuery,
    words: list[str],
    *,
    any_word: bool,
    limit: int,
    among: Subquery | None,
) -> list[tuple[int, float]]:
    """(paper id, ts_rank) best first."""
    positive, negative = websearch_strings(parsed, words, any_word=any_word)
    if not positive:
        return []
    # `numnode > 0`: what is required may be stop words only (an empty tsquery), and an empty
    # query AND-ed with a negation would match every paper without the excluded words.
    sql = (
        "SELECT p.id, ts_rank(%s::float4[], p.search_document, q.query) AS score "
        f"FROM (SELECT {' && '.join([_TSQUERY] * len(positive))} AS positive) x, "
        f"LATERAL (SELECT x.positive{' && !!' + _TSQUERY if negative else ''} AS query) q, "
        "papers_paper p "
        "WHERE numnode(x.positive) > 0 AND p.search_document @@ q.query"
    )
    params: list[object] = [WEIGHTS, *positive, *([negative] if negative else [])]
    if among is not None:
        subquery, sub_params = among
        sql += f" AND p.id IN ({subquery})"
        params.extend(sub_params)
    sql += " ORDER BY score DESC, p.id LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_TSQUERY = "websearch_to_tsquery('english', %s)"


def websearch_strings(
    parsed: ParsedQuery, words: list[str], *, any_word: bool
) -> tuple[list[str], str]:
    """websearch_to_tsquery inputs: the positive ones, AND-ed in SQL (what is required: phrases,
    and words unless `any_word`; then the words of which any will do), and the excluded terms
    ("" when none). Separate strings, because in one `a b or c` reads as `(a & b) | c`."""
    required = [quote(phrase) for phrase in parsed.phrases]
    if not any_word:
        required.extend(quote(word) for word in words)
    positive = [" ".join(required)] if required else []
    if any_word and words:
        positive.append(" or ".join(quote(word) for word in words))
    return positive, " or ".join(quote(term) for term in parsed.excluded)


def quote(term: str) -> str:
    """A websearch phrase. The parser's terms carry no quote; dropping any keeps this safe alone."""
    return '"' + term.replace('"', " ") + '"'
