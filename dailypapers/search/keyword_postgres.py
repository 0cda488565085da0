"""Keyword search on PostgreSQL: the stored `search_document` tsvector (title weight A,
abstract weight B) and its GIN index, made by migration search/0002.

The tsquery is built with `websearch_to_tsquery('english', …)`, which never raises on its
input; every term goes to it inside double quotes, so `or` and `-` typed by a user are words,
not operators. The query's structure (AND, OR, NOT, phrases) is built here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from dailypapers.search.keyword import Subquery
    from dailypapers.search.query import ParsedQuery

COLUMN = "search_document"

# ts_rank's weights are {D, C, B, A}: the abstract is B, the title A. Normalization 1 divides
# by 1 + log(document length). On bench/relevance (40 queries, demo corpus): this choice gives
# nDCG@10 0.682, MRR 0.762, recall@10 0.702; title x3: 0.674 / 0.761 / 0.691; no length
# normalization: 0.673 / 0.749 / 0.722; ts_rank_cd: at best 0.632 / 0.742 / 0.635. (No IDF
# in ts_rank: SQLite's BM25 scores 0.740 / 0.852 / 0.748 on the same set.) These were ranked
# in full; with RANKED_MATCHES below and common words left out of the any-word fallback the
# chosen setting scores 0.669 / 0.764 / 0.673.
WEIGHTS = "{0, 0, 0.5, 1}"


# At most this many matches are ranked, whichever the index finds first: ts_rank reads each
# match's stored tsvector, about 10 us a paper (measured at 200K papers: "model", in 94% of
# them, 90-110 ms with 10,000 ranked, 21-28 ms with 2,000). Queries with a distinctive word
# have fewer matches and are ranked in full. (Taking the newest instead made the planner walk
# the primary key and test every row: 1 s for a five-word query.)
RANKED_MATCHES = 2_000
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
    sql = (
        f"SELECT m.id, {RANK}(%s::float4[], m.search_document, m.query, {NORMALIZATION}) "
        "AS score FROM ("
        "SELECT p.id, p.search_document, q.query "
        f"FROM (SELECT {' && '.join([_TSQUERY] * len(positive))} AS positive) x, "
        f"LATERAL (SELECT x.positive{' && !!' + _TSQUERY if negative else ''} AS query) q, "
        "papers_paper p "
        f"WHERE numnode(x.positive) > 0 AND p.search_document @@ q.query{within} "
        "LIMIT %s) m "
        "ORDER BY score DESC, m.id DESC LIMIT %s"
    )
    params: list[object] = [WEIGHTS, *positive, *([negative] if negative else [])]
    params += [*(among[1] if among else ()), RANKED_MATCHES, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_TSQUERY = "websearch_to_tsquery('english', %s)"


def too_common(words: list[str], share: float) -> set[str]:
    """The words whose lexeme is in more than `share` of the papers, by the column's statistics
    (ANALYZE keeps the most common lexemes with their frequencies): counting matches instead
    read every matching row (300 ms for a word in half of 200K papers). Before the first
    ANALYZE nothing is common, which is only slower."""
    sql = (
        "SELECT w.word FROM unnest(%s::text[]) AS w(word), pg_stats s, "
        "unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, freq) "
        "WHERE s.schemaname = current_schema() AND s.tablename = 'papers_paper' "
        "AND s.attname = 'search_document' AND e.freq > %s "
        "AND e.lexeme = ANY(tsvector_to_array(to_tsvector('english', w.word)))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [words, share])
        return {word for (word,) in cursor.fetchall()}


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
