"""`dailypapers ingest oai`: arXiv OAI-PMH through sickle against a real local HTTP server
serving trimmed recorded responses (tests/fixtures/oai/README.md says where each came from)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.db import connection
from lxml import etree
from werkzeug import Response

from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.positions import Skip
from dailypapers.ingest.records import PaperRecord
from dailypapers.ingest.sources import oai_pmh
from dailypapers.ingest.sources.oai_pmh import Harvest
from dailypapers.papers.models import Author, Paper

OAI = Path(__file__).resolve().parents[1] / "fixtures" / "oai"
BIN = Path(sys.executable).parent
RAW_TOKEN = "1403493|1001"
ARXIV_TOKEN = "6171936|1001"
UTC = dt.UTC


def page(name: str) -> bytes:
    return (OAI / f"{name}.xml").read_bytes()


def records_of(name: str) -> list[PaperRecord | Skip]:
    root = etree.fromstring(page(name))
    return [oai_pmh.parse_record(r) for r in root.iter(f"{oai_pmh.OAI}record")]


def one(name: str, arxiv_id: str) -> PaperRecord:
    return next(r for r in records_of(name) if getattr(r, "arxiv_id", "") == arxiv_id)


def oai_error(code: str, text: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2026-11-26T10:00:00Z</responseDate>"
        '<request verb="ListRecords">http://export.arxiv.org/oai2</request>'
        f'<error code="{code}">{text}</error></OAI-PMH>'
    ).encode()


def first_query(**extra: str) -> dict[str, str]:
    return {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "from": "2016-10-20", **extra}


def token_query(token: str = RAW_TOKEN) -> dict[str, str]:
    return {"verb": "ListRecords", "resumptionToken": token}


def serve_raw(httpserver, second: bytes | None = None) -> None:
    httpserver.expect_request("/oai", query_string=first_query()).respond_with_data(
        page("raw_page1"), content_type="text/xml"
    )
    httpserver.expect_request("/oai", query_string=token_query()).respond_with_data(
        page("raw_page2") if second is None else second, content_type="text/xml"
    )


def ingest(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest", "oai", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_cli(monkeypatch, *args: str) -> int:
    """Run the command as the `dailypapers` script would; return its exit code."""
    # The CLI closes connections on exit, which would end the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    try:
        ManagementUtility(["dailypapers", "ingest", "oai", *args]).execute()
    except SystemExit as exc:
        return exc.code
    return 0


def requests_made(httpserver) -> list[dict[str, str]]:
    return [dict(request.args) for request, _ in httpserver.log]


@pytest.fixture
def oai_server(httpserver, settings):
    settings.ARXIV_OAI_URL = httpserver.url_for("/oai")
    settings.ARXIV_DELAY_SECONDS = 0
    return httpserver


# --- parsing: both formats, recorded edge cases ---------------------------------------------


def test_arxiv_format_gives_structured_authors_dates_doi_and_journal_ref():
    paper = one("arxiv_page1", "1706.09418")

    assert paper.title == "R-Parity Violation at the LHC"
    assert paper.authors[:3] == ["Daniel Dercks", "Herbi Dreiner", "Manuel E. Krauss"]
    assert (paper.categories, paper.primary_category) == ("hep-ph hep-ex", "hep-ph")
    assert paper.doi == "10.1140/epjc/s10052-017-5414-4"
    assert paper.journal_ref == "Eur. Phys. J. C (2017) 77:856"
    assert paper.arxiv_comments.startswith("43 pages, 13 tables, 17 figures; updated Figs. 11-17")
    assert "Tab. 12 including NLO" in paper.arxiv_comments  # the hard line break is joined
    assert paper.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert paper.published_at == dt.datetime(2017, 6, 28, tzinfo=UTC)
    assert paper.updated_at == dt.datetime(2017, 11, 26, tzinfo=UTC)
    assert paper.version is None  # the arXiv format names no version
    assert paper.source == "oai"


def test_titles_and_abstracts_lose_arxivs_hard_line_breaks():
    paper = one("arxiv_page1", "1706.05371")

    assert paper.title == (
        "Evaluation of Silicon Photomultipliers for use as Photosensors in Liquid Xenon Detectors"
    )
    assert paper.abstract.startswith("Silicon photomultipliers (SiPMs) are potential solid-state")
    assert "\n" not in paper.abstract


def test_record_without_xmlns_keeps_the_collaboration_author_and_the_first_of_several_dois():
    paper = one("arxiv_edge_cases", "1601.03238")

    assert paper.authors == [
        "Planck Collaboration",
        "Jieci Wang",
        "Zehua Tian",
        "Jiliang Jing",
        "Heng Fan",
    ]
    assert paper.doi == "10.1103/PhysRevD.93.016005"
    assert paper.journal_ref == "Phys.Rev. D93 (2015) 016005"
    assert paper.license == "https://creativecommons.org/licenses/by/3.0/"
    assert paper.primary_category == "quant-ph"


def test_get_record_in_arxiv_format_is_read_like_a_list_page():
    paper = one("arxiv_getrecord", "1401.2122")

    assert paper.authors == ["A. Sergyeyev"]
    assert paper.primary_category == "math.AP"
    assert paper.categories == "math.AP hep-th math-ph math.DG math.MP nlin.SI"


def test_arxivraw_takes_the_latest_version_and_its_date_and_the_first_versions_date():
    paper = one("raw_page1", "0803.4354")

    assert paper.version == 6
    assert paper.published_at == dt.datetime(2008, 3, 30, 23, 26, 50, tzinfo=UTC)
    assert paper.updated_at == dt.datetime(2016, 10, 20, 16, 58, 38, tzinfo=UTC)
    assert paper.title == (
        "A O(n^8) X O(n^7) Linear Programming Model of the Traveling Salesman Problem"
    )


def test_arxivraw_free_text_authors_are_split_on_commas_and_and():
    assert one("raw_page2", "1010.0657").authors == ["K. Fritsch", "R. D'Ortenzio", "D. Venus"]
    paper = one("raw_getrecord", "0804.2273")
    assert paper.authors == [
        "Carl Lagoze",
        "Herbert Van de Sompel",
        "Michael L. Nelson",
        "Simeon Warner",
        "Robert Sanderson",
        "Pete Johnston",
    ]
    assert paper.title == "Object Re-Use & Exchange: A Resource-Centric Approach"
    assert paper.version == 1


def test_deleted_record_is_skipped_with_a_reason():
    deleted = etree.fromstring(
        '<record xmlns="http://www.openarchives.org/OAI/2.0/"><header status="deleted">'
        "<identifier>oai:arXiv.org:1706.05371</identifier><datestamp>2017-12-14</datestamp>"
        "</header></record>"
    )

    assert oai_pmh.parse_record(deleted) == Skip("oai:arXiv.org:1706.05371: deleted at the source")


def test_record_with_a_bad_id_is_skipped_naming_it():
    root = etree.fromstring(page("arxiv_getrecord").replace(b"<id>1401.2122<", b"<id>nonsense<"))
    (skip,) = [oai_pmh.parse_record(r) for r in root.iter(f"{oai_pmh.OAI}record")]

    assert skip == Skip("oai:arXiv.org:1401.2122: not an arXiv id: 'nonsense'")


# --- the high-water mark ----------------------------------------------------------------------


def test_high_water_follows_datestamps_that_arrive_in_order():
    plan = Harvest(start="2016-10-20").seen("2016-10-20").seen("2016-10-21")

    assert (plan.high_water, plan.ordered) == ("2016-10-21", True)


def test_high_water_stays_at_the_start_once_a_datestamp_goes_back():
    # The recorded arXivRaw page does this: 10-21, 10-21, 10-21, 10-20.
    plan = Harvest(start="2016-10-20").seen("2016-10-21").seen("2016-10-20").seen("2016-10-22")

    assert (plan.high_water, plan.latest, plan.ordered) == ("2016-10-20", "2016-10-22", False)


def test_a_finished_harvest_moves_the_high_water_to_until_or_the_latest_datestamp():
    plan = Harvest(start="2016-10-20").seen("2016-10-22").seen("2016-10-21")

    assert plan.finished().high_water == "2016-10-22"
    assert Harvest(start="2016-10-20", until="2016-10-25").finished().high_water == "2016-10-25"


def test_the_cursor_round_trips_and_a_foreign_cursor_is_refused():
    plan = Harvest(start="2016-10-20", set="cs", format="arXivRaw", token=RAW_TOKEN)

    assert Harvest.from_cursor(plan.to_cursor()) == plan
    with pytest.raises(ValueError, match="not an OAI harvest cursor"):
        Harvest.from_cursor("/data/2025-01-10.json")


# --- harvesting through a real HTTP server ---------------------------------------------------


def test_harvest_waits_the_polite_delay_between_pages(httpserver, settings):
    serve_raw(httpserver)
    waits: list[float] = []
    plan = Harvest(start="2016-10-20", format="arXivRaw")

    items = list(
        oai_pmh.harvest(plan, oai_pmh.client(httpserver.url_for("/oai")), sleep=waits.append)
    )

    assert len(items) == 7
    assert waits == [3.0]  # one pause: between page 1 and page 2, none before the first
    cursors = [json.loads(p.cursor) for p, _ in items if p.cursor]
    assert [c["token"] for c in cursors] == [RAW_TOKEN, ""]


@pytest.mark.django_db
def test_arxivraw_harvest_follows_the_resumption_token_and_stores_every_page(oai_server):
    serve_raw(oai_server)

    out = ingest("--from", "2016-10-20", "--format", "arXivRaw")

    assert out.startswith("pages 2, items 7, created 7, updated 0, unchanged 0, skipped 0")
    assert Paper.objects.count() == 7
    assert Paper.objects.get(arxiv_id="0808.3386").version == 8
    assert requests_made(oai_server) == [first_query(), token_query()]
    run = IngestRun.objects.get()
    assert run.status == IngestRun.Status.DONE
    assert json.loads(run.cursor)["token"] == ""
    assert json.loads(run.cursor)["high_water"] == "2016-10-21"  # finished: the latest seen


@pytest.mark.django_db
def test_arxiv_format_harvest_of_a_set_reads_both_pages(oai_server):
    query = {"verb": "ListRecords", "metadataPrefix": "arXiv", "from": "2017-12-14"}
    query["set"] = "physics:hep-ex"
    oai_server.expect_request("/oai", query_string=query).respond_with_data(page("arxiv_page1"))
    oai_server.expect_request("/oai", query_string=token_query(ARXIV_TOKEN)).respond_with_data(
        page("arxiv_page2")
    )

    ingest("--from", "2017-12-14", "--set", "physics:hep-ex")

    assert Paper.objects.count() == 6
    paper = Paper.objects.get(arxiv_id="1507.07790")
    assert paper.doi == "10.1088/1751-8121/aa9c53"
    assert list(paper.authors.order_by("authorships__position").values_list("name", flat=True)) == [
        "Luis B. Castro",
        "Edilberto O. Silva",
    ]


@pytest.mark.django_db
def test_running_the_same_harvest_again_changes_nothing(oai_server):
    serve_raw(oai_server)
    ingest("--from", "2016-10-20", "--format", "arXivRaw")
    before = snapshot(connection.cursor())

    out = ingest("--from", "2016-10-20", "--format", "arXivRaw")

    assert out.startswith("pages 2, items 7, created 0, updated 0, unchanged 7, skipped 0")
    assert snapshot(connection.cursor()) == before


@pytest.mark.django_db
def test_no_records_match_is_an_empty_harvest_not_an_error(oai_server):
    oai_server.expect_request("/oai").respond_with_data(
        oai_error(
            "noRecordsMatch",
            "The combination of the values of the from, until, set and metadataPrefix "
            "arguments results in an empty list.",
        )
    )

    out = ingest("--from", "2026-11-01", "--until", "2026-11-01")

    assert out.startswith("pages 0, items 0, created 0")
    assert IngestRun.objects.get().status == IngestRun.Status.DONE


@pytest.mark.django_db
def test_bad_argument_is_a_clear_message_and_exit_3_not_a_traceback(
    oai_server, monkeypatch, capsys
):
    oai_server.expect_request("/oai").respond_with_data(
        oai_error("badArgument", "Illegal set: nonsense")
    )

    code = run_cli(monkeypatch, "--from", "2026-11-01", "--set", "nonsense")

    err = capsys.readouterr().err
    assert code == 3
    assert "the OAI server said badArgument: Illegal set: nonsense" in err
    assert "Traceback" not in err
    assert IngestRun.objects.get().status == IngestRun.Status.FAILED


@pytest.mark.django_db
def test_a_page_that_is_not_oai_pmh_fails_instead_of_ending_the_harvest_early(
    oai_server, monkeypatch, capsys
):
    serve_raw(oai_server, second=b"<html><body>Down for maintenance</body></html>")

    code = run_cli(monkeypatch, "--from", "2016-10-20", "--format", "arXivRaw")

    assert code == 3
    assert "oai page 2 (resumptionToken=1403493|1001): not an OAI-PMH answer but <html>" in (
        capsys.readouterr().err
    )
    assert IngestRun.objects.get().status == IngestRun.Status.FAILED


@pytest.mark.django_db
def test_a_503_with_retry_after_is_waited_out_and_retried(oai_server):
    oai_server.expect_ordered_request("/oai").respond_with_data(
        "busy", status=503, headers={"Retry-After": "1"}
    )
    oai_server.expect_ordered_request("/oai").respond_with_data(page("raw_page2"))
    started = time.monotonic()

    ingest("--from", "2016-10-20", "--format", "arXivRaw")

    assert time.monotonic() - started >= 1  # sickle waited as Retry-After said
    assert Paper.objects.count() == 3
    assert len(oai_server.log) == 2


@pytest.mark.django_db
def test_truncated_page_fails_naming_it_then_resume_continues_with_its_token(
    oai_server, monkeypatch, capsys
):
    truncated = page("raw_page2")[:5000]  # cut inside the second record
    serve_raw(oai_server, second=truncated)

    code = run_cli(monkeypatch, "--from", "2016-10-20", "--format", "arXivRaw", "--batch-size", "1")

    err = capsys.readouterr().err
    assert code == 3
    assert f"oai page 2 (resumptionToken={RAW_TOKEN}): truncated or malformed XML" in err
    assert Paper.objects.count() == 4  # page 1 stands, nothing of the broken page
    oai_server.clear()
    oai_server.expect_request("/oai", query_string=token_query()).respond_with_data(
        page("raw_page2")
    )

    out = ingest("--resume")

    assert out.splitlines()[0] == f"resuming arXivRaw with token {RAW_TOKEN}"
    assert Paper.objects.count() == 7
    assert requests_made(oai_server) == [token_query()]


@pytest.mark.django_db
def test_resume_with_an_expired_token_harvests_again_from_the_high_water_mark(oai_server):
    plan = Harvest(start="2016-10-18", format="arXivRaw", token="expired", high_water="2016-10-20")
    IngestRun.objects.create(source="oai", status=IngestRun.Status.FAILED, cursor=plan.to_cursor())
    oai_server.expect_request("/oai", query_string=token_query("expired")).respond_with_data(
        oai_error("badResumptionToken", "The value of the resumptionToken argument is invalid")
    )
    serve_raw(oai_server)

    ingest("--resume")

    assert Paper.objects.count() == 7
    assert requests_made(oai_server) == [token_query("expired"), first_query(), token_query()]


@pytest.mark.django_db
def test_without_from_a_harvest_continues_from_the_last_successful_high_water_mark(oai_server):
    done = Harvest(start="2016-10-01", format="arXivRaw", high_water="2016-10-20")
    failed = Harvest(start="2016-10-01", format="arXivRaw", high_water="2016-10-30")
    IngestRun.objects.create(source="oai", status=IngestRun.Status.DONE, cursor=done.to_cursor())
    IngestRun.objects.create(
        source="oai", status=IngestRun.Status.FAILED, cursor=failed.to_cursor()
    )
    serve_raw(oai_server)

    ingest("--format", "arXivRaw")

    assert requests_made(oai_server)[0] == first_query()  # from=2016-10-20, not the failed run's


@pytest.mark.django_db
def test_without_from_and_without_an_earlier_harvest_exits_2(oai_server, monkeypatch, capsys):
    assert run_cli(monkeypatch) == 2
    assert "no --from given and no earlier successful oai run" in capsys.readouterr().err
    assert oai_server.log == []


# --- kill -9 mid-harvest, then --resume -------------------------------------------------------

SNAPSHOT_SQL = (
    "SELECT p.arxiv_id, p.version, p.title, p.abstract, p.categories, p.doi, p.license, "
    "p.published_at, p.updated_at_source, a.position, au.name "
    "FROM papers_paper p JOIN papers_authorship a ON a.paper_id = p.id "
    "JOIN papers_author au ON au.id = a.author_id ORDER BY p.arxiv_id, a.position"
)


def snapshot(cursor) -> list[tuple]:
    cursor.execute(SNAPSHOT_SQL)
    return [tuple(str(value) for value in row) for row in cursor.fetchall()]


class SharedDatabase:
    """A database both this test and a `dailypapers` subprocess can use: on PostgreSQL the
    test database itself, on SQLite a file in tmp_path (the suite's own is in memory)."""

    def __init__(self, tmp_path: Path, server_url: str) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(
            DAILYPAPERS_DATA_DIR=str(tmp_path / "data"),
            DAILYPAPERS_ARXIV_OAI_URL=server_url,
            DAILYPAPERS_ARXIV_DELAY_SECONDS="0",
        )
        self.file = None
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
        else:
            self.file = tmp_path / "data" / "dailypapers.sqlite3"
            subprocess.run([BIN / "dailypapers", "migrate", "-v0"], env=self.env, check=True)

    def query(self, run: Callable) -> object:
        if self.file is None:
            with connection.cursor() as cursor:
                return run(cursor)
        with sqlite3.connect(self.file) as db:
            return run(db.cursor())

    def ingest(self, *args: str, stdout: int = subprocess.PIPE) -> subprocess.Popen:
        command = [BIN / "dailypapers", "ingest", "oai", *args]
        return subprocess.Popen(command, env=self.env, stdout=stdout, stderr=subprocess.STDOUT)

    def cursor_of_latest_run(self) -> str:
        sql = "SELECT cursor FROM ingest_ingestrun ORDER BY id DESC LIMIT 1"
        rows = self.query(lambda c: (c.execute(sql), c.fetchall())[1])
        return rows[0][0] if rows else ""


@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_harvest_then_resume_ends_like_an_uninterrupted_run(oai_server, tmp_path):
    release = threading.Event()

    def slow_second_page(request):
        release.wait(timeout=20)  # holds the harvester mid-run until the test has killed it
        return Response(page("raw_page2"), content_type="text/xml")

    oai_server.expect_request("/oai", query_string=first_query()).respond_with_data(
        page("raw_page1"), content_type="text/xml"
    )
    oai_server.expect_request("/oai", query_string=token_query()).respond_with_handler(
        slow_second_page
    )
    release.set()
    ingest("--from", "2016-10-20", "--format", "arXivRaw")
    uninterrupted = snapshot(connection.cursor())
    assert len({row[0] for row in uninterrupted}) == 7
    if connection.vendor == "postgresql":  # the subprocess shares this database
        Paper.objects.all().delete()
        Author.objects.all().delete()
        IngestRun.objects.all().delete()
    release.clear()
    shared = SharedDatabase(tmp_path, oai_server.url_for("/oai"))

    harvester = shared.ingest(
        "--from",
        "2016-10-20",
        "--format",
        "arXivRaw",
        "--batch-size",
        "2",
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while RAW_TOKEN not in shared.cursor_of_latest_run():  # page 1 committed, page 2 in flight
        assert harvester.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    harvester.send_signal(signal.SIGKILL)
    harvester.wait(timeout=10)
    release.set()
    assert harvester.returncode == -signal.SIGKILL
    assert (
        shared.query(lambda c: (c.execute("SELECT count(*) FROM papers_paper"), c.fetchone()))[1][0]
        < 7
    )

    resumed = shared.ingest("--resume")
    out, _ = resumed.communicate(timeout=30)

    assert resumed.returncode == 0, out
    assert out.decode().startswith(f"resuming arXivRaw with token {RAW_TOKEN}")
    assert shared.query(snapshot) == uninterrupted
