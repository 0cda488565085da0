"""Signals other apps listen to, so that `papers` imports none of them.

`papers_changed(sender, paper_ids)` is sent after the transaction that created or changed
those papers commits (bulk writes fire no `post_save`): search indexes them, later apps
notify. Listeners enqueue work; they never do it inside the sender's request or import.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.dispatch import Signal

papers_changed = Signal()


def send_papers_changed_on_commit(paper_ids: Collection[int]) -> None:
    """Send `papers_changed` once the current transaction commits (at once outside one)."""
    if not paper_ids:
        return
    ids = sorted(paper_ids)
    from dailypapers.papers.models import Paper

    transaction.on_commit(lambda: papers_changed.send(sender=Paper, paper_ids=ids), robust=True)


# A bulk load (the arXiv snapshot: hundreds of thousands of papers) is about to start / has
# ended, normally or not. Indexes that are cheaper to rebuild once than to keep row by row
# (SQLite's FTS5) pause themselves in between.
bulk_load_started = Signal()
bulk_load_finished = Signal()


@contextmanager
def bulk_load() -> Iterator[None]:
    bulk_load_started.send(sender=None)
    try:
        yield
    finally:
        bulk_load_finished.send(sender=None)
