"""Hugging Face `/api/daily_papers` responses (saved files, or live ones through `hf_live`)
as normalized paper records.

Reads `.json` day files (a list of items, a list of Python-repr strings, or an object wrapping
`data`) and `.jsonl`/`.jsonl.xz` files with one item per line (the bundled demo corpus).
Every item becomes `(Position, PaperRecord)` or `(Position, Skip)`: a bad item never stops the
file and is never dropped silently.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import lzma
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from dailypapers.ingest.positions import Item, Position, Skip
from dailypapers.ingest.records import (
    OrganizationRecord,
    PaperRecord,
    RecordError,
    SubmissionRecord,
    validated,
)
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.names import clean_text

SOURCE = "hf"
HF_BASE = "https://huggingface.co"
SUFFIXES = (".json", ".jsonl", ".jsonl.xz")
_DATE_NAME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})")
# Record attributes in this source's own terms, for the notes of `records.validated`.
LABELS = {
    "arxiv_id": "paper.id",
    "version": "paper.id version",
    "github_repo": "paper.githubRepo",
    "github_stars": "paper.githubStars",
    "project_page": "paper.projectPage",
    "thumbnail": "thumbnail",
    "media_urls": "mediaUrls",
    "organization": "organization",
    "organization.avatar_url": "organization.avatar",
    "imported_upvotes": "paper.upvotes",
    "imported_comments": "numComments",
}


class ItemError(ValueError):
    """An item that cannot become a record; the message says why."""


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files to read, in order: a folder contributes its day files sorted by name."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.exists() and not os.access(path, os.R_OK):
            raise PermissionError(f"cannot read {path}")
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.name.endswith(SUFFIXES)))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files


def read_paths(paths: Iterable[str | Path], *, after: str = "") -> Iterator[Item]:
    """Every item of every file; `after` (a cursor: a file already done) skips up to that file."""
    files = expand_paths(paths)
    if after and after in (names := [str(f) for f in files]):
        files = files[names.index(after) + 1 :]
    for path in files:
        yield from read_file(path)


def read_file(path: Path) -> Iterator[Item]:
    """The items of one file; the last one carries the file as the resume cursor."""
    # One item of look-ahead tells which item is the file's last.
    previous: tuple[int, Any] | None = None
    file_date, unit = None, "item"
    try:
        raw_items, file_date, unit = open_items(path)
        for index, raw in raw_items:
            if previous is not None:
                yield _parsed(str(path), *previous, unit, file_date)
            previous = (index, raw)
    except (OSError, ValueError, EOFError, lzma.LZMAError, RecursionError) as exc:
        # RecursionError: JSON nested deeper than the parser's stack (100,000 `[`).
        # What was read stands; the unreadable rest of the file is one skipped entry.
        if previous is not None:
            yield _parsed(str(path), *previous, unit, file_date)
        yield Position(str(path), cursor=str(path)), Skip(f"unreadable file: {exc}")
        return
    if previous is not None:
        yield _parsed(str(path), *previous, unit, file_date, cursor=str(path))


def read_response(text: str | bytes, day: dt.date, where: str) -> Iterator[Item]:
    """The items of one `/api/daily_papers?date=day` response, read like a saved day file;
    the last one carries the day (ISO) as the resume cursor."""
    cursor = day.isoformat()
    try:
        items, day = _payload(_json(text), day)
    except (ValueError, RecursionError) as exc:
        yield Position(where, cursor=cursor), Skip(f"unreadable response: {exc}")
        return
    last = len(items) - 1
    for index, raw in enumerate(items):
        yield _parsed(where, index, raw, "item", day, cursor=cursor if index == last else "")


def _parsed(
    where: str, index: int, raw: Any, unit: str, file_date: dt.date | None, cursor: str = ""
) -> Item:
    position = Position(where, index, unit, cursor=cursor)
    try:
        return position, validated(parse_item(as_item(raw), file_date), LABELS)
    except (ItemError, RecordError) as exc:
        return position, Skip(str(exc))
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        # A shape the parser did not foresee: still one reported item, not a lost file.
        return position, Skip(f"unexpected item shape: {type(exc).__name__}: {exc}")


def open_items(path: Path) -> tuple[Iterator[tuple[int, Any]], dt.date | None, str]:
    """A file's numbered raw items, the feed date its name or wrapper gives, and the unit.

    Raises OSError/ValueError when the file as a whole cannot be read.
    """
    match = _DATE_NAME.match(path.name)
    file_date = dt.date.fromisoformat(match.group(1)) if match else None
    if path.name.endswith((".jsonl", ".jsonl.xz")):
        return _json_lines(path), file_date, "line"
    items, file_date = _payload(_json(path.read_text(encoding="utf-8")), file_date)
    return enumerate(items), file_date, "item"


def _payload(data: Any, file_date: dt.date | None) -> tuple[list[Any], dt.date | None]:
    """A day's raw items and its date; ValueError when the JSON is neither shape."""
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        # 2025-01-10 came wrapped as {"status", "date", "count", "data": [...]}.
        if file_date is None and isinstance(data.get("date"), str):
            file_date = _date(data["date"], "date")
        data = data["data"]
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of items or an object with a 'data' list")
    return data, file_date


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """Streamed, so the corpus never sits in memory whole; a bad line is one bad item."""
    opener = lzma.open if path.name.endswith(".xz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield number, _json(line)
            except json.JSONDecodeError as exc:
                yield number, ItemError(f"not JSON: {exc}")
            except RecursionError:
                yield number, ItemError("not JSON: nested too deeply")


def _json(text: str) -> Any:
    # Python refuses to read an integer of more than 4,300 digits (ValueError), which would
    # cost the whole file; such a number becomes infinity and fails only its own item.
    return json.loads(text, parse_int=_int)


def _int(digits: str) -> int | float:
    return int(digits) if len(digits) <= 100 else float("inf")


def as_item(raw: Any) -> dict[str, Any]:
    """A raw item as a dict, whichever way the file stored it; ItemError if it is none."""
    if isinstance(raw, ItemError):
        raise raw
    if isinstance(raw, str):
        # 2024-12-11..2025-01-09 stored each item as the Python repr of a dict.
        try:
            raw = ast.literal_eval(raw)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
            raise ItemError(f"string item is not a Python literal: {exc}") from None
    if not isinstance(raw, dict):
        raise ItemError(f"expected an object, got {type(raw).__name__}")
    return raw


def parse_item(item: dict[str, Any], file_date: dt.date | None = None) -> PaperRecord:
    """One daily item as a PaperRecord; raises ItemError naming the offending field."""
    paper = item.get("paper")
    if not isinstance(paper, dict):
        raise ItemError("missing 'paper' object")
    try:
        arxiv_id = parse_arxiv_id(_str(paper, "id", "paper."))
    except ValueError as exc:
        raise ItemError(f"paper.id: {exc}") from None
    title = clean_text(_str(item, "title")) or clean_text(_str(paper, "title", "paper."))
    if not title:
        raise ItemError("no title")
    return PaperRecord(
        arxiv_id=arxiv_id.base,
        version=arxiv_id.version,
        title=title,
        abstract=clean_text(_str(paper, "summary", "paper.")),
        authors=_authors(paper.get("authors")),
        published_at=_datetime(paper.get("publishedAt"), "paper.publishedAt"),
        github_repo=_url(_str(paper, "githubRepo", "paper.")),
        github_stars=_count(paper.get("githubStars"), "paper.githubStars"),
        project_page=_url(_str(paper, "projectPage", "paper.")),
        # Before `thumbnail` existed the same social-card image was called `mediaUrl`.
        thumbnail=_url(_str(item, "thumbnail") or _str(item, "mediaUrl")),
        media_urls=_str_list(paper.get("mediaUrls") or item.get("mediaUrls"), "mediaUrls"),
        organization=_organization(paper.get("organization") or item.get("organization")),
        ai_summary=clean_text(_str(paper, "ai_summary", "paper.")),
        ai_keywords=_str_list(paper.get("ai_keywords"), "paper.ai_keywords"),
        imported_upvotes=_count(paper.get("upvotes"), "paper.upvotes"),
        imported_comments=_count(item.get("numComments"), "numComments"),
        submission=_submission(item, paper, file_date),
        # A day file is Hugging Face's view on that day; a corpus line's `date` is when the
        # paper was first listed, not when its counts were read, so it vouches for nothing.
        as_of=dt.datetime.combine(file_date, dt.time(), dt.UTC) if file_date else None,
        source=SOURCE,
    )


def _submission(item: dict, paper: dict, file_date: dt.date | None) -> SubmissionRecord | None:
    """When and on which day the paper entered the feed.

    The time is `paper.submittedOnDailyAt`; older files lack it, and there the top-level
    `publishedAt` is the time the item entered the feed. (Newer files put the arXiv
    announcement there: 2606.28128 in 2026-06-29.json says 2026-06-25T20:00Z.) The feed day is
    `submittedOnDailyAt`'s day in the feed's time zone (`records.feed_date_of`); without it,
    the day the file (or corpus line) names stands, and failing that the top-level time's.
    """
    on_daily = _datetime(paper.get("submittedOnDailyAt"), "paper.submittedOnDailyAt")
    entered = _datetime(item.get("publishedAt"), "publishedAt")
    # Demo corpus lines carry their day as `date`; it stands in for the file name.
    if item.get("date") is not None:
        file_date = _date(item["date"], "date")
    submitted_at = on_daily or entered
    if on_daily is None and file_date is not None:
        # The file's day stands; its time is only a tie-break within that day.
        submitted_at = submitted_at or dt.datetime.combine(file_date, dt.time(), dt.UTC)
        return SubmissionRecord(file_date, submitted_at, _submitter(item, paper))
    if submitted_at is None:
        return None
    return SubmissionRecord(None, submitted_at, _submitter(item, paper))


def _submitter(item: dict, paper: dict) -> str:
    """The submitter's username: newer items name it in the paper, older ones at the top."""
    holders = ((paper.get("submittedOnDailyBy"), "user"), (item.get("submittedBy"), "name"))
    for holder, key in holders:
        if isinstance(holder, dict) and isinstance(holder.get(key), str) and holder[key].strip():
            return holder[key].strip()
    return ""


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ItemError("paper.authors: expected a list")
    names = []
    for index, author in enumerate(value):
        if not isinstance(author, dict):
            raise ItemError(f"paper.authors[{index}]: expected an object")
        name = clean_text(author["name"]) if isinstance(author.get("name"), str) else ""
        if name:  # Hidden authors are still authors; only a nameless entry has nothing to keep.
            names.append(name)
    return names


def _organization(value: Any) -> OrganizationRecord | None:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    name = value["name"].strip()
    if not name:
        return None
    avatar = _str(value, "avatar", "organization.") or _str(value, "avatarUrl", "organization.")
    fullname = clean_text(_str(value, "fullname", "organization."))
    return OrganizationRecord(name, fullname, _url(avatar))


def _str(obj: dict, key: str, prefix: str = "") -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ItemError(f"{prefix}{key}: expected text, got {type(value).__name__}")
    return value


def _str_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ItemError(f"{field}: expected a list of strings")
    return [v.strip() for v in value if v.strip()]


def _count(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ItemError(f"{field}: expected a count, got {value!r}")
    return value


def _url(value: str) -> str:
    value = value.strip()
    # Avatars are sometimes site-relative (`/avatars/...`); `//host` is not site-relative.
    # Schemes are checked by `records.validated`.
    return HF_BASE + value if value.startswith("/") and not value.startswith("//") else value


def _datetime(value: Any, field: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
        # The API writes UTC with a `Z`; a naive time is taken as UTC rather than local time.
        return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    except (TypeError, ValueError):
        raise ItemError(f"{field}: not an ISO datetime: {value!r}") from None
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC.
        raise ItemError(f"{field}: out of range in UTC: {value!r}") from None


def _date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ItemError(f"{field}: not a YYYY-MM-DD date: {value!r}") from None
