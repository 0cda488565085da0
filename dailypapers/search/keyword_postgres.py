"""Keyword search on PostgreSQL: the stored `search_document` tsvector (title weight A,
abstract weight B) and its GIN index, made by migration search/0002.

The tsquery is built with `websearch_to_tsquery('english', …)`, which never raises on its
input; every term goes to it inside double quotes, so `or` and `-` typed by a user are words,
not operators. The query's structure (AND, OR, NOT, phrases) is built here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

from dailypapers.search.keyword import RANKED_MATCHES

if TYPE_CHECKING:
    from dailypapers.search.keyword import Subquery
    from dailypapers.search.query import ParsedQuery

COLUMN = "search_document"

# ts_rank's weights are {D, C, B, A}: the abstract is B, the title A. Normalization 1 divides
# by 1 + log(document length). On bench/relevance (40 queries, demo corpus): this choice gives
# nDCG@10 0.682, MRR 0.762, recall@10 0.702; title x3: 0.674 / 0.761 / 0.691; no length
# normalization: 0.673 / 0.749 / 0.722; ts_rank_cd: at best 0.632 / 0.742 / 0.635. (No IDF
# in ts_rank: SQLite's BM25 scores 0.740 / 0.852 / 0.748 on the same set.)
WEIGHTS = "{0, 0, 0.5, 1}"


RANK = "ts_rank"
NORMALIZATION = 1


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
    within = "" if among is None else f" AND p.id IN ({among[0]})"
    # `numnode > 0`: what is required may be stop words only (an empty tsquery), and an empty
    # query AND-ed with a negation would match every paper without the excluded words.
    # Only the newest RANKED_MATCHES matches are ranked: ts_rank reads each match's stored
    # tsvector, and a common word matches most papers.
    sql = (
        f"SELECT m.id, {RANK}(%s::float4[], m.search_document, m.query, {NORMALIZATION}) "
        "AS score FROM ("
        "SELECT p.id, p.search_document, q.query "
        f"FROM (SELECT {' && '.join([_TSQUERY] * len(positive))} AS positive) x, "
        f"LATERAL (SELECT x.positive{' && !!' + _TSQUERY if negative else ''} AS query) q, "
        "papers_paper p "
        f"WHERE numnode(x.positive) > 0 AND p.search_document @@ q.query{within} "
        "ORDER BY p.id DESC LIMIT %s) m "
        "ORDER BY score DESC, m.id DESC LIMIT %s"
    )
    params: list[object] = [WEIGHTS, *positive, *([negative] if negative else [])]
    params += [*(among[1] if among else ()), RANKED_MATCHES, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_TSQUERY = "websearch_to_tsquery('english', %s)"


def too_common(words: list[str], share: float) -> set[str]:
    """The words found in more than `share` of the papers and more than RANKED_MATCHES (so a
    small database keeps every word), each counted up to that bound only."""
    with connection.cursor() as cursor:
        # The planner's row count: no scan, and near enough for a share.
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'papers_paper'::regclass")
        bound = max(RANKED_MATCHES, int(max(cursor.fetchone()[0], 0) * share))
        common = set()
        for word in words:
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM papers_paper "
                f"WHERE search_document @@ {_TSQUERY} LIMIT %s) x",
                [quote(word), bound + 1],
            )
            if cursor.fetchone()[0] > bound:
                common.add(word)
    return common


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
