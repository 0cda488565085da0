"""arXiv's bulk metadata snapshot (Kaggle `arxiv-metadata-oai-snapshot.json`) as paper records.

The file is JSON lines, ~2.7 M records and ~4 GB (also read as `.gz`). It is streamed line by
line in constant memory; every line becomes `(Position, PaperRecord)` or `(Position, Skip)`, so
a broken line is reported with its number and the rest goes on. Each position's cursor is the
byte offset after its line (uncompressed, for `.gz`) and the line number: a resumed run seeks
there (`.gz` decompresses and discards up to it, which `GzipFile.seek` does for us).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import multiprocessing
import operator
import queue
import re
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

from dailypapers.ingest import normalize
from dailypapers.ingest.positions import Item, Position, Skip
from dailypapers.ingest.records import PaperRecord, RecordError, validated
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.names import clean_text

SOURCE = "snapshot"
# Record attributes in the snapshot's own terms, for the notes of `records.validated`.
LABELS = {"arxiv_id": "id", "version": "versions"}


# The snapshot writes every version date one way ("Mon, 2 Apr 2007 19:18:42 GMT"); read here
# directly, it is about 5x cheaper (measured) than the general RFC 2822 parser, which still
# takes anything else.
_GMT = re.compile(r"[A-Z][a-z]{2}, (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


class LineError(ValueError):
    """A line that cannot become a record; the message names the field."""


def parse_cursor(cursor: str) -> tuple[int, int]:
    """(byte offset, line number) of a cursor this module wrote; ValueError for anything else."""
    offset, _, line = cursor.partition(":")
    values = int(offset), int(line)
    if min(values) < 0:
        raise ValueError(f"not a snapshot cursor: {cursor!r}")
    return values


class SnapshotReader:
    """The items of one snapshot file, from `after` (a cursor) on.

    `done_bytes` is how far into the file on disk reading has got (compressed bytes for a
    `.gz`), for a progress bar whose total is the file's size.
    """

    def __init__(self, path: str | Path, *, after: str = "") -> None:
        self.path = Path(path)
        self.offset, self.line = parse_cursor(after) if after else (0, 0)
        self.done_bytes = 0

    @property
    def gzipped(self) -> bool:
        return self.path.name.endswith(".gz")

    def __iter__(self) -> Iterator[Item]:
        with open(self.path, "rb") as raw:
            lines: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if self.gzipped else raw
            try:
                lines.seek(self.offset)
                yield from self._items(lines, raw)
            except (OSError, EOFError) as exc:
                # A truncated or corrupt .gz: what was read stands; the rest is one skip.
                cursor = f"{self.offset}:{self.line}"
                yield Position(str(self.path), cursor=cursor), Skip(f"unreadable file: {exc}")

    def _items(self, lines: IO[bytes], raw: IO[bytes]) -> Iterator[Item]:
        name, gzipped = str(self.path), self.gzipped
        for text in lines:
            self.offset += len(text)
            self.line += 1
            self.done_bytes = raw.tell() if gzipped else self.offset
            if text.isspace():
                continue
            position = Position(name, self.line, "line", cursor=f"{self.offset}:{self.line}")
            yield position, parsed(text)


def read_in_background(reader: SnapshotReader, *, chunk: int = 250) -> Iterator[Item]:
    """`reader`'s items, read and parsed by a second process while this one writes.

    Parsing is about half of an import's CPU time (measured: bench/snapshot_import.py), so on
    two cores this nearly doubles the rate. Items arrive in file order, cursors included, so
    nothing about resuming changes. The pipe between the two holds a few chunks, not the file:
    memory stays flat. When this side stops (done, failed, killed), the pipe breaks and the
    reader process ends at its next send.
    """
    # fork: the child starts with Django set up (the parser validates against the models).
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_produce, args=(reader, send, receive, chunk), name="snapshot-reader", daemon=True
    )
    process.start()
    send.close()
    try:
        while True:
            try:
                kind, payload, reader.done_bytes = receive.recv()
            except EOFError:
                raise RuntimeError("the snapshot reader process ended unexpectedly") from None
            if kind == "end":
                return
            if kind == "error":
                raise RuntimeError(f"the snapshot reader process failed: {payload}")
            yield from unpacked(payload)
    finally:
        receive.close()
        process.join(timeout=5)
        if process.is_alive():
            process.kill()


def _produce(reader: SnapshotReader, send: Connection, receive: Connection, chunk: int) -> None:
    """The reader process: parse into a bounded outbox that a thread sends from, so parsing
    goes on while a send waits for the importing side (a pipe holds less than one chunk: with
    the send in this loop, the two processes took turns more than they overlapped)."""
    receive.close()  # else the pipe would never break when the importing process is gone
    outbox: queue.Queue = queue.Queue(maxsize=_CHUNKS_AHEAD)
    sender = threading.Thread(target=_send_all, args=(outbox, send), daemon=True)
    sender.start()
    try:
        items: list[Item] = []
        for item in reader:
            items.append(item)
            if len(items) >= chunk:
                if not _post(outbox, sender, ("items", packed(items), reader.done_bytes)):
                    return  # the importing side stopped: nobody to tell
                items = []
        _post(outbox, sender, ("items", packed(items), reader.done_bytes))
        _post(outbox, sender, ("end", None, reader.done_bytes))
    except KeyboardInterrupt:
        return
    except Exception as exc:  # a bug: say it on the other side, where the run records it
        _post(outbox, sender, ("error", f"{type(exc).__name__}: {exc}", reader.done_bytes))
    finally:
        _post(outbox, sender, None)
        sender.join()  # everything queued is sent, or the pipe broke


# Parsed chunks the reader may hold unsent: a few MB, so memory stays flat.
_CHUNKS_AHEAD = 16


def _post(outbox: queue.Queue, sender: threading.Thread, message: Any) -> bool:
    """Queue a message for the sender; False once the sender has stopped (a broken pipe)."""
    while sender.is_alive():
        try:
            outbox.put(message, timeout=0.2)
            return True
        except queue.Full:
            continue
    return False


def _send_all(outbox: queue.Queue, send: Connection) -> None:
    try:
        while (message := outbox.get()) is not None:
            send.send(message)
    except (BrokenPipeError, OSError):
        return  # the importing side stopped; `_post` sees this thread gone


# Items cross the pipe as tuples of their fields' values: measured, a pickled PaperRecord and
# Position took 14 us a record to unpickle on the writing side (the bottleneck of an import),
# tuples 3 us, rebuilt objects included.
_RECORD_FIELDS = operator.attrgetter(
    *(f.name for f in dataclasses.fields(PaperRecord) if f.init), "author_keys"
)
_POSITION_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(Position)))


def packed(items: list[Item]) -> list[tuple[tuple, tuple | str]]:
    """Items as plain tuples, cheap to pickle and unpickle (`unpacked` turns them back)."""
    return [
        (
            _POSITION_FIELDS(position),
            item.reason if isinstance(item, Skip) else _RECORD_FIELDS(item),
        )
        for position, item in items
    ]


def unpacked(packed_items: list[tuple[tuple, tuple | str]]) -> Iterator[Item]:
    for position, item in packed_items:
        if isinstance(item, str):
            yield Position(*position), Skip(item)
            continue
        record = PaperRecord(*item[:-1])
        record.author_keys = item[-1]
        yield Position(*position), record


def parsed(text: bytes | str) -> PaperRecord | Skip:
    """One line as a validated record, or a Skip saying why not."""
    try:
        item = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        return Skip(f"not JSON: {exc}")
    try:
        if not isinstance(item, dict):
            raise LineError(f"expected an object, got {type(item).__name__}")
        return validated(parse_item(item), LABELS)
    except (LineError, RecordError) as exc:
        return Skip(str(exc))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        # A shape the parser did not foresee: still one reported line, not a lost file.
        return Skip(f"unexpected record shape: {type(exc).__name__}: {exc}")


def parse_item(item: dict[str, Any]) -> PaperRecord:
    """One snapshot object as a PaperRecord; raises LineError naming the offending field."""
    try:
        arxiv_id = parse_arxiv_id(_str(item, "id"))
    except ValueError as exc:
        raise LineError(f"id: {exc}") from None
    title = clean_text(_str(item, "title"))
    if not title:
        raise LineError("no title")
    version, published_at, updated_at = _versions(item.get("versions"))
    all_categories, primary = normalize.categories(_str(item, "categories"))
    return PaperRecord(
        arxiv_id=arxiv_id.base,
        version=version or arxiv_id.version,
        title=title,
        abstract=clean_text(_str(item, "abstract")),
        authors=_authors(item),
        categories=all_categories,
        primary_category=primary,
        published_at=published_at,
        # Without a version list, the day the metadata last changed is the best "updated".
        updated_at=updated_at or _datetime(item.get("update_date"), "update_date"),
        doi=normalize.clean_doi(_str(item, "doi")),
        journal_ref=clean_text(_str(item, "journal-ref")),
        license=_str(item, "license").strip(),
        arxiv_comments=clean_text(_str(item, "comments")),
        source=SOURCE,
    )


def _versions(value: Any) -> tuple[int | None, dt.datetime | None, dt.datetime | None]:
    """(latest version number, v1's date, the latest version's date) of `versions`."""
    if not value:
        return None, None, None
    if not isinstance(value, list):
        raise LineError("versions: expected a list")
    dated = []
    for entry in value:
        label = entry.get("version") if isinstance(entry, dict) else None
        if not isinstance(label, str) or not label.startswith("v") or not label[1:].isdigit():
            raise LineError(f"versions: not a version: {label!r}")
        dated.append((int(label[1:]), _datetime(entry.get("created"), "versions.created")))
    dated.sort(key=lambda pair: pair[0])
    return dated[-1][0], dated[0][1], dated[-1][1]


def _authors(item: dict[str, Any]) -> list[str]:
    parsed_names = item.get("authors_parsed")
    if isinstance(parsed_names, list) and all(isinstance(p, list) for p in parsed_names):
        parts = [[part if isinstance(part, str) else "" for part in p] for p in parsed_names]
        if names := normalize.authors_from_parsed(parts):
            return names
    return normalize.authors_from_string(_str(item, "authors"))


def _datetime(value: Any, field: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise LineError(f"{field}: expected text, got {type(value).__name__}")
    if (match := _GMT.fullmatch(value)) and (month := _MONTHS.get(match.group(2))):
        day, _, year, hour, minute, second = match.groups()
        try:
            return dt.datetime(
                int(year), month, int(day), int(hour), int(minute), int(second), tzinfo=dt.UTC
            )
        except ValueError as exc:
            raise LineError(f"{field}: {exc}: {value!r}") from None
    try:
        return normalize.parse_datetime(value)
    except (ValueError, OverflowError) as exc:
        raise LineError(f"{field}: {exc}") from None


def _str(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LineError(f"{key}: expected text, got {type(value).__name__}")
    return value
