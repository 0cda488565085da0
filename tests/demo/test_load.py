"""`dailypapers demo [--if-empty]` and `load_demo`: the corpus through the normal pipeline."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from dailypapers.demo import build
from dailypapers.demo.load import load_demo
from dailypapers.ingest.models import IngestRun
from dailypapers.papers.models import Author, Paper, Submission
from tests.factories import make_paper
from tests.ingest.support import DAYS, REPEAT

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


@pytest.fixture
def small_corpus(tmp_path):
    path = tmp_path / "corpus.jsonl.xz"
    build.build(DAYS, path)
    return path


def test_demo_if_empty_loads_once():
    first = demo("--if-empty")

    assert first.startswith(
        "files 1, items 9124, created 9124, updated 0, unchanged 0, skipped 0, "
    )
    assert Paper.objects.count() == Submission.objects.count() == 9124
    assert Author.objects.count() > 30_000
    paper = Paper.objects.get(arxiv_id="2604.07429")
    assert (paper.imported_upvotes, paper.submission.feed_date) == (42, dt.date(2026, 4, 10))
    assert paper.submission.submitter_name == ""  # the corpus has no submitters
    assert IngestRun.objects.get().source == "demo"

    second = demo("--if-empty")

    assert second == "demo: skipped, the database already has papers (--if-empty)"
    assert Paper.objects.count() == 9124
    assert IngestRun.objects.count() == 1


def test_demo_if_empty_does_nothing_when_any_paper_exists(small_corpus):
    make_paper("2501.00001")

    assert demo("--if-empty", "--corpus", str(small_corpus)).startswith("demo: skipped")
    assert Paper.objects.count() == 1


def test_demo_load_is_idempotent(small_corpus):
    assert demo("--corpus", str(small_corpus)).startswith(
        "files 1, items 9, created 9, updated 0, unchanged 0, skipped 0, "
    )

    again = demo("--corpus", str(small_corpus))

    assert again.startswith("files 1, items 9, created 0, updated 0, unchanged 9, skipped 0, ")
    assert Paper.objects.count() == 9


def test_demo_gives_the_same_papers_as_importing_the_files(tmp_path):
    corpus = tmp_path / "repeat.jsonl.xz"
    build.build(REPEAT, corpus)

    run = load_demo(corpus, batch_size=1)

    assert run.status == IngestRun.Status.DONE
    paper = Paper.objects.get()
    assert (paper.imported_upvotes, paper.imported_comments, paper.github_stars) == (42, 3, 2)
    assert paper.organization.fullname == "National University of Singapore"
    assert paper.submission.feed_date == dt.date(2026, 4, 10)


def test_demo_with_a_missing_corpus_fails_clearly(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no demo corpus") as raised:
        demo("--corpus", str(tmp_path / "missing.jsonl.xz"))
    assert raised.value.returncode == 2


@pytest.mark.parametrize("status", [IngestRun.Status.RUNNING, IngestRun.Status.FAILED])
def test_demo_if_empty_completes_a_load_that_did_not_finish(small_corpus, status):
    load_demo(small_corpus)
    Paper.objects.filter(pk__in=list(Paper.objects.values_list("pk", flat=True)[:5])).delete()
    IngestRun.objects.update(status=status, finished_at=None)  # as a crash leaves it

    out = demo("--if-empty", "--corpus", str(small_corpus))

    assert out.startswith("files 1, items 9, created 5, updated 0, unchanged 4, skipped 0, ")
    assert Paper.objects.count() == 9
    assert IngestRun.objects.order_by("-pk").first().status == IngestRun.Status.DONE

    assert demo("--if-empty", "--corpus", str(small_corpus)).startswith("demo: skipped")
