"""Keyword search on SQLite: FTS5 over papers' titles and abstracts, ranked by BM25.

The index (`search_paper_fts`, an external-content FTS5 table kept by triggers) is made by
migration search/0002. Every term reaches FTS5 as a quoted string, so nothing a user types is
FTS5 syntax; the query's structure (AND, OR, NOT, phrases) is built here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

from dailypapers.search.keyword import ABSTRACT_WEIGHT, TITLE_WEIGHT

if TYPE_CHECKING:
    from dailypapers.search.keyword import Subquery
    from dailypapers.search.query import ParsedQuery

TABLE = "search_paper_fts"
TRIGGERS = ("search_paper_fts_insert", "search_paper_fts_delete", "search_paper_fts_update")


def search(
    parsed: ParsedQuery,
    words: list[str],
    *,
    any_word: bool,
    limit: int,
    among: Subquery | None,
) -> list[tuple[int, float]]:
    """(paper id, -bm25) best first: FTS5's bm25 is lower for better matches."""
    expression = match_expression(parsed, words, any_word=any_word)
    if expression is None:
        return []
    # FTS5 sorts by its `rank` column with a bounded top-N sort; the per-query `rank MATCH`
    # sets the column weights (title first, abstract second).
    sql = f"SELECT rowid, rank FROM {TABLE} WHERE {TABLE} MATCH %s AND rank MATCH %s"
    params: list[object] = [expression, f"bm25({TITLE_WEIGHT}, {ABSTRACT_WEIGHT})"]
    if among is not None:
        subquery, sub_params = among
        sql += f" AND rowid IN ({subquery})"
        params.extend(sub_params)
    sql += " ORDER BY rank LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, -rank) for pk, rank in cursor.fetchall()]


def match_expression(parsed: ParsedQuery, words: list[str], *, any_word: bool) -> str | None:
    """The FTS5 MATCH string: phrases and words required (words OR-ed when `any_word`),
    exclusions removed with NOT. None when nothing can match."""
    required = [quote(phrase) for phrase in parsed.phrases]
    if words and any_word:
        required.append("(" + " OR ".join(quote(word) for word in words) + ")")
    else:
        required.extend(quote(word) for word in words)
    if not required:
        return None
    expression = " AND ".join(required)
    if parsed.excluded:
        expression = f"({expression})" + "".join(f" NOT {quote(t)}" for t in parsed.excluded)
    return expression


def quote(term: str) -> str:
    """An FTS5 string: inside double quotes nothing is syntax, and `"` is written twice.
    (The parser's terms carry no quote; this keeps the function safe on its own.)"""
    return '"' + term.replace('"', '""') + '"'


def rebuild() -> None:
    """Rebuild the whole index from papers_paper (after a bulk load with the triggers off)."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
