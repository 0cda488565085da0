"""What search does when papers change: queue their indexing (light to import: app loading
must not load numpy or a model)."""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_migrate, post_save

from dailypapers.papers.models import Paper
from dailypapers.papers.signals import (
    bulk_load_finished,
    bulk_load_started,
    papers_changed,
    send_papers_changed_on_commit,
)
from dailypapers.search import keyword_sqlite

# Papers per queued task: a task is a few seconds of embedding, so a retry redoes little.
TASK_SIZE = 256


def connect(app_config: AppConfig) -> None:
    papers_changed.connect(enqueue_indexing, dispatch_uid="search-index-changed-papers")
    # Admin edits and other single saves: bulk imports send papers_changed themselves.
    post_save.connect(_paper_saved, sender=Paper, dispatch_uid="search-index-saved-paper")
    post_delete.connect(_paper_deleted, sender=Paper, dispatch_uid="search-drop-deleted-paper")
    bulk_load_started.connect(_pause_keyword_index, dispatch_uid="search-pause-keyword")
    bulk_load_finished.connect(_rebuild_keyword_index, dispatch_uid="search-rebuild-keyword")
    post_migrate.connect(_restore_keyword_triggers, sender=app_config)


def _paper_deleted(sender, instance: Paper, **kwargs) -> None:
    from dailypapers.search.tasks import remove_vectors_task

    paper_id = instance.pk
    transaction.on_commit(lambda: remove_vectors_task([paper_id]), robust=True)


def _pause_keyword_index(sender, **kwargs) -> None:
    # PostgreSQL's generated column has no triggers to pause.
    if connection.vendor == "sqlite" and keyword_sqlite.index_exists():
        keyword_sqlite.pause_triggers()


def _rebuild_keyword_index(sender, **kwargs) -> None:
    if connection.vendor == "sqlite" and keyword_sqlite.index_exists():
        keyword_sqlite.rebuild()


def _restore_keyword_triggers(sender, using: str = "default", **kwargs) -> None:
    """On SQLite, a migration that rebuilds papers_paper (most column changes do) drops the
    keyword index's triggers with the old table, silently: after every `migrate`, put any
    missing one back and rebuild the index, so it never drifts from the papers."""
    if using == "default" and connection.vendor == "sqlite" and keyword_sqlite.missing_triggers():
        keyword_sqlite.rebuild()


def _paper_saved(sender, instance: Paper, raw: bool = False, **kwargs) -> None:
    if not raw:  # loaddata
        send_papers_changed_on_commit([instance.pk])


def enqueue_indexing(sender, paper_ids: Sequence[int], **kwargs) -> None:
    from dailypapers.search.tasks import index_papers_task

    for start in range(0, len(paper_ids), TASK_SIZE):
        index_papers_task(list(paper_ids[start : start + TASK_SIZE]))
