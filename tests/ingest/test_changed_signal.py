"""The upsert announces the papers it created or changed, after commit (bulk writes send no
post_save), so search can index whatever any source brings."""

from __future__ import annotations

import dataclasses

import pytest

from dailypapers.ingest.pipeline import upsert_records
from dailypapers.papers.models import Paper
from dailypapers.papers.signals import papers_changed
from tests.ingest.support import record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def announced():
    seen: list[list[int]] = []

    def listener(sender, paper_ids, **kwargs):
        seen.append(list(paper_ids))

    papers_changed.connect(listener)
    yield seen
    papers_changed.disconnect(listener)


def test_created_and_changed_papers_are_announced_after_commit(announced):
    upsert_records([record("2501.00001"), record("2501.00002")])
    pks = sorted(Paper.objects.values_list("pk", flat=True))
    assert announced == [pks]

    first = Paper.objects.get(arxiv_id="2501.00001")
    changed = dataclasses.replace(record("2501.00001"), title="A New Title", version=2)
    upsert_records([changed, record("2501.00002")])
    assert announced[-1] == [first.pk]


def test_an_unchanged_batch_announces_nothing(announced):
    upsert_records([record("2501.00001")])
    upsert_records([record("2501.00001")])
    assert len(announced) == 1


def test_a_rolled_back_batch_announces_nothing(announced):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        upsert_records([record("2501.00001")])
        raise RuntimeError("crash before commit")
    assert announced == []
    assert not Paper.objects.exists()
