"""Imports that are exact: order, batch size and bad items never change what good items give."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.pipeline import Position, run_ingest
from dailypapers.ingest.sources import hf_daily
from dailypapers.papers.models import Organization, Paper, Submission
from tests.ingest.support import DAYS, REPEAT, record

pytestmark = pytest.mark.django_db

APRIL_10, APRIL_16 = REPEAT / "2026-04-10.json", REPEAT / "2026-04-16.json"


def ingest(*paths, batch_size: int = 500) -> IngestRun:
    return run_ingest("hf", hf_daily.read_paths(paths), batch_size=batch_size)


def item(arxiv_id: str, **paper_fields) -> dict:
    paper = {"id": arxiv_id, "title": f"Paper {arxiv_id}", "authors": [], "upvotes": 1}
    return {"paper": paper | paper_fields, "publishedAt": "2026-01-01T08:00:00.000Z"}


def write_day(folder, day: str, items: list) -> None:
    (folder / f"{day}.json").write_text(json.dumps(items))


def test_an_earlier_day_imported_later_moves_the_submission_to_it():
    ingest(APRIL_16)
    assert Submission.objects.get().feed_date == dt.date(2026, 4, 16)

    run = ingest(APRIL_10)

    submission = Submission.objects.get()
    assert submission.feed_date == dt.date(2026, 4, 10)
    assert submission.submitted_at == dt.datetime(2026, 4, 10, 0, 58, 14, 251000, tzinfo=dt.UTC)
    assert run.counts["updated"] == 1
    # The newer file's current fields stay.
    paper = Paper.objects.get()
    assert (paper.imported_upvotes, paper.project_page) == (
        42,
        "https://gameworld-project.github.io/",
    )


def test_import_order_does_not_change_the_result():
    ingest(APRIL_16)
    ingest(APRIL_10)
    backwards = list(Paper.objects.values("imported_upvotes", "project_page", "github_stars"))
    backwards_submission = list(Submission.objects.values("feed_date", "submitted_at"))
    Paper.objects.all().delete()

    ingest(APRIL_10, APRIL_16)

    assert list(Paper.objects.values("imported_upvotes", "project_page", "github_stars")) == (
        backwards
    )
    assert list(Submission.objects.values("feed_date", "submitted_at")) == backwards_submission


def test_the_newer_day_file_sets_links_even_when_its_counts_did_not_move(tmp_path):
    old_view = item("2601.00001", projectPage="https://old.example/", upvotes=7)
    new_view = item("2601.00001", projectPage="https://new.example/", upvotes=7)
    write_day(tmp_path, "2026-01-02", [old_view])
    write_day(tmp_path, "2026-01-05", [new_view])

    ingest(tmp_path / "2026-01-02.json")
    ingest(tmp_path / "2026-01-05.json")
    again = ingest(tmp_path / "2026-01-02.json")

    paper = Paper.objects.get()
    assert paper.project_page == "https://new.example/"
    assert paper.source_as_of == dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    assert again.counts["updated"] == 0


def test_a_newer_day_file_may_lower_a_count(tmp_path):
    write_day(tmp_path, "2026-01-02", [item("2601.00002", upvotes=9)])
    write_day(tmp_path, "2026-01-05", [item("2601.00002", upvotes=8)])

    ingest(tmp_path)
    ingest(tmp_path / "2026-01-02.json")

    assert Paper.objects.get().imported_upvotes == 8


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_a_second_import_in_any_batch_size_updates_nothing(batch_size):
    ingest(DAYS, REPEAT, batch_size=batch_size)

    run = ingest(DAYS, REPEAT, batch_size=batch_size)

    assert run.counts == {"created": 0, "updated": 0, "unchanged": 11, "skipped": 0, "items": 11}


def test_feed_day_of_an_imported_submission_is_taken_in_the_feed_time_zone(settings, tmp_path):
    settings.FEED_TIME_ZONE = "America/Los_Angeles"
    write_day(tmp_path, "2026-01-06", [item("2601.00001", submittedOnDailyAt="2026-01-06T03:00Z")])

    ingest(tmp_path)

    assert Submission.objects.get().feed_date == dt.date(2026, 1, 5)


BAD_ITEMS = {
    "upvotes past any column": item("2601.00099", upvotes=10**20),
    "stars past 2**63": item("2601.00099", githubStars=2**63),
    "version past a small integer": item("2601.00099v40000"),
    "id longer than its column": item("hep-" + "x" * 60 + "/9901001"),
    "time before year 1 in UTC": item("2601.00099", publishedAt="0001-01-01T00:00:00+01:00"),
}


@pytest.mark.parametrize("bad", BAD_ITEMS.values(), ids=BAD_ITEMS.keys())
def test_one_bad_item_never_costs_the_good_ones(tmp_path, bad):
    write_day(tmp_path, "2026-01-01", [item("2601.00001")])
    write_day(tmp_path, "2026-01-02", [item("2601.00002"), bad])
    write_day(tmp_path, "2026-01-03", [item("2601.00003")])

    run = ingest(tmp_path)

    good = {"2601.00001", "2601.00002", "2601.00003"}
    assert good <= set(Paper.objects.values_list("arxiv_id", flat=True))
    assert run.status in {IngestRun.Status.DONE, IngestRun.Status.PARTIAL}
    assert run.error.startswith(f"{tmp_path / '2026-01-02.json'}:item 1: ")


def test_a_file_of_deep_nesting_never_costs_the_other_files(tmp_path):
    write_day(tmp_path, "2026-01-01", [item("2601.00001")])
    (tmp_path / "2026-01-02.json").write_text("[" * 100_000)
    write_day(tmp_path, "2026-01-03", [item("2601.00003")])

    run = ingest(tmp_path)

    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2601.00001", "2601.00003"}
    assert run.counts["skipped"] == 1
    assert run.error.startswith(f"{tmp_path / '2026-01-02.json'}: unreadable file: ")


def test_a_batch_whose_write_fails_is_retried_item_by_item():
    # A record no validator saw (a source that forgot): the database itself refuses it.
    items = [
        (Position("hand", 0), record("2601.00001")),
        (Position("hand", 1), record("2601.00002", imported_upvotes=10**20)),
        (Position("hand", 2), record("2601.00003")),
    ]

    run = run_ingest("hand", items)

    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2601.00001", "2601.00003"}
    assert run.counts["created"] == 2 and run.counts["skipped"] == 1
    assert run.error.startswith("hand:item 1: not stored: ")
    assert run.status == IngestRun.Status.PARTIAL


def test_a_link_that_is_not_http_is_dropped_with_a_note_and_the_paper_kept(tmp_path):
    write_day(tmp_path, "2026-01-01", [item("2601.00001", githubRepo="javascript:alert(1)")])

    run = ingest(tmp_path)

    paper = Paper.objects.get()
    assert paper.github_repo == ""
    assert run.counts["created"] == 1
    assert run.error == (
        f"{tmp_path / '2026-01-01.json'}:item 0: dropped paper.githubRepo: not an http(s) URL"
    )


def test_cjk_organizations_stay_apart_and_resolve_at_their_pages(client, tmp_path):
    write_day(
        tmp_path,
        "2026-01-01",
        [
            item("2601.00001", organization={"name": "北京大学", "fullname": "Peking University"}),
            item(
                "2601.00002", organization={"name": "清华大学", "fullname": "Tsinghua University"}
            ),
        ],
    )

    ingest(tmp_path)

    orgs = list(Organization.objects.order_by("handle"))
    assert len(orgs) == 2 and orgs[0].slug != orgs[1].slug
    for org, fullname in zip(orgs, ["Peking University", "Tsinghua University"], strict=True):
        response = client.get(org.get_absolute_url())
        assert response.status_code == 200
        assert fullname in response.content.decode()


@pytest.mark.parametrize("handles", [("qwen", "Qwen"), ("ab", "a.b"), ("a.b", "ab")])
@pytest.mark.parametrize("together", [True, False])
def test_handles_whose_slugs_collide_never_merge_nor_fail_a_batch(
    client, tmp_path, handles, together
):
    first, second = [
        item(f"2601.0000{n}", organization={"name": handle})
        for n, handle in enumerate(handles, start=1)
    ]
    if together:
        write_day(tmp_path, "2026-01-01", [first, second])
    else:
        write_day(tmp_path, "2026-01-01", [first])
        write_day(tmp_path, "2026-01-02", [second])

    run = ingest(tmp_path, batch_size=500 if together else 1)

    assert run.status == IngestRun.Status.DONE
    orgs = {o.handle: o for o in Organization.objects.all()}
    assert set(orgs) == set(handles)
    assert orgs[handles[0]].slug != orgs[handles[1]].slug
    for n, handle in enumerate(handles, start=1):
        assert Paper.objects.get(arxiv_id=f"2601.0000{n}").organization == orgs[handle]
        assert client.get(orgs[handle].get_absolute_url()).status_code == 200


def test_a_lone_surrogate_in_text_never_costs_the_batch(tmp_path):
    # JSON may escape half a surrogate pair; neither database can store it.
    (tmp_path / "2026-01-01.json").write_text(
        '[{"paper": {"id": "2601.00001", "title": "Lone \\ud800 half", "authors": '
        '[{"name": "Eve \\udfff"}]}}, {"paper": {"id": "2601.00002", "title": "Fine"}}]'
    )

    run = ingest(tmp_path)

    assert run.counts["created"] == 2
    assert Paper.objects.get(arxiv_id="2601.00001").title == "Lone \ufffd half"
