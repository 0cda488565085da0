"""A bulk load (a big snapshot import) pauses SQLite's per-row keyword indexing and rebuilds
the index once at the end, however the load ends; a load killed on the way is repaired by
`migrate` or the next bulk load."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from dailypapers.ingest.cli import snapshot as snapshot_cli
from dailypapers.papers.models import Paper
from dailypapers.papers.signals import bulk_load, papers_changed
from dailypapers.search import keyword_sqlite
from dailypapers.search.keyword import keyword_search
from dailypapers.search.query import parse_query
from tests.factories import make_paper

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "snapshot" / "sample.jsonl"


@pytest.fixture(autouse=True)
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's keyword index is a generated column: nothing to pause")


def found(words: str) -> set[str]:
    ids = [pk for pk, _ in keyword_search(parse_query(words), limit=50)]
    return set(Paper.objects.filter(pk__in=ids).values_list("arxiv_id", flat=True))


def test_a_bulk_snapshot_import_pauses_the_triggers_and_rebuilds_at_the_end(monkeypatch):
    monkeypatch.setattr(snapshot_cli, "BULK_LOAD_PAPERS", 1)
    monkeypatch.setattr(snapshot_cli, "BYTES_PER_PAPER", 1)
    during: list[set[str]] = []

    def watch(sender, paper_ids, **kwargs):
        during.append(keyword_sqlite.missing_triggers())

    papers_changed.connect(watch)
    try:
        call_command("ingest", "snapshot", str(SAMPLE), stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        papers_changed.disconnect(watch)
    assert during and all(missing == set(keyword_sqlite.TRIGGERS) for missing in during)
    assert keyword_sqlite.missing_triggers() == set()
    paper = Paper.objects.order_by("pk").first()
    first_word = next(w for w in paper.title.split() if len(w) > 4 and w.isalpha())
    assert paper.arxiv_id in found(first_word)


def test_a_small_import_keeps_the_triggers():
    during: list[set[str]] = []
    papers_changed.connect(
        lambda sender, paper_ids, **kw: during.append(keyword_sqlite.missing_triggers()),
        weak=False,
        dispatch_uid="small",
    )
    try:
        call_command("ingest", "snapshot", str(SAMPLE), stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        papers_changed.disconnect(dispatch_uid="small")
    assert during and all(missing == set() for missing in during)


def test_a_failed_bulk_load_still_rebuilds():
    with pytest.raises(RuntimeError), bulk_load():
        make_paper(title="Quasicrystal tilings everywhere")
        assert keyword_sqlite.missing_triggers() == set(keyword_sqlite.TRIGGERS)
        raise RuntimeError("the import broke")
    assert keyword_sqlite.missing_triggers() == set()
    assert len(found("quasicrystal")) == 1


def test_a_killed_bulk_load_is_repaired_by_migrate():
    keyword_sqlite.pause_triggers()  # ... and the process is killed before the end
    make_paper(title="Zeolite catalysis at scale")
    assert found("zeolite") == set()
    call_command("migrate", verbosity=0)
    assert keyword_sqlite.missing_triggers() == set()
    assert len(found("zeolite")) == 1
