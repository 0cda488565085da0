"""arXiv OAI-PMH `ListRecords` (`arXiv` and `arXivRaw` formats) as normalized paper records.

sickle makes the requests (and retries 503s as `Retry-After` says); this module pages through
resumption tokens itself so that every page's last item can carry the harvest's state as the
resume cursor (`Harvest`, JSON in `IngestRun.cursor`), and so that a truncated page is an
error instead of the silently shorter list a recovering parser would return.

Resumption tokens expire, so the durable part of the cursor is a high-water mark: a datestamp
before which every record is committed. A resume tries the token first and, when the server no
longer accepts it, harvests again from the high-water mark (upserts make the overlap harmless).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests
from lxml import etree
from sickle import Sickle

from dailypapers.ingest import normalize
from dailypapers.ingest.positions import Item, Position, Skip
from dailypapers.ingest.records import PaperRecord, RecordError, validated
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.names import clean_text

SOURCE = "oai"
FORMATS = ("arXiv", "arXivRaw")
OAI = "{http://www.openarchives.org/OAI/2.0/}"
# Statuses worth asking again; sickle reads Retry-After on 503 and waits
# `default_retry_after` seconds on the others.
RETRY_STATUSES = (429, 500, 502, 503, 504)
LABELS = {"arxiv_id": "id", "version": "version"}
# Strict: sickle's own parser recovers from truncated XML by dropping the rest of the page
# (its records and its resumption token), which would end a harvest early without a word.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
log = logging.getLogger("dailypapers.ingest")


class HarvestError(Exception):
    """The harvest cannot go on (refused request, bad page, network); the message says why."""


class TokenRejected(HarvestError):
    """The server no longer accepts the resumption token (they expire)."""


@dataclass(frozen=True)
class Harvest:
    """What a harvest asks for and how far it got: the run's cursor, as JSON.

    `high_water`: every record with an earlier datestamp is committed, so harvesting again from
    it (inclusive) loses nothing. Mid-harvest it advances only while datestamps arrive in order
    (arXiv does not promise that: the recorded arXivRaw page goes 10-21, 10-21, 10-21, 10-20),
    else it stays at `start`, where this request sequence began; a finished harvest moves it to
    `until`, or to the latest datestamp seen (`latest`).
    """

    start: str
    until: str = ""
    set: str = ""
    format: str = "arXiv"
    token: str = ""
    high_water: str = ""
    latest: str = ""
    ordered: bool = True

    def to_cursor(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_cursor(cls, cursor: str) -> Harvest:
        """The harvest a cursor describes; ValueError if it is not one of ours."""
        try:
            data = json.loads(cursor)
            return cls(**data)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"not an OAI harvest cursor: {cursor[:80]!r}") from exc

    def params(self) -> dict[str, str]:
        """The ListRecords arguments: the token alone, or the selective-harvest arguments."""
        if self.token:
            return {"verb": "ListRecords", "resumptionToken": self.token}
        params = {"verb": "ListRecords", "metadataPrefix": self.format}
        params["from"] = self.start
        params.update({k: v for k, v in (("until", self.until), ("set", self.set)) if v})
        return params

    def restarted(self) -> Harvest:
        """The same harvest without its token, from the high-water mark."""
        begin = self.high_water or self.start
        return dataclasses.replace(self, start=begin, token="", high_water=begin, ordered=True)

    def seen(self, datestamp: str) -> Harvest:
        """The harvest once a record of this datestamp is in hand."""
        mark, latest = self.high_water, max(self.latest, datestamp)
        if not self.ordered or (mark and datestamp and datestamp < mark):
            # Out of order: an earlier record may still be ahead, so only `start` is safe.
            return dataclasses.replace(self, ordered=False, high_water=self.start, latest=latest)
        return dataclasses.replace(self, high_water=max(mark, datestamp), latest=latest)

    def finished(self) -> Harvest:
        """The harvest once its last page is in hand: everything up to here is committed."""
        return dataclasses.replace(
            self, token="", high_water=self.until or self.latest or self.start
        )

    def describe(self) -> str:
        where = (
            f"with token {self.token}" if self.token else f"from {self.high_water or self.start}"
        )
        scope = " ".join(f"{k} {v}" for k, v in (("until", self.until), ("set", self.set)) if v)
        return " ".join(p for p in (self.format, scope, where) if p)


def client(url: str, *, retries: int = 4, retry_after: int = 30, timeout: float = 60) -> Sickle:
    """A sickle client that retries overloaded answers and never waits forever on a socket."""
    return Sickle(
        url,
        max_retries=retries,
        retry_status_codes=RETRY_STATUSES,
        default_retry_after=retry_after,
        timeout=timeout,
    )


def harvest(
    plan: Harvest,
    oai: Sickle,
    *,
    delay: float = 3.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Item]:
    """Every record of the harvest, page by page; each page's last item carries the cursor.

    Raises HarvestError when the server refuses or a page is unreadable: what was committed
    stands, and the run's cursor says where to resume.
    """
    first = None
    if not plan.token:
        plan = plan.restarted()
    else:
        try:
            first = _fetch(oai, plan, 1)
        except TokenRejected:
            plan = plan.restarted()
            log.warning("resumption token no longer accepted; harvesting again from %s", plan.start)
            sleep(delay)
        if plan.token and first is None:
            return
    yield from _pages(plan, oai, first=first, delay=delay, sleep=sleep)


def _pages(
    plan: Harvest,
    oai: Sickle,
    *,
    first: etree._Element | None,
    delay: float,
    sleep: Callable[[float], None],
) -> Iterator[Item]:
    for number in itertools.count(1):
        if first is not None:
            root, first = first, None
        else:
            if number > 1:
                sleep(delay)  # Polite: arXiv asks for a pause between requests.
            root = _fetch(oai, plan, number)
        if root is None:  # noRecordsMatch: nothing in the range, a fine answer.
            return
        records = root.findall(f".//{OAI}ListRecords/{OAI}record")
        token = _token(root)
        for index, element in enumerate(records, start=1):
            plan = plan.seen(_datestamp(element))
            cursor = ""
            if index == len(records):
                plan = dataclasses.replace(plan, token=token) if token else plan.finished()
                cursor = plan.to_cursor()
            yield Position(f"oai page {number}", index, "record", cursor), parse_record(element)
        if not token:
            return
        plan = dataclasses.replace(plan, token=token)


def _fetch(oai: Sickle, plan: Harvest, number: int) -> etree._Element | None:
    """The page's parsed XML; None for an empty result; HarvestError for anything else."""
    params = plan.params()
    where = f"oai page {number} ({_shown(params)})"
    try:
        response = oai.harvest(**params)
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise HarvestError(f"{where}: HTTP {status} from {oai.endpoint}") from None
    except requests.RequestException as exc:
        raise HarvestError(f"{where}: cannot reach {oai.endpoint}: {exc}") from None
    try:
        root = etree.fromstring(response.http_response.content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise HarvestError(f"{where}: truncated or malformed XML: {exc}") from None
    if root.tag != f"{OAI}OAI-PMH":
        # A proxy's or maintenance page: read as a list it would be an empty, finished harvest.
        raise HarvestError(f"{where}: not an OAI-PMH answer but <{etree.QName(root).localname}>")
    for error in root.iter(f"{OAI}error"):
        code, text = error.get("code", "unknown"), clean_text(error.text or "")
        if code == "noRecordsMatch":
            return None
        kind = TokenRejected if code == "badResumptionToken" else HarvestError
        raise kind(f"{where}: the OAI server said {code}: {text or 'no details'}")
    return root


def _shown(params: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items() if k != "verb")


def _token(root: etree._Element) -> str:
    element = root.find(f".//{OAI}resumptionToken")
    return (element.text or "").strip() if element is not None else ""


def _datestamp(record: etree._Element) -> str:
    # Day granularity is what arXiv serves and what `from` accepts.
    return (record.findtext(f"{OAI}header/{OAI}datestamp") or "").strip()[:10]


def parse_record(element: etree._Element) -> PaperRecord | Skip:
    """One OAI `record` as a PaperRecord, or a Skip saying why not."""
    header = element.find(f"{OAI}header")
    identifier = (header.findtext(f"{OAI}identifier") if header is not None else "") or "?"
    if header is not None and header.get("status") == "deleted":
        return Skip(f"{identifier}: deleted at the source")
    metadata = element.find(f"{OAI}metadata")
    container = next(iter(metadata), None) if metadata is not None else None
    if container is None or not isinstance(container.tag, str):
        return Skip(f"{identifier}: no metadata")
    # By local name: a hand-edited record may lack its xmlns (and inherit OAI's namespace).
    kind = etree.QName(container).localname
    parser = {"arXiv": _arxiv, "arXivRaw": _arxiv_raw}.get(kind)
    if parser is None:
        return Skip(f"{identifier}: unknown metadata format {kind!r}")
    try:
        return validated(parser(_Fields(container)), LABELS)
    except (ValueError, RecordError) as exc:
        return Skip(f"{identifier}: {exc}")


class _Fields:
    """A metadata element's children by local name, whatever their namespace."""

    def __init__(self, container: etree._Element) -> None:
        self.children: dict[str, list[etree._Element]] = {}
        for child in container:
            if isinstance(child.tag, str):
                self.children.setdefault(etree.QName(child).localname, []).append(child)

    def all(self, name: str) -> list[etree._Element]:
        return self.children.get(name, [])

    def text(self, name: str) -> str:
        return clean_text("".join(self.all(name)[0].itertext())) if self.all(name) else ""


def _local(element: etree._Element, name: str) -> str:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return clean_text(child.text or "")
    return ""


def _common(fields: _Fields) -> dict[str, Any]:
    """What both formats carry under the same names."""
    arxiv_id = parse_arxiv_id(fields.text("id"))
    title = fields.text("title")
    if not title:
        raise ValueError("no title")
    categories, primary = normalize.categories(fields.text("categories"))
    return {
        "arxiv_id": arxiv_id.base,
        "version": arxiv_id.version,
        "title": title,
        "abstract": fields.text("abstract"),
        "categories": categories,
        "primary_category": primary,
        "doi": normalize.clean_doi(fields.text("doi").replace(",", " ").replace(";", " ")),
        "journal_ref": fields.text("journal-ref"),
        "arxiv_comments": fields.text("comments"),
        "license": fields.text("license"),
        "source": SOURCE,
    }


def _arxiv(fields: _Fields) -> PaperRecord:
    """`metadataPrefix=arXiv`: structured authors, created/updated days, no version number."""
    authors = []
    for author in (a for group in fields.all("authors") for a in group):
        parts = (_local(author, name) for name in ("keyname", "forenames", "suffix"))
        if name := normalize.author_from_parts(*parts):
            authors.append(name)
    return PaperRecord(
        **_common(fields),
        authors=authors,
        published_at=normalize.parse_datetime(fields.text("created")),
        updated_at=normalize.parse_datetime(fields.text("updated")),
    )


def _arxiv_raw(fields: _Fields) -> PaperRecord:
    """`metadataPrefix=arXivRaw`: free-text authors and every version with its date."""
    common = _common(fields)
    if versions := sorted(_versions(fields)):
        common["version"] = versions[-1][0]
    return PaperRecord(
        **common,
        authors=normalize.authors_from_string(fields.text("authors")),
        published_at=versions[0][1] if versions else None,
        updated_at=versions[-1][1] if versions else None,
    )


def _versions(fields: _Fields) -> Iterator[tuple[int, Any]]:
    for element in fields.all("version"):
        label = element.get("version", "").strip().lower()
        if not label.startswith("v") or not label[1:].isdigit():
            raise ValueError(f"version {label!r}: not vN")
        yield int(label[1:]), normalize.parse_datetime(_local(element, "date"))
