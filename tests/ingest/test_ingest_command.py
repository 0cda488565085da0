"""`dailypapers ingest hf PATH...`: summary line, skipped items on stderr, exit codes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from dailypapers.ingest.models import IngestRun
from dailypapers.papers.models import Paper
from tests.ingest.support import BROKEN, DAYS, HF

SUMMARY = re.compile(
    r"^files (\d+), items (\d+), created (\d+), updated (\d+), unchanged (\d+), "
    r"skipped (\d+), \d+\.\ds$"
)


def ingest(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_cli(monkeypatch, *args: str) -> int:
    """Run the command as the `dailypapers` script would; return its exit code."""
    # The CLI closes connections on exit, which would end the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    try:
        ManagementUtility(["dailypapers", "ingest", *args]).execute()
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.mark.django_db
def test_command_imports_folders_and_ends_with_a_summary_line():
    out, err = ingest("hf", str(DAYS))

    match = SUMMARY.match(out.strip())
    assert match, out
    assert match.groups() == ("4", "9", "9", "0", "0", "0")
    assert err == ""
    assert Paper.objects.count() == 9
    assert IngestRun.objects.get().status == IngestRun.Status.DONE


@pytest.mark.django_db
def test_command_run_twice_reports_all_unchanged():
    ingest("hf", str(DAYS))

    out, _ = ingest("hf", str(DAYS / "2026-01-06.json"), str(DAYS / "2024-05-27.json"))

    assert SUMMARY.match(out.strip()).groups() == ("2", "5", "0", "0", "5", "0")


@pytest.mark.django_db
def test_command_exit_code_is_nonzero_when_items_were_skipped():
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("ingest", "hf", str(BROKEN), stdout=out, stderr=err)

    assert raised.value.returncode == 1
    assert str(raised.value) == "2 items skipped"
    day = BROKEN / "2025-02-03.json"
    lines = err.getvalue().splitlines()
    assert lines[0] == f"{day}:item 1: paper.id: not an arXiv id: 'not-an-arxiv-id'"
    assert lines[1].startswith(f"{BROKEN / 'not-json.json'}: unreadable file: ")
    assert SUMMARY.match(out.getvalue().strip()).groups() == ("2", "4", "2", "0", "0", "2")
    assert Paper.objects.count() == 2


@pytest.mark.django_db
def test_cli_exits_1_when_items_were_skipped(monkeypatch, capsys):
    code = run_cli(monkeypatch, "hf", str(BROKEN / "2025-02-03.json"))

    assert code == 1
    err = capsys.readouterr().err
    assert f"{BROKEN / '2025-02-03.json'}:item 1: paper.id: not an arXiv id" in err
    assert "CommandError: 1 item skipped" in err


@pytest.mark.django_db
def test_cli_exits_0_when_everything_was_imported(monkeypatch, capsys):
    assert run_cli(monkeypatch, "hf", str(DAYS / "2024-12-11.json")) == 0
    assert SUMMARY.match(capsys.readouterr().out.strip())


def test_cli_exits_2_for_a_missing_path(monkeypatch, capsys):
    code = run_cli(monkeypatch, "hf", str(HF / "no-such-folder"))

    assert code == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_cli_exits_2_for_bad_usage(monkeypatch, capsys):
    assert run_cli(monkeypatch) == 2
    assert run_cli(monkeypatch, "nonsense", "x") == 2
    assert run_cli(monkeypatch, "hf") == 2
    assert "PATH" in capsys.readouterr().err


@pytest.mark.django_db
def test_resume_starts_after_the_last_file_of_the_unfinished_run():
    IngestRun.objects.create(
        source="hf", status=IngestRun.Status.FAILED, cursor=str(DAYS / "2025-01-10.json")
    )

    out, _ = ingest("hf", str(DAYS), "--resume")

    assert out.splitlines()[0] == f"resuming after {DAYS / '2025-01-10.json'}"
    assert SUMMARY.match(out.splitlines()[1]).groups() == ("4", "3", "3", "0", "0", "0")
    assert Paper.objects.count() == 3


@pytest.mark.django_db
def test_resume_after_a_finished_run_reads_everything():
    IngestRun.objects.create(
        source="hf", status=IngestRun.Status.DONE, cursor=str(DAYS / "2025-01-10.json")
    )

    out, _ = ingest("hf", str(DAYS), "--resume")

    assert SUMMARY.match(out.strip()).groups()[1] == "9"


@pytest.mark.django_db
def test_weekday_rerun_warns_that_nothing_is_new(monkeypatch):
    from dailypapers.ingest.models import IngestRun

    monkeypatch.setattr(IngestRun, "found_nothing_new", property(lambda run: True))

    out, err = ingest("hf", str(DAYS / "2024-05-27.json"))

    assert SUMMARY.match(out.strip())
    assert err.count("found nothing new on a weekday") == 1


@pytest.mark.django_db
def test_cli_exits_2_for_a_folder_without_day_files(monkeypatch, capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("not a day file")

    code = run_cli(monkeypatch, "hf", str(tmp_path))

    assert code == 2
    assert (
        f"no files to import (.json, .jsonl, .jsonl.xz) in: {tmp_path}" in capsys.readouterr().err
    )
    assert not IngestRun.objects.exists()


@pytest.mark.django_db
def test_resume_over_bad_items_keeps_every_good_paper(tmp_path):
    def day(name: str, content: str) -> Path:
        (tmp_path / f"{name}.json").write_text(content)
        return tmp_path / f"{name}.json"

    def item(arxiv_id: str, **fields) -> dict:
        return {"paper": {"id": arxiv_id, "title": "T", "upvotes": 1, **fields}}

    done = day("2026-01-01", json.dumps([item("2601.00001")]))
    day("2026-01-02", json.dumps([item("2601.00002"), item("2601.00003", upvotes=10**20)]))
    day("2026-01-03", "[" * 100_000)
    day("2026-01-04", json.dumps([item("2601.00004")]))
    IngestRun.objects.create(source="hf", status=IngestRun.Status.FAILED, cursor=str(done))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("ingest", "hf", str(tmp_path), "--resume", stdout=out, stderr=err)

    assert raised.value.returncode == 1  # the unreadable file
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {
        "2601.00002",
        "2601.00003",
        "2601.00004",
    }
    assert Paper.objects.get(arxiv_id="2601.00003").imported_upvotes == 0
    assert (
        err.getvalue()
        .splitlines()[0]
        .startswith(f"{tmp_path / '2026-01-02.json'}:item 1: dropped paper.upvotes: ")
    )
