"""Keyword search: the database's own full-text index (FTS5 on SQLite, tsvector on PostgreSQL).

Both backends read the same ParsedQuery the same way: every word is required, phrases match
as phrases, exclusions remove papers, stemming and case folding apply, the title weighs more
than the abstract. When requiring every word finds fewer than `limit` papers (long
natural-language queries), papers with any of the words follow, ranked among themselves: a
paper with all the words always ranks above one with only some.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import EmptyResultSet
from django.db import connection

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dailypapers.papers.models import Paper
    from dailypapers.search.query import ParsedQuery

# When some words will do, a word in more than this share of papers is left out: it adds
# almost nothing to a score (BM25's IDF is about log(1/share - 1)) but would make nearly every
# paper a match and drown the papers with the distinctive words.
COMMON_SHARE = 0.1

# PostgreSQL's `english` stop words (tsearch_data/english.stop): PostgreSQL drops them from a
# tsquery itself; on SQLite, requiring "for" or "the" would only lose title-only matches, and
# OR-ing them would match nearly every paper.
STOPWORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()  # noqa: SIM905 -- as PostgreSQL ships it
)


# A SELECT of paper ids and its parameters: `among` compiled once for the backends.
Subquery = tuple[str, tuple[object, ...]]


class Backend(Protocol):
    def search(
        self,
        parsed: ParsedQuery,
        words: list[str],
        *,
        any_word: bool,
        limit: int,
        among: Subquery | None,
    ) -> list[tuple[int, float]]: ...

    def too_common(self, words: list[str], share: float) -> set[str]: ...


def keyword_search(
    parsed: ParsedQuery,
    *,
    limit: int,
    among: QuerySet[Paper] | None = None,
    enough: int | None = None,
) -> list[tuple[int, float]]:
    """(paper_id, score) best first, at most `limit`; [] when the query has no word or phrase.

    `among` restricts to a queryset of papers, applied inside the SQL. Papers with only some
    of the words follow when fewer than `enough` (default `limit`) have every word. Scores
    are comparable within one list only; a paper with every word scores 1 or more, one with
    some of them less (`all_then_some`), so callers can tell whether the fallback was needed."""
    backend = _backend()
    if backend is None or limit <= 0 or not parsed.has_text:
        return []
    try:
        subquery = None if among is None else among.values("pk").query.sql_with_params()
    except EmptyResultSet:  # `pk__in=[]`, `.none()`: Django knows without asking the database
        return []
    words = content_words(parsed)
    found = backend.search(parsed, words, any_word=False, limit=limit, among=subquery)
    if len(found) >= min(limit, enough or limit) or len(words) < 2:
        return all_then_some(found, [], limit)
    common = backend.too_common(words, COMMON_SHARE)
    rare = [word for word in words if word not in common]
    some = backend.search(
        parsed, rare or words, any_word=True, limit=limit + len(found), among=subquery
    )
    return all_then_some(found, some, limit)


def rebuild_keyword_index() -> int:
    """Rebuild the keyword index from the papers (`dailypapers reindex --keyword`); returns the
    number of papers. On SQLite the FTS5 table is rebuilt and any missing trigger put back; on
    PostgreSQL the tsvector is a generated column, always current, so there is nothing to do."""
    from dailypapers.papers.models import Paper

    if connection.vendor == "sqlite":
        from dailypapers.search import keyword_sqlite

        keyword_sqlite.rebuild()
    return Paper.objects.count()


def content_words(parsed: ParsedQuery) -> list[str]:
    """The words that must match: stop words dropped, unless there is nothing else."""
    kept = [word for word in parsed.words if word.casefold() not in STOPWORDS]
    return kept or list(parsed.words)


def all_then_some(
    every: list[tuple[int, float]], some: list[tuple[int, float]], limit: int
) -> list[tuple[int, float]]:
    """Papers with every word, then the others with some, scores kept in one order:
    every-word scores are shifted to >= 1, some-word scores scaled into [0, 1)."""
    seen = {pk for pk, _ in every}
    rest = [(pk, score) for pk, score in some if pk not in seen][: limit - len(every)]
    top = max((score for _, score in rest), default=0.0)
    return [(pk, 1.0 + score) for pk, score in every] + [
        (pk, score / (1.0 + top)) for pk, score in rest
    ]


def _backend() -> Backend | None:
    if connection.vendor == "sqlite":
        from dailypapers.search import keyword_sqlite

        return keyword_sqlite
    if connection.vendor == "postgresql":
        from dailypapers.search import keyword_postgres

        return keyword_postgres
    return None
