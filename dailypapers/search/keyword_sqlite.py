"""Keyword search on SQLite: FTS5 over papers' titles and abstracts, ranked by BM25.

The index (`search_paper_fts`, an external-content FTS5 table kept by triggers) is made by
migration search/0002. Every term reaches FTS5 as a quoted string, so nothing a user types is
FTS5 syntax; the query's structure (AND, OR, NOT, phrases) is built here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from dailypapers.search.keyword import Subquery
    from dailypapers.search.query import ParsedQuery

TABLE = "search_paper_fts"
# bm25's column weights. On bench/relevance (40 queries, demo corpus), title x1 / x3 / x10:
# nDCG@10 0.698 / 0.740 / 0.732, MRR 0.780 / 0.852 / 0.817, recall@10 0.737 / 0.748 / 0.757.
TITLE_WEIGHT = 3.0
ABSTRACT_WEIGHT = 1.0
# At most this many matches are ranked, the newest (see `search`).
RANKED_MATCHES = 10_000
TRIGGERS = ("search_paper_fts_insert", "search_paper_fts_delete", "search_paper_fts_update")


def search(
    parsed: ParsedQuery,
    words: list[str],
    *,
    any_word: bool,
    limit: int,
    among: Subquery | None,
) -> list[tuple[int, float]]:
    """(paper id, -bm25) best first: FTS5's bm25 is lower for better matches.

    Only the newest RANKED_MATCHES matches are ranked: bm25 costs a few microseconds per
    matched paper (reading its column sizes), and a common word matches most of the corpus
    (measured at 200K papers: "model", in 94% of them, took 0.5-0.9 s ranked in full, 50-65 ms
    bounded). Below that many matches, which is nearly every query with a distinctive word,
    nothing changes.
    """
    expression = match_expression(parsed, words, any_word=any_word)
    if expression is None:
        return []
    within, within_params = ("", []) if among is None else (f" AND rowid IN ({among[0]})", among[1])
    # One walk of the matches, newest first (FTS5 reads its postings backwards), scoring each;
    # the outer query sorts those scores. Finding the RANKED_MATCHES-th newest match first and
    # then ranking from there walked the matches twice: at 1 M papers the statement took a
    # mean 20 ms this way against 36 ms (bench/search_latency.py --corpus-words).
    sql = (
        f"SELECT rowid, score FROM (SELECT rowid, bm25({TABLE}, %s, %s) AS score FROM {TABLE} "
        f"WHERE {TABLE} MATCH %s{within} ORDER BY rowid DESC LIMIT %s) "
        "ORDER BY score, rowid DESC LIMIT %s"
    )
    params = [TITLE_WEIGHT, ABSTRACT_WEIGHT, expression, *within_params, RANKED_MATCHES, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, -score) for pk, score in cursor.fetchall()]


# `too_common` counts a word among this many newest papers only, and scales up: a share is
# estimated as well from 20,000 papers (within about a point) as from a million, and a common
# word's count stops at the threshold (at 1 M papers: ~0.3 ms a word instead of ~13 ms).
SHARE_SAMPLE = 20_000


def too_common(words: list[str], share: float) -> set[str]:
    """The words found in more than `share` of the papers and more than RANKED_MATCHES (so a
    small database keeps every word), estimated from the newest SHARE_SAMPLE papers."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(rowid) FROM {TABLE}")  # the paper count, near enough
        papers = cursor.fetchone()[0] or 0
        sample = min(papers, SHARE_SAMPLE)
        if sample == 0:
            return set()
        bound = max(RANKED_MATCHES, int(papers * share)) * sample // papers
        common = set()
        for word in words:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s "
                "AND rowid > %s LIMIT %s)",
                [quote(word), papers - sample, bound + 1],
            )
            if cursor.fetchone()[0] > bound:
                common.add(word)
    return common


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


def _present() -> set[str]:
    """The index's table and triggers that exist now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN "
            f"({', '.join(['%s'] * (1 + len(TRIGGERS)))})",
            [TABLE, *TRIGGERS],
        )
        return {name for (name,) in cursor.fetchall()}


def index_exists() -> bool:
    """Whether the migration that makes the index has run (it may be unapplied: a database
    migrated back, a benchmark measuring the import without it)."""
    return TABLE in _present()


def missing_triggers() -> set[str]:
    """The index's triggers that are gone while the index itself is there (none when the
    migration that makes both has not run)."""
    found = _present()
    return set(TRIGGERS) - found if TABLE in found else set()


def pause_triggers() -> None:
    """Stop keeping the index row by row (a bulk load): `rebuild()` puts the triggers back and
    re-reads every paper in one pass, about 3x cheaper than the triggers (measured: 50 against
    150 µs of CPU a paper). Should the load die before that, the missing triggers say so:
    `migrate`, the next bulk load or `reindex --keyword` rebuilds."""
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild() -> None:
    """Rebuild the whole index from papers_paper, first putting back any trigger that is gone.

    Triggers die with their table: a later migration that makes Django rebuild papers_paper on
    SQLite (most column changes do) drops them silently, and a bulk load may drop them on
    purpose. The statements are the migration's own, so the two cannot drift apart."""
    migration = importlib.import_module("dailypapers.search.migrations.0002_keyword_index")
    present = _present()
    with connection.cursor() as cursor:
        for statement in migration.SQLITE_CREATE:
            name = next((t for t in TRIGGERS if f"TRIGGER {t} " in statement), None)
            if name is not None and name not in present:
                cursor.execute(statement)
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
