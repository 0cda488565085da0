"""One search: parse, retrieve by words and by meaning, fuse, filter, sort, page."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet

from dailypapers.papers.models import Paper
from dailypapers.papers.queries import cards_in_order, with_score
from dailypapers.search.embeddings import get_embedder
from dailypapers.search.filters import MODES, SORTS, Filters, allowed_papers
from dailypapers.search.fusion import reciprocal_rank_fusion
from dailypapers.search.keyword import keyword_search
from dailypapers.search.query import ParsedQuery, parse_query
from dailypapers.search.vectors import get_vector_index

log = logging.getLogger("dailypapers.search")

# How deep each list goes: fusion needs more than a page, and paging stops here (a reader
# who wants result 1,001 wants a narrower query or a filter).
MIN_DEPTH = 100
MAX_DEPTH = 1000
# Filters allowing at most this many papers restrict the vector search exactly (their ids go
# to the index); wider ones filter an oversampled nearest-neighbour list afterwards.
EXACT_FILTER_LIMIT = 20_000
OVERSAMPLE = 5
SUGGESTIONS = 5
# In hybrid search, papers with only some of the words are looked up when fewer than this many
# have them all: past a page of every-word papers the fallback's papers hardly ever reach the
# fused first page (bench/search_quality.py: the same figures), and at 1 M papers the fallback
# costs ~13 ms. A constant, not the page's end, so that every page fuses the same lists.
HYBRID_EVERY_WORD_ENOUGH = 20

# Hybrid search embeds the query here while the keyword search runs in the request's thread:
# onnxruntime and SQLite both release the GIL, so the two overlap. The pool thread only computes
# (no database: another connection would not see the request's transaction, e.g. in tests).
_EMBEDDING_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-embed")


@dataclass
class SearchResult:
    paper: Paper
    keyword_rank: int | None = None
    semantic_rank: int | None = None


@dataclass
class SearchPage:
    query: str
    parsed: ParsedQuery
    mode: str = "hybrid"
    sort: str = "relevance"
    filters: Filters = field(default_factory=Filters)
    results: list[SearchResult] = field(default_factory=list)
    offset: int = 0
    limit: int = 20
    has_next: bool = False
    # How many results paging can reach: exact when every list ran out before its depth,
    # else an estimate (`total_is_estimate`); at most MAX_DEPTH (`total_is_capped`: "1,000+").
    total: int = 0
    total_is_estimate: bool = False
    total_is_capped: bool = False
    # Why the list is what it is, for the page to say: no text, nothing matched...
    message: str = ""
    # Papers close in meaning, offered when no paper contains the words.
    suggestions: list[Paper] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def end(self) -> int:
        """The number of the page's last result ("21–40 of …")."""
        return self.offset + len(self.results)

    @property
    def papers(self) -> list[Paper]:
        return [result.paper for result in self.results]


def search(
    query: str,
    *,
    mode: str = "hybrid",
    filters: Filters | None = None,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Search every paper. Never raises on what a user typed: a query that cannot match
    anything gives an empty page with a `message`."""
    mode = mode if mode in MODES else "hybrid"
    sort = sort if sort in SORTS else "relevance"
    limit = max(1, min(limit, 100))
    offset = max(0, min(offset, MAX_DEPTH - limit))
    filters = filters or Filters()
    parsed = parse_query(query)
    page = SearchPage(query, parsed, mode, sort, filters, offset=offset, limit=limit)
    allowed = allowed_papers(filters, parsed.authors, parsed.orgs)
    if not parsed.has_text:
        if allowed is None:
            page.message = "Type words to search for." if query.strip() else ""
            return page
        # Only filters (`author:…`, `org:…`): their papers, newest first unless asked.
        ids = _filtered_ids(allowed, sort, offset + limit + 1)
        _set_total(page, ids, len(ids) <= offset + limit, allowed)
        return _page_of_ids(page, ids)
    depth = min(MAX_DEPTH, max(MIN_DEPTH, offset + limit + 1))
    vector = _embed_later(parsed) if mode == "hybrid" else None
    enough = HYBRID_EVERY_WORD_ENOUGH if mode == "hybrid" else depth
    # Keyword mode reads its list to the end of paging, so that its total is exact: the walk
    # of the matches costs the same, only the sorted tail is longer (at 100 K papers, one-to-
    # three-word queries of 10,000+ matches: 8-13 ms for 100, +1.7 ms for 1,000).
    keyword_depth = MAX_DEPTH if mode == "keyword" else depth
    keyword = (
        keyword_search(parsed, limit=keyword_depth, among=allowed, enough=enough)
        if mode != "semantic"
        else []
    )
    keyword_ids = [pk for pk, _ in keyword]
    # Papers with every word score 1 or more; the rest only some (see keyword.all_then_some).
    every_word = bool(keyword) and keyword[0][1] >= 1.0
    semantic_ids = _semantic_ids(parsed, depth, allowed, vector) if mode != "keyword" else []
    if mode == "hybrid":
        ids = reciprocal_rank_fusion(
            [keyword_ids, semantic_ids],
            settings.SEARCH_RRF_K,
            [settings.SEARCH_KEYWORD_WEIGHT, 1.0],
        )
    else:
        ids = keyword_ids or semantic_ids
    ids = _without_excluded(ids, parsed)
    if mode == "keyword" and not keyword_ids:
        page.message = "No paper contains these words; these papers are close in meaning."
        page.suggestions = cards_in_order(_semantic_ids(parsed, SUGGESTIONS, allowed))
    elif mode != "semantic" and ids and not every_word:
        page.message = "No paper contains all these words: showing papers with some of them"
        page.message += " and the closest in meaning." if mode == "hybrid" else "."
    if sort != "relevance":
        ids = _sorted_ids(ids, sort)
    ran_out = len(keyword) < keyword_depth and len(semantic_ids) < depth
    _set_total(page, ids, ran_out, allowed)
    ranks = {
        "keyword_rank": {pk: r for r, pk in enumerate(keyword_ids, 1)},
        "semantic_rank": {pk: r for r, pk in enumerate(semantic_ids, 1)},
    }
    return _page_of_ids(page, ids, ranks)


def _set_total(
    page: SearchPage, ids: list[int], ran_out: bool, allowed: QuerySet[Paper] | None
) -> None:
    """The total, never a COUNT over every match (at 1 M papers "model" matches ~94% of them).
    When a list stopped at its depth, the results go on, as far as paging reaches, until the
    papers run out: the semantic list ranks every paper, the keyword list its matches (only the
    semantic one fills up in practice, keyword mode aside). So the papers searched, counted up to
    MAX_DEPTH (one bounded query: 0.2 ms at 100 K papers), stand in for the total."""
    total = len(ids)
    if not ran_out and total < MAX_DEPTH:
        papers = Paper.objects.all() if allowed is None else allowed
        total = max(total, papers.values("pk")[:MAX_DEPTH].count())
        page.total_is_estimate = True
    page.total = min(total, MAX_DEPTH)
    page.total_is_capped = total >= MAX_DEPTH


def _embed_later(parsed: ParsedQuery) -> Future:
    """The query's vector, computed in the pool while the caller does something else."""
    embedder = get_embedder()  # loaded (and settings read) in the request's thread
    return _EMBEDDING_POOL.submit(embedder.embed_query, parsed.semantic_text)


def _semantic_ids(
    parsed: ParsedQuery,
    depth: int,
    allowed: QuerySet[Paper] | None,
    vector: Future | None = None,
) -> list[int]:
    if vector is None:
        query_vector = get_embedder().embed_query(parsed.semantic_text)
    else:
        query_vector = vector.result()
    index = get_vector_index()
    if allowed is None:
        return [pk for pk, _ in index.search(query_vector, depth)]
    few = list(allowed.values_list("pk", flat=True)[: EXACT_FILTER_LIMIT + 1])
    if len(few) <= EXACT_FILTER_LIMIT:
        return [pk for pk, _ in index.search(query_vector, depth, among=few)]
    hits = [pk for pk, _ in index.search(query_vector, depth * OVERSAMPLE)]
    kept = set(allowed.filter(pk__in=hits).values_list("pk", flat=True))
    return [pk for pk in hits if pk in kept][:depth]


def _without_excluded(ids: list[int], parsed: ParsedQuery) -> list[int]:
    """The keyword search applies `-word` itself; papers found by meaning must obey it too."""
    if not parsed.excluded or not ids:
        return ids
    mentions = Q()
    for term in parsed.excluded:
        mentions |= Q(title__icontains=term) | Q(abstract__icontains=term)
    dropped = set(Paper.objects.filter(mentions, pk__in=ids).values_list("pk", flat=True))
    return [pk for pk in ids if pk not in dropped]


_ORDER = {
    "upvotes": ("-score", "-published_at", "-pk"),
    "newest": ("-published_at", "-pk"),
    "relevance": ("-published_at", "-pk"),  # filters alone have no relevance: newest first
}


def _sorted_ids(ids: list[int], sort: str) -> list[int]:
    papers = Paper.objects.filter(pk__in=ids)
    return list(_ordered(papers, sort).values_list("pk", flat=True))


def _filtered_ids(allowed: QuerySet[Paper], sort: str, count: int) -> list[int]:
    return list(_ordered(allowed, sort).values_list("pk", flat=True)[:count])


def _ordered(papers: QuerySet[Paper], sort: str) -> QuerySet[Paper]:
    return with_score(papers).order_by(*_ORDER[sort])


def _page_of_ids(page: SearchPage, ids: list[int], ranks: dict | None = None) -> SearchPage:
    window = ids[page.offset : page.offset + page.limit]
    page.has_next = len(ids) > page.offset + page.limit
    ranks = ranks or {}
    page.results = [
        SearchResult(
            paper,
            ranks.get("keyword_rank", {}).get(paper.pk),
            ranks.get("semantic_rank", {}).get(paper.pk),
        )
        for paper in cards_in_order(window)
    ]
    return page
