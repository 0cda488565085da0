"""The read-only tools `/mcp` offers agents: their argument models and what they return.

Each tool takes validated arguments and returns `(text, structured)`: Markdown for the model
to read, and the same facts as JSON for programs. A tool refuses bad input by raising
`ToolError` with a message for the agent (the endpoint turns it into an `isError` result).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dailypapers import search
from dailypapers.papers import queries, ranking
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.markdown import paper_markdown
from dailypapers.papers.models import Paper
from dailypapers.papers.periods import Period, parse_period, period_containing
from dailypapers.search.filters import Filters

ABSTRACT_EXCERPT = 400


class ToolError(Exception):
    """Bad input or an unknown paper: told to the agent as a tool result, not a crash."""


class _Args(BaseModel):
    # Unknown arguments are refused: an agent that misspells one should hear about it.
    model_config = ConfigDict(extra="forbid")


class SearchFilters(_Args):
    date_from: dt.date | None = Field(None, description="Published on or after (YYYY-MM-DD).")
    date_to: dt.date | None = Field(None, description="Published on or before (YYYY-MM-DD).")
    organization: str = Field("", max_length=100, description="An organization's slug.")
    has_code: bool = Field(False, description="Only papers with a code repository.")
    in_feed: bool | None = Field(None, description="True: only papers of the daily feed.")


class SearchArgs(_Args):
    query: str = Field(
        ..., min_length=1, max_length=500, description="Words, or author:/org: terms."
    )
    mode: Literal["hybrid", "keyword", "semantic"] = Field(
        "hybrid", description="hybrid: words and meaning fused; keyword; semantic."
    )
    filters: SearchFilters | None = None
    limit: int = Field(10, ge=1, le=50)


class DailyArgs(_Args):
    date: str | None = Field(None, description="A feed day, YYYY-MM-DD.")
    week: str | None = Field(None, description="An ISO week, YYYY-Www.")
    month: str | None = Field(None, description="A month, YYYY-MM.")
    trending: bool = Field(False, description="The trending list (time-decayed votes).")
    limit: int = Field(20, ge=1, le=100)


class PaperArgs(_Args):
    arxiv_id: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="e.g. 2401.01234 (arXiv: ids, versions and URLs work)",
    )


class SimilarArgs(PaperArgs):
    limit: int = Field(6, ge=1, le=20)


# Tool results.

Result = tuple[str, dict[str, Any]]


def _card(paper: Paper, url: Callable[[str], str]) -> dict[str, Any]:
    abstract = paper.abstract
    if len(abstract) > ABSTRACT_EXCERPT:
        abstract = abstract[:ABSTRACT_EXCERPT].rsplit(" ", 1)[0] + "…"
    submission = getattr(paper, "submission", None)
    return {
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "authors": [a.author.name for a in paper.authorships.all()],
        "organization": paper.organization.name if paper.organization else None,
        "published": paper.published_at.date().isoformat() if paper.published_at else None,
        "feed_date": submission.feed_date.isoformat() if submission else None,
        "upvotes": getattr(paper, "score", paper.upvotes + paper.imported_upvotes),
        "github_repo": paper.github_repo or None,
        "url": url(paper.get_absolute_url()),
        "abstract": abstract,
    }


def _listing(heading: str, papers: list[Paper], url: Callable[[str], str]) -> Result:
    cards = [_card(paper, url) for paper in papers]
    lines = [f"# {heading}", ""]
    if not cards:
        lines.append("No papers.")
    for n, card in enumerate(cards, 1):
        who = card["organization"] or ", ".join(card["authors"][:3])
        lines.append(
            f"{n}. **{card['title']}** (arXiv {card['arxiv_id']}, {card['upvotes']} upvotes"
            f"{', ' + who if who else ''}) {card['url']}"
        )
    return "\n".join(lines) + "\n", {"papers": cards}


def _filters(given: SearchFilters | None) -> Filters:
    if given is None:
        return Filters()
    return Filters(
        date_from=given.date_from,
        date_to=given.date_to,
        organization=given.organization.strip(),
        has_code=given.has_code,
        in_feed=given.in_feed,
    )


def search_papers(args: SearchArgs, url: Callable[[str], str]) -> Result:
    page = search.search(
        args.query, mode=args.mode, filters=_filters(args.filters), limit=args.limit
    )
    heading = f"Search: {args.query}"
    if page.message and not page.results:
        heading += f" ({page.message})"
    return _listing(heading, page.papers, url)


def _period(given: list[tuple[str, str]]) -> Period:
    if not given:  # what `/` shows: today, else the latest day with papers
        today = feed_today()
        day = queries.latest_feed_date(on_or_before=today) or queries.latest_feed_date()
        return period_containing("day", day or today)
    kind, key = given[0]
    try:
        return parse_period(kind, key.strip())
    except ValueError as error:
        example = {"day": "2025-01-31", "week": "2025-W05", "month": "2025-01"}[kind]
        raise ToolError(f"{error}; use the form {example}.") from None


def daily_papers(args: DailyArgs, url: Callable[[str], str]) -> Result:
    keys = (("day", args.date), ("week", args.week), ("month", args.month))
    given = [(kind, key) for kind, key in keys if key]
    if len(given) + args.trending > 1:
        raise ToolError("Give one of date, week, month or trending, not several.")
    if args.trending:
        arxiv_ids = ranking.cached_trending().arxiv_ids[: args.limit]
        return _listing("Trending papers", queries.trending_papers(arxiv_ids), url)
    period = _period(given)
    papers = list(queries.papers_in_period(period)[: args.limit])
    text, data = _listing(f"Daily papers: {period.label}", papers, url)
    return text, {"period": {"kind": period.kind, "key": period.key}, **data}


def _visible_paper(raw: str) -> Paper:
    """The paper an agent names: an id, `arXiv:` id, versioned id or arxiv.org URL."""
    try:
        arxiv_id = parse_arxiv_id(raw).base
    except ValueError:
        raise ToolError(f"{raw.strip()[:40]!r} is not an arXiv id (e.g. 2401.01234).") from None
    paper = queries.paper_by_arxiv_id(arxiv_id)
    if paper is None or paper.hidden:
        raise ToolError(f"Unknown paper: no paper with arXiv id {arxiv_id} here.")
    return paper


def paper(args: PaperArgs, url: Callable[[str], str]) -> Result:
    found = _visible_paper(args.arxiv_id)
    card = _card(found, url) | {"abstract": found.abstract}
    return paper_markdown(found), card


def similar_papers(args: SimilarArgs, url: Callable[[str], str]) -> Result:
    found = _visible_paper(args.arxiv_id)
    papers = queries.cards_in_order(search.similar_papers(found.pk, limit=args.limit))
    return _listing(f"Papers similar to {found.title}", papers, url)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    arguments: type[_Args]
    run: Callable[[Any, Callable[[str], str]], Result]


TOOLS = {
    tool.name: tool
    for tool in (
        Tool(
            "search_papers",
            "Search every paper by words and meaning, with optional filters.",
            SearchArgs,
            search_papers,
        ),
        Tool(
            "daily_papers",
            "The community's papers of a day, ISO week or month, ranked by upvotes, or the "
            "trending list. With no argument: the latest day with papers.",
            DailyArgs,
            daily_papers,
        ),
        Tool(
            "paper",
            "One paper: metadata, links and abstract as Markdown.",
            PaperArgs,
            paper,
        ),
        Tool(
            "similar_papers",
            "Papers nearest in meaning to the given paper.",
            SimilarArgs,
            similar_papers,
        ),
    )
}
