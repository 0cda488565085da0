"""`dailypapers ingest snapshot FILE`: arXiv's bulk metadata snapshot, streamed and resumable."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.positions import Skip
from dailypapers.ingest.records import PaperRecord
from dailypapers.ingest.sources import snapshot
from dailypapers.papers.models import Paper
from tests.ingest.subprocess_db import SubprocessDatabase, wait_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "snapshot"
SAMPLE, BROKEN, GZIPPED = (
    FIXTURES / n for n in ("sample.jsonl", "broken.jsonl", "sample.jsonl.gz")
)
SUMMARY = re.compile(
    r"^files 1, items (\d+), created (\d+), updated (\d+), unchanged (\d+), skipped (\d+), "
    r"\d+\.\ds, \d+ records/s$"
)
UTC = dt.UTC


def records(path: Path, after: str = "") -> dict[str, PaperRecord]:
    items = snapshot.SnapshotReader(path, after=after)
    return {r.arxiv_id: r for _, r in items if isinstance(r, PaperRecord)}


def line(**changes) -> bytes:
    """The sample's first line with some fields changed (None: removed)."""
    item = json.loads(SAMPLE.read_text().splitlines()[0])
    item.update(changes)
    return json.dumps({k: v for k, v in item.items() if v is not None}).encode()


def ingest(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", "snapshot", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- the parser ----------------------------------------------------------------------------


def test_a_snapshot_line_becomes_a_full_record():
    paper = records(SAMPLE)["0704.0001"]

    assert paper.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert paper.abstract.startswith("A fully differential calculation in perturbative quantum")
    assert "\n" not in paper.abstract
    assert paper.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert paper.version == 2
    assert paper.published_at == dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert paper.updated_at == dt.datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)
    assert (paper.categories, paper.primary_category) == ("hep-ph", "hep-ph")
    assert paper.doi == "10.1103/PhysRevD.76.013009"
    assert paper.journal_ref == "Phys.Rev.D76:013009,2007"
    assert paper.arxiv_comments == "37 pages, 15 figures; published version"
    assert (paper.license, paper.source) == ("", "snapshot")


def test_licence_categories_and_the_latest_of_several_versions():
    papers = records(SAMPLE)

    assert len(papers) == 30
    assert papers["0704.0002"].license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert papers["0704.0002"].categories == "math.CO cs.CG"
    assert papers["0704.0002"].primary_category == "math.CO"
    assert papers["0704.0027"].version == 4
    assert papers["0704.0027"].published_at.date() == dt.date(2007, 4, 2)
    assert papers["0704.0027"].updated_at.date() == dt.date(2009, 9, 24)


def test_authors_fall_back_to_the_author_string_with_its_tex_accents():
    text = line(
        authors="P\\'eter E. Frenkel and G. M{\\o}ller and J. R\\\"osler", authors_parsed=None
    )

    assert snapshot.parsed(text).authors == ["Péter E. Frenkel", "G. Møller", "J. Rösler"]


def test_old_style_ids_and_records_without_versions():
    record = snapshot.parsed(line(id="hep-th/9901001", versions=None, update_date="2008-11-26"))

    assert (record.arxiv_id, record.version, record.published_at) == ("hep-th/9901001", None, None)
    assert record.updated_at == dt.datetime(2008, 11, 26, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b'{"id": "0704.0001", "title": "cut', "not JSON: "),
        (b"[1, 2]", "expected an object, got list"),
        (line(id="not-an-id"), "id: not an arXiv id: 'not-an-id'"),
        (line(title="  \n "), "no title"),
        (line(versions=[{"version": "2", "created": "x"}]), "versions: not a version: '2'"),
        (
            line(versions=[{"version": "v1", "created": "Mon, 31 Feb 2007 19:18:42 GMT"}]),
            "versions.created: ",
        ),
        (line(doi=12), "doi: expected text, got int"),
    ],
)
def test_a_bad_line_is_a_skip_that_says_why(text, reason):
    result = snapshot.parsed(text)

    assert isinstance(result, Skip)
    assert result.reason.startswith(reason)


def test_a_broken_line_in_the_middle_is_skipped_with_its_number_and_the_rest_goes_on():
    items = list(snapshot.SnapshotReader(BROKEN))

    skips = [(str(position), item.reason) for position, item in items if isinstance(item, Skip)]
    assert len(skips) == 1
    assert skips[0][0] == f"{BROKEN}:line 15"
    assert skips[0][1].startswith("not JSON: Invalid control character")
    assert len(items) == 30


def test_gzip_gives_the_same_records_and_the_uncompressed_offsets():
    plain, gzipped = list(snapshot.SnapshotReader(SAMPLE)), list(snapshot.SnapshotReader(GZIPPED))

    assert [item for _, item in gzipped] == [item for _, item in plain]
    assert [p.cursor for p, _ in gzipped] == [p.cursor for p, _ in plain]
    assert plain[-1][0].cursor == f"{SAMPLE.stat().st_size}:30"


@pytest.mark.parametrize("path", [SAMPLE, GZIPPED])
def test_reading_after_a_cursor_continues_with_the_next_line(path):
    cursor = list(snapshot.SnapshotReader(path))[9][0].cursor

    rest = list(snapshot.SnapshotReader(path, after=cursor))

    assert [p.index for p, _ in rest] == list(range(11, 31))
    assert rest[0][1].arxiv_id == "0704.0011"


def test_a_truncated_gzip_keeps_what_was_read_and_reports_the_rest(tmp_path):
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(GZIPPED.read_bytes()[:8000])

    items = list(snapshot.SnapshotReader(cut))

    assert all(isinstance(item, PaperRecord) for _, item in items[:-1])
    assert len(items) > 5
    assert items[-1][1].reason.startswith("unreadable file: ")


def test_the_background_reader_yields_what_the_reader_does():
    assert list(snapshot.read_in_background(snapshot.SnapshotReader(BROKEN), chunk=7)) == list(
        snapshot.SnapshotReader(BROKEN)
    )


# --- the command ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_imports_the_snapshot_and_a_second_import_changes_nothing():
    out, err = ingest(str(SAMPLE))

    assert SUMMARY.match(out.strip()).groups() == ("30", "30", "0", "0", "0"), out
    assert err == ""
    paper = Paper.objects.get(arxiv_id="0704.0028")
    assert [a.author.name for a in paper.authorships.order_by("position")] == ["Péter E. Frenkel"]
    assert paper.published_at == dt.datetime(2007, 4, 2, 15, 36, 29, tzinfo=UTC)
    modified = dict(Paper.objects.values_list("arxiv_id", "modified_at"))

    out, _ = ingest(str(GZIPPED))

    assert SUMMARY.match(out.strip()).groups() == ("30", "0", "0", "30", "0"), out
    assert dict(Paper.objects.values_list("arxiv_id", "modified_at")) == modified


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_on_a_terminal_the_progress_bar_runs_through_the_files_bytes():
    err = Terminal()

    call_command("ingest", "snapshot", str(GZIPPED), stdout=io.StringIO(), stderr=err)

    # tqdm: done/total of the file on disk (kB), elapsed<ETA, rate in B/s.
    assert f"/{GZIPPED.stat().st_size / 1000:.1f}k [" in err.getvalue()
    assert "B/s]" in err.getvalue()


@pytest.mark.django_db
def test_command_reports_the_broken_line_and_exits_1():
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("ingest", "snapshot", str(BROKEN), stdout=out, stderr=err)

    assert raised.value.returncode == 1
    assert err.getvalue().startswith(f"{BROKEN}:line 15: not JSON: Invalid control character")
    assert SUMMARY.match(out.getvalue().strip()).groups() == ("30", "29", "0", "0", "1")
    assert IngestRun.objects.get().status == IngestRun.Status.PARTIAL


@pytest.mark.django_db
def test_command_says_when_the_file_cannot_be_read(tmp_path):
    with pytest.raises(CommandError, match=r"cannot read .*missing\.json") as raised:
        ingest(str(tmp_path / "missing.json"))

    assert raised.value.returncode == 2


@pytest.mark.django_db
def test_resume_starts_after_the_last_committed_batch_of_the_same_file():
    cursor = list(snapshot.SnapshotReader(SAMPLE))[19][0].cursor
    IngestRun.objects.create(source="snapshot", arguments=str(SAMPLE), cursor=cursor)
    # A resumed run killed before its first batch: no cursor of its own.
    IngestRun.objects.create(source="snapshot", arguments=str(SAMPLE), cursor="")
    IngestRun.objects.create(source="snapshot", arguments="/elsewhere.json", cursor="5:1")

    out, _ = ingest(str(SAMPLE), "--resume")

    assert out.splitlines()[0] == f"resuming {SAMPLE} at byte {cursor.partition(':')[0]}"
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [
        f"0704.{n:04d}" for n in range(21, 31)
    ]


@pytest.mark.django_db
def test_resume_after_a_finished_import_reads_the_whole_file_again():
    ingest(str(SAMPLE), "--batch-size", "7")

    out, _ = ingest(str(SAMPLE), "--resume")

    assert SUMMARY.match(out.strip()).groups() == ("30", "0", "0", "30", "0"), out


# --- kill -9, then --resume ----------------------------------------------------------------

PAPER_ROWS = """
    SELECT p.arxiv_id, p.version, p.title, p.published_at, p.updated_at_source, a.name, s.position
    FROM papers_paper p
    LEFT JOIN papers_authorship s ON s.paper_id = p.id
    LEFT JOIN papers_author a ON a.id = s.author_id
    ORDER BY p.arxiv_id, s.position
"""


def bigger_snapshot(path: Path, copies: int) -> int:
    """The sample `copies` times over under new ids (2001.00000 on); returns the line count."""
    lines = [json.loads(text) for text in SAMPLE.read_text().splitlines()]
    with path.open("w") as out:
        for n in range(copies * len(lines)):
            out.write(json.dumps({**lines[n % len(lines)], "id": f"2001.{n:05d}"}) + "\n")
    return copies * len(lines)


def group_gone(pgid: int) -> bool:
    """No live process left in the group (zombies waiting for their reaper do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return False
    return True


@pytest.mark.django_db(transaction=True)
def test_kill_9_after_a_committed_batch_then_resume_gives_the_database_of_an_uninterrupted_run(
    tmp_path,
):
    db = SubprocessDatabase(tmp_path)
    big = tmp_path / "snapshot.json"
    total = bigger_snapshot(big, copies=60)
    args = ["ingest", "snapshot", str(big), "--batch-size", "100"]
    clean = db.run(*args)
    assert clean.returncode == 0, clean.stderr
    expected = db.query(PAPER_ROWS)
    db.empty()

    committed = "SELECT cursor FROM ingest_ingestrun WHERE cursor <> ''"
    # Its own process group: the reader process is in it too.
    pid = db.kill_when(args, lambda: wait_for(lambda: bool(db.query(committed))), own_group=True)
    # The reader process notices the broken pipe and ends; nothing is left running.
    wait_for(lambda: group_gone(pid), timeout=10)
    [(status, cursor)] = db.query("SELECT status, cursor FROM ingest_ingestrun")
    done = int(db.query("SELECT COUNT(*) FROM papers_paper")[0][0])
    assert status == "running" and 0 < done < total
    assert cursor.endswith(f":{done}")  # the cursor commits with its rows: no more, no fewer

    resumed = db.run(*args, "--resume")

    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith(f"resuming {big} at byte {cursor.partition(':')[0]}")
    assert f"items {total - done}, created {total - done}," in resumed.stdout
    assert db.query(PAPER_ROWS) == expected
    assert db.query("SELECT COUNT(*), COUNT(DISTINCT arxiv_id) FROM papers_paper") == [
        (str(total), str(total))
    ]
