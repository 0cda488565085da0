"""What every source yields: where an item was found, and its record or why it was skipped."""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.ingest.records import PaperRecord


@dataclass(frozen=True)
class Position:
    """An item's place in its source, for error messages and for resuming.

    `cursor` is set on the last item of a unit of resumption (a file, an OAI page): once that
    item is committed, a new run may start after `cursor` without losing anything.
    """

    source: str
    index: int | None = None
    unit: str = "item"
    cursor: str = ""

    def __str__(self) -> str:
        return self.source if self.index is None else f"{self.source}:{self.unit} {self.index}"


@dataclass(frozen=True)
class Skip:
    """An item that could not become a record."""

    reason: str


Item = tuple[Position, PaperRecord | Skip]
