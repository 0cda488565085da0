"""arXiv's export API (`/api/query`, Atom) as normalized paper records.

Three ways in, one pager: an id list (`fetch_by_ids`, `read_ids`), a search query
(`read_query`) and the newest papers of some categories (`category_query` + `read_query` with
`since`: sorted by submission date, newest first, paged until entries are older than `since`).
Feeds are parsed by feedparser, never by hand.

- Pages of `page_size` entries (`start`, `max_results`) until `opensearch:totalResults`; the
  last item of each page carries the next `start` as the resume cursor. Newest-first paging is
  safe to resume: papers announced meanwhile push old entries to later offsets, so a resumed
  run reads a few entries twice (unchanged) and misses none.
- arXiv's HTTP 400 error feed (and an error entry in a 200 feed) raises `ArxivQueryError` with
  arXiv's own explanation (`incorrect id format for abc`).
- A malformed page (truncated XML: feedparser's `bozo`) is fetched once more; if it is still
  malformed, the entries feedparser read before the last one count, a query's paging goes on
  from the first entry not kept (so nothing is lost), and the page itself becomes one `Skip`
  with its position: the run ends partial, saying so, instead of passing for clean.
- An empty page before `totalResults` (arXiv does this under load) is fetched again, then
  reported as a Skip and the paging stops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import feedparser

from dailypapers.ingest.http import FetchError, PoliteClient
from dailypapers.ingest.normalize import categories, clean_doi, detex, parse_datetime
from dailypapers.ingest.positions import Item, Position, Skip
from dailypapers.ingest.records import PaperRecord, RecordError, validated
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.names import clean_text

SOURCE = "arxiv"
PAGE_SIZE = 100
# arXiv's own cap on `max_results` per call.
MAX_PAGE_SIZE = 2000
# Ids per `id_list` call: arXiv answers long lists, but a URL of 100 ids stays well short.
IDS_PER_CALL = 100
# Extra fetches of a page that came back malformed or empty before the end.
PAGE_RETRIES = 1
_ERROR_ID = "arxiv.org/api/errors"
LABELS = {"arxiv_id": "entry id", "version": "entry id version"}


class ArxivQueryError(FetchError):
    """arXiv refused the request (a bad query or id); the message is arXiv's explanation."""


@dataclass(frozen=True)
class Page:
    start: int
    entries: list[Any]
    total: int
    problem: str = ""  # why feedparser called the feed malformed, if it did

    @property
    def next_start(self) -> int:
        return self.start + len(self.entries)


def default_client() -> PoliteClient:
    from django.conf import settings

    return PoliteClient(min_interval=settings.ARXIV_DELAY_SECONDS)


def api_url() -> str:
    from django.conf import settings

    return settings.ARXIV_API_URL


def category_query(names: Iterable[str]) -> str:
    """`cat:cs.LG OR cat:cs.CL`: the papers listed in any of the categories."""
    return " OR ".join(f"cat:{name}" for name in names)


def fetch_by_ids(ids: Sequence[str], client: PoliteClient | None = None) -> list[PaperRecord]:
    """The records arXiv has for these ids (with or without versions), in arXiv's order.

    Ids arXiv does not know are simply absent. ValueError for a string that is no arXiv id
    (nothing is fetched then); ArxivQueryError when arXiv refuses; FetchError when it is down.
    Entries that cannot become records are left out: use `read_ids` to see why.
    """
    return [record for _, record in read_ids(ids, client=client) if isinstance(record, PaperRecord)]


def read_ids(
    ids: Sequence[str], *, client: PoliteClient | None = None, after: int = 0
) -> Iterator[Item]:
    """Items for an id list, `IDS_PER_CALL` ids per call; the cursor is the count of ids done."""
    wanted = [str(parse_arxiv_id(raw)) for raw in ids]
    client = client or default_client()
    for offset in range(after, len(wanted), IDS_PER_CALL):
        chunk = wanted[offset : offset + IDS_PER_CALL]
        params = {"id_list": ",".join(chunk), "start": 0, "max_results": len(chunk)}
        page = _fetch_page(client, params, 0, f"arxiv id_list {offset}")
        cursor = str(offset + len(chunk))
        yield from _page_items(page, f"arxiv id_list {offset}", cursor)


def read_query(
    search_query: str,
    *,
    client: PoliteClient | None = None,
    start: int = 0,
    page_size: int = PAGE_SIZE,
    since: dt.datetime | None = None,
    limit: int | None = None,
) -> Iterator[Item]:
    """Items for a search query, page by page from `start`.

    With `since`, entries come newest first by submission date and the paging stops at the
    first entry submitted before `since`; `limit` stops after that many entries.
    """
    client = client or default_client()
    params: dict[str, Any] = {"search_query": search_query, "max_results": page_size}
    if since is not None:
        params.update(sortBy="submittedDate", sortOrder="descending")
    seen = 0
    while True:
        page = _fetch_page(client, {**params, "start": start}, start, f"arxiv start={start}")
        entries = page.entries
        done = since is not None and any(_submitted_before(e, since) for e in entries)
        if done:
            entries = [e for e in entries if not _submitted_before(e, since)]
        if limit is not None and seen + len(entries) >= limit:
            entries, done = entries[: limit - seen], True
        seen += len(entries)
        page = Page(page.start, entries, page.total, page.problem)
        yield from _page_items(page, f"arxiv start={start}", str(page.next_start))
        if done or page.next_start >= page.total:
            return
        if not entries:  # nothing to move past: asking again would loop
            reason = f"arXiv returned no readable entries at start={start} of {page.total}"
            yield Position(f"arxiv start={start}"), Skip(f"{reason}; paging stopped")
            return
        start = page.next_start


def _submitted_before(entry: Any, since: dt.datetime) -> bool:
    try:
        published = parse_datetime(entry.get("published"))
    except ValueError:
        return False  # reported as a bad entry by `parse_entry`
    return published is not None and published < since


def _fetch_page(client: PoliteClient, params: dict[str, Any], start: int, where: str) -> Page:
    """One page, fetched again (once) when it comes back malformed or empty too early."""
    page = parse_page(_get(client, params, where), start)
    for _ in range(PAGE_RETRIES):
        if not page.problem and (page.entries or start >= page.total):
            break
        page = parse_page(_get(client, params, where), start)
    return page


def _get(client: PoliteClient, params: dict[str, Any], where: str) -> bytes:
    url = api_url()
    response = client.get(url, params=params)
    if response.status_code == 400:
        raise ArxivQueryError(_error_message(response.content, where))
    if response.status_code != 200:
        raise FetchError(f"{url} ({where}): HTTP {response.status_code}")
    return response.content


def parse_page(content: bytes, start: int = 0) -> Page:
    """One Atom response as a Page; ArxivQueryError when it is arXiv's error feed."""
    feed = feedparser.parse(content)
    errors = [e for e in feed.entries if _ERROR_ID in e.get("id", "")]
    if errors:
        raise ArxivQueryError(f"arXiv refused the request: {_summary(errors[0])}")
    entries, problem = list(feed.entries), ""
    if feed.bozo:
        # Truncation cuts the last entry feedparser saw (a summary ends mid-word, the authors
        # are missing): it is left out, and a query's paging asks for it again.
        entries = entries[:-1]
        problem = f"malformed feed ({type(feed.bozo_exception).__name__}: {feed.bozo_exception})"
    total = _int(feed.feed.get("opensearch_totalresults"))
    # A truncated page may lack the total: what was read is all that is known to exist.
    if total is None:
        total = start + len(entries)
    return Page(start, entries, total, problem)


def _error_message(content: bytes, where: str) -> str:
    feed = feedparser.parse(content)
    detail = _summary(feed.entries[0]) if feed.entries else "no explanation given"
    return f"arXiv refused the request ({where}): {detail}"


def _summary(entry: Any) -> str:
    return clean_text(entry.get("summary", "")) or entry.get("id", "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _page_items(page: Page, where: str, cursor: str) -> Iterator[Item]:
    """The page's items; the last one (or the page's Skip) carries the resume cursor."""
    last = len(page.entries) - 1
    for index, entry in enumerate(page.entries):
        mark = cursor if index == last and not page.problem else ""
        position = Position(where, page.start + index, "entry", cursor=mark)
        try:
            yield position, validated(parse_entry(entry), LABELS)
        except (ValueError, RecordError) as exc:
            yield position, Skip(str(exc))
        except (TypeError, KeyError, AttributeError) as exc:
            # A shape the parser did not foresee: one reported entry, not a lost run.
            yield position, Skip(f"unexpected entry shape: {type(exc).__name__}: {exc}")
    if page.problem:
        read = f"{len(page.entries)} entries read"
        yield Position(where, cursor=cursor), Skip(f"{page.problem}; {read}")


def parse_entry(entry: Any) -> PaperRecord:
    """One Atom entry as a PaperRecord; ValueError naming what is wrong."""
    arxiv_id = parse_arxiv_id(entry.get("id", ""))
    title = clean_text(entry.get("title", ""))
    if not title:
        raise ValueError("entry has no title")
    primary = (entry.get("arxiv_primary_category") or {}).get("term", "")
    terms = [tag.get("term", "") for tag in entry.get("tags", [])]
    listed, primary = categories([primary, *terms])
    return PaperRecord(
        arxiv_id=arxiv_id.base,
        version=arxiv_id.version,
        title=title,
        abstract=clean_text(entry.get("summary", "")),
        authors=_authors(entry.get("authors", [])),
        categories=listed,
        primary_category=primary,
        published_at=parse_datetime(entry.get("published")),
        updated_at=parse_datetime(entry.get("updated")),
        doi=clean_doi(entry.get("arxiv_doi")),
        journal_ref=clean_text(entry.get("arxiv_journal_ref", "")),
        arxiv_comments=clean_text(entry.get("arxiv_comment", "")),
        license=_license(entry),
        source=SOURCE,
    )


def _authors(authors: list[Any]) -> list[str]:
    names = (clean_text(detex(author.get("name", ""))) for author in authors)
    return [name for name in names if name]


def _license(entry: Any) -> str:
    """The licence URL: arXiv's Atom has carried it as `<rights>` or a `rel="license"` link."""
    for link in entry.get("links", []):
        if link.get("rel") == "license" and link.get("href"):
            return link["href"].strip()
    return (entry.get("rights") or "").strip()
