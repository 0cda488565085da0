"""arXiv's export API against a local server serving recorded responses (tests/fixtures/arxiv_api).

The fake arXiv answers any `start`/`max_results` from the recorded entries of a query, the way
arXiv pages, so the real client, pager and parser run unchanged; one-off answers (a 503, a
truncated page, the 400 error feed) override it for a given `start`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from werkzeug import Request, Response

from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.positions import Skip
from dailypapers.ingest.records import PaperRecord
from dailypapers.ingest.sources import arxiv_api
from dailypapers.papers.models import Paper
from tests.ingest.subprocess_db import BIN, SubprocessDatabase, wait_for
from tests.ingest.support import Waits

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_api"
_ENTRY = re.compile(r"  <entry>\n.*?\n  </entry>\n", re.S)
SUMMARY = re.compile(
    r"^files (\d+), items (\d+), created (\d+), updated (\d+), unchanged (\d+), "
    r"skipped (\d+), \d+\.\ds"
)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


class FakeArxiv:
    """`/api/query` answering from recorded pages; `answer` overrides one (key, start)."""

    def __init__(self, httpserver) -> None:
        self.feeds: dict[str, tuple[str, list[str]]] = {}
        self.overrides: dict[tuple[str, int], list[Response]] = {}
        self.requests: list[dict[str, str]] = []
        self.hold: threading.Event | None = None
        self.held = threading.Event()
        httpserver.expect_request("/api/query").respond_with_handler(self.handle)
        self.url = httpserver.url_for("/api/query")

    def feed(self, key: str, *pages: str) -> None:
        """Serve the entries of these recorded pages, in order, for a query or an id list."""
        texts = [fixture(page) for page in pages]
        entries = [entry for text in texts for entry in _ENTRY.findall(text)]
        self.feeds[key] = (texts[0].split("  <entry>")[0], entries)

    def answer(self, key: str, start: int, *responses: Response) -> None:
        """The next requests for `key` at `start` get these answers, one each, in order."""
        self.overrides.setdefault((key, start), []).extend(responses)

    def handle(self, request: Request) -> Response:
        args = dict(request.args)
        self.requests.append(args)
        key = args.get("id_list") or args.get("search_query", "")
        start, size = int(args.get("start", 0)), int(args.get("max_results", 10))
        if self.hold is not None and start >= 20:
            self.held.set()
            self.hold.wait(30)
        if answers := self.overrides.get((key, start)):
            return answers.pop(0)
        if key not in self.feeds:
            return Response(fixture("empty.xml"), content_type="application/atom+xml")
        head, entries = self.feeds[key]
        head = re.sub(r"(<opensearch:totalResults>)\d+", rf"\g<1>{len(entries)}", head)
        head = re.sub(r"(<opensearch:startIndex>)\d+", rf"\g<1>{start}", head)
        body = head + "".join(entries[start : start + size]) + "</feed>\n"
        return Response(body, content_type="application/atom+xml")

    def starts(self) -> list[int]:
        return [int(args.get("start", 0)) for args in self.requests]


def atom(name: str, status: int = 200, **headers: str) -> Response:
    return Response(fixture(name), status=status, headers=headers, mimetype="application/atom+xml")


@pytest.fixture
def arxiv(httpserver, settings) -> FakeArxiv:
    fake = FakeArxiv(httpserver)
    settings.ARXIV_API_URL = fake.url
    settings.ARXIV_DELAY_SECONDS = 0
    fake.feed("all:testing", "query_s0_m10.xml", "query_s10_m10.xml", "query_s20_m10.xml")
    return fake


def records(items) -> list[PaperRecord]:
    return [record for _, record in items if isinstance(record, PaperRecord)]


def skips(items) -> list[str]:
    return [f"{position}: {item.reason}" for position, item in items if isinstance(item, Skip)]


def ingest(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest", "arxiv", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- the pager -------------------------------------------------------------------------------


def test_a_query_is_paged_until_total_results_with_the_next_start_as_cursor(arxiv):
    items = list(arxiv_api.read_query("all:testing", page_size=10))

    assert len(records(items)) == 30 and skips(items) == []
    assert arxiv.starts() == [0, 10, 20]
    assert [p.cursor for p, _ in items if p.cursor] == ["10", "20", "30"]
    assert {r["search_query"] for r in arxiv.requests} == {"all:testing"}
    assert len({r.arxiv_id for r in records(items)}) == 30


def test_limit_stops_the_paging_early(arxiv):
    items = list(arxiv_api.read_query("all:testing", page_size=10, limit=12))

    assert len(records(items)) == 12
    assert arxiv.starts() == [0, 10]


def test_an_empty_result_is_zero_items(arxiv):
    assert list(arxiv_api.read_query("ti:nothing-matches-this", page_size=10)) == []
    assert arxiv.starts() == [0]


def test_a_503_with_retry_after_is_waited_out_then_the_page_is_read(arxiv):
    arxiv.answer("all:testing", 10, Response("busy", 503, {"Retry-After": "7"}))
    waits = Waits()
    client = PoliteClient(sleep=waits.sleep, clock=waits.clock)

    items = list(arxiv_api.read_query("all:testing", client=client, page_size=10))

    assert len(records(items)) == 30
    assert waits.waits == [7.0]
    assert arxiv.starts() == [0, 10, 10, 20]


def test_calls_wait_the_configured_delay_between_them(arxiv):
    waits = Waits()
    client = PoliteClient(min_interval=3.0, sleep=waits.sleep, clock=waits.clock)

    list(arxiv_api.read_query("all:testing", client=client, page_size=10))

    assert waits.waits == [3.0, 3.0]


def test_a_truncated_page_is_fetched_again_then_reported_and_nothing_is_lost(arxiv):
    arxiv.answer("all:testing", 10, atom("truncated_s10_m10.xml"), atom("truncated_s10_m10.xml"))

    items = list(arxiv_api.read_query("all:testing", page_size=10))

    assert arxiv.starts() == [0, 10, 10, 13, 23]
    assert len({r.arxiv_id for r in records(items)}) == 30
    [reason] = skips(items)
    assert reason.startswith("arxiv start=10: malformed feed (SAXParseException: ")
    assert reason.endswith("; 3 entries read")
    # The entry the truncation cut (its abstract ends "Ra") comes whole from the next call.
    [cut] = [r for r in records(items) if r.arxiv_id == "2406.19956"]
    assert len(cut.abstract) > 100 and cut.authors


def test_a_category_run_pages_newest_first_and_stops_at_the_first_older_entry(arxiv):
    query = arxiv_api.category_query(["cs.LG", "cs.CL"])
    arxiv.feed(query, "category_s0_m10.xml", "category_s10_m10.xml", "category_s20_m10.xml")
    since = dt.datetime(2023, 1, 20, tzinfo=dt.UTC)

    items = list(arxiv_api.read_query(query, page_size=10, since=since))

    assert query == "cat:cs.LG OR cat:cs.CL"
    assert len(records(items)) == 11
    assert min(r.published_at for r in records(items)) >= since
    assert arxiv.starts() == [0, 10]
    assert arxiv.requests[0]["sortBy"] == "submittedDate"
    assert arxiv.requests[0]["sortOrder"] == "descending"


# --- entries -------------------------------------------------------------------------------


def test_an_entry_becomes_a_record_with_every_field_arxiv_gives(arxiv):
    arxiv.answer("astro-ph/0601001", 0, atom("id_astro-ph_0601001.xml"))

    [paper] = arxiv_api.fetch_by_ids(["astro-ph/0601001"])

    assert (paper.arxiv_id, paper.version) == ("astro-ph/0601001", 1)
    assert paper.title.startswith("Frequency of Hot Jupiters and Very Hot Jupiters")
    assert paper.abstract.startswith("We derive the frequencies of hot Jupiters")
    assert paper.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert (paper.categories, paper.primary_category) == ("astro-ph", "astro-ph")
    assert paper.published_at == dt.datetime(2006, 1, 2, 14, 57, 58, tzinfo=dt.UTC)
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.arxiv_comments.startswith("62 pages including 16 figures")
    assert paper.source == "arxiv"


def test_doi_categories_and_accented_authors_come_from_a_query_page(arxiv):
    by_id = {r.arxiv_id: r for r in records(arxiv_api.read_query("all:testing", page_size=10))}

    first = by_id["2202.12139"]
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert (first.primary_category, first.categories) == ("cs.SE", "cs.SE cs.LG")
    assert by_id["2405.13786"].authors[0] == "Aurora Ramírez"
    assert by_id["2409.05654"].version == 9


def test_fetch_by_ids_takes_old_style_and_versioned_ids(arxiv):
    arxiv.answer("quant-ph/0201082v1", 0, atom("id_quant-ph_0201082v1.xml"))

    [paper] = arxiv_api.fetch_by_ids(["arXiv:quant-ph/0201082v1"])

    assert (paper.arxiv_id, paper.version) == ("quant-ph/0201082", 1)
    assert (paper.primary_category, paper.categories) == ("quant-ph", "quant-ph cs.PL")
    assert arxiv.requests[0]["id_list"] == "quant-ph/0201082v1"


def test_ids_arxiv_does_not_know_are_simply_absent(arxiv):
    arxiv.answer("0808.05394,1707.08567", 0, atom("id_0808.05394_1707.08567.xml"))

    papers = arxiv_api.fetch_by_ids(["0808.05394", "1707.08567"])

    assert [p.arxiv_id for p in papers] == ["1707.08567"]


def test_fetch_by_ids_refuses_a_string_that_is_no_arxiv_id_before_fetching(arxiv):
    with pytest.raises(ValueError, match="not an arXiv id: 'abc'"):
        arxiv_api.fetch_by_ids(["2401.01234", "abc"])

    assert arxiv.requests == []


def test_arxivs_400_error_feed_raises_its_explanation(arxiv):
    arxiv.answer("abc", 0, atom("error_400.xml", status=400))

    with pytest.raises(arxiv_api.ArxivQueryError) as raised:
        list(arxiv_api.read_query("abc"))

    assert str(raised.value) == (
        "arXiv refused the request (arxiv start=0): incorrect id format for abc"
    )


# --- the command -------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_imports_a_query_and_a_rerun_changes_nothing(arxiv):
    first = ingest("--query", "all:testing", "--page-size", "10")
    second = ingest("--query", "all:testing", "--page-size", "10")

    assert SUMMARY.match(first).groups() == ("3", "30", "30", "0", "0", "0")
    assert SUMMARY.match(second).groups() == ("3", "30", "0", "0", "30", "0")
    assert Paper.objects.count() == 30
    run = IngestRun.objects.latest("pk")
    assert (run.source, run.status, run.cursor) == ("arxiv", "done", "30")
    assert run.arguments == "--query all:testing --page-size 10"


@pytest.mark.django_db
def test_command_bad_query_exits_2_with_arxivs_message(arxiv):
    arxiv.answer("abc", 0, atom("error_400.xml", status=400))

    with pytest.raises(CommandError) as raised:
        ingest("--query", "abc")

    assert raised.value.returncode == 2
    assert "incorrect id format for abc" in str(raised.value)
    assert IngestRun.objects.get().status == IngestRun.Status.FAILED


@pytest.mark.django_db
def test_command_exits_2_for_an_id_that_is_no_arxiv_id_without_a_run(arxiv):
    with pytest.raises(CommandError) as raised:
        ingest("--ids", "2104.12255", "abc")

    assert raised.value.returncode == 2
    assert str(raised.value) == "not an arXiv id: 'abc'"
    assert not IngestRun.objects.exists() and arxiv.requests == []


@pytest.mark.django_db
def test_command_exits_3_when_arxiv_stays_unavailable(arxiv):
    down = [Response("down", 503, {"Retry-After": "0"}) for _ in range(6)]
    arxiv.answer("all:testing", 0, *down)

    with pytest.raises(CommandError) as raised:
        ingest("--query", "all:testing")

    assert raised.value.returncode == 3
    assert "failed after 6 attempts: HTTP 503" in str(raised.value)


@pytest.mark.django_db
def test_command_empty_result_imports_nothing_and_exits_0(arxiv):
    out = ingest("--ids", "0000.0000")

    assert SUMMARY.match(out).groups() == ("1", "0", "0", "0", "0", "0")


@pytest.mark.django_db
def test_command_truncated_page_ends_partial_with_exit_1(arxiv):
    arxiv.answer("all:testing", 10, atom("truncated_s10_m10.xml"), atom("truncated_s10_m10.xml"))

    with pytest.raises(CommandError) as raised:
        ingest("--query", "all:testing", "--page-size", "10")

    assert (raised.value.returncode, str(raised.value)) == (1, "1 item skipped")
    assert Paper.objects.count() == 30
    run = IngestRun.objects.get()
    assert run.status == IngestRun.Status.PARTIAL
    assert run.error.startswith("arxiv start=10: malformed feed")


@pytest.mark.django_db
def test_command_category_run_asks_for_the_categories_newest_first(arxiv):
    query = "cat:cs.LG OR cat:cs.CL"
    arxiv.feed(query, "category_s0_m10.xml", "category_s10_m10.xml", "category_s20_m10.xml")

    out = ingest("--category", "cs.LG", "cs.CL", "--days", "100000", "--page-size", "10")

    assert SUMMARY.match(out).groups()[:3] == ("3", "30", "30")
    assert (
        IngestRun.objects.get().arguments == "--category cs.LG cs.CL --days 100000 --page-size 10"
    )


@pytest.mark.django_db
def test_command_category_defaults_to_the_configured_categories(arxiv, settings):
    settings.ARXIV_CATEGORIES = ["hep-th"]

    ingest("--category")

    assert arxiv.requests[0]["search_query"] == "cat:hep-th"


@pytest.mark.django_db
def test_resume_starts_at_the_cursor_of_the_unfinished_run_with_the_same_arguments(arxiv):
    arguments = "--query all:testing --page-size 10"
    IngestRun.objects.create(source="arxiv", arguments=arguments, cursor="20", status="failed")
    IngestRun.objects.create(source="arxiv", arguments="--query other", cursor="90")

    out = ingest("--query", "all:testing", "--page-size", "10", "--resume")

    assert out.splitlines()[0] == "resuming at 20"
    assert arxiv.starts() == [20]
    assert Paper.objects.count() == 10


@pytest.mark.django_db
def test_resume_without_a_matching_unfinished_run_reads_everything(arxiv):
    IngestRun.objects.create(source="arxiv", arguments="--query other", cursor="20")

    ingest("--query", "all:testing", "--page-size", "10", "--resume")

    assert arxiv.starts() == [0, 10, 20]


@pytest.mark.django_db
def test_a_newer_version_updates_the_paper_and_an_older_one_never_overwrites_it(arxiv):
    arxiv.answer("2104.12255", 0, atom("id_2104.12255v1.xml"), atom("id_2104.12255v2.xml"))
    arxiv.answer("2104.12255", 0, atom("id_2104.12255v1.xml"))

    ingest("--ids", "2104.12255")
    assert Paper.objects.get().title == "0"
    ingest("--ids", "2104.12255")
    out = ingest("--ids", "2104.12255")

    paper = Paper.objects.get()
    assert (paper.version, paper.title) == (2, "0: The Funniest Number in Cryptography")
    assert SUMMARY.match(out).groups()[2:5] == ("0", "0", "1")


# --- kill -9 and resume --------------------------------------------------------------------

PAPER_ROWS = """
    SELECT p.arxiv_id, p.version, p.title, p.abstract, p.categories, p.primary_category,
           p.doi, p.journal_ref, a.name, s.position
    FROM papers_paper p
    LEFT JOIN papers_authorship s ON s.paper_id = p.id
    LEFT JOIN papers_author a ON a.id = s.author_id
    ORDER BY p.arxiv_id, s.position
"""


def resume(db: SubprocessDatabase, args: list[str]) -> str:
    """Run the command again with `--resume`; its stdout (it must succeed)."""
    done = subprocess.run(
        [BIN / "dailypapers", *args, "--resume"], env=db.env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_query_then_resume_gives_the_database_of_an_uninterrupted_run(arxiv, tmp_path):
    db = SubprocessDatabase(tmp_path)
    env = {"DAILYPAPERS_ARXIV_API_URL": arxiv.url, "DAILYPAPERS_ARXIV_DELAY_SECONDS": "0"}
    db.env.update(env)
    args = ["ingest", "arxiv", "--query", "all:testing", "--page-size", "10", "--batch-size", "7"]
    clean = subprocess.run([BIN / "dailypapers", *args], env=db.env, capture_output=True)
    assert clean.returncode == 0, clean.stderr.decode()
    expected = db.query(PAPER_ROWS)
    db.empty()
    arxiv.requests.clear()
    hold = arxiv.hold = threading.Event()
    try:
        db.kill_when(args, lambda: wait_for(arxiv.held.is_set))
    finally:
        arxiv.hold = None
        hold.set()
    # Killed while it waited for the last page: 14 papers committed (batches of 7) with the
    # first page's cursor; the rest of the second page was lost with the process.
    assert db.query("SELECT status, cursor FROM ingest_ingestrun") == [("running", "10")]
    assert len({row[0] for row in db.query(PAPER_ROWS)}) == 14

    out = resume(db, args)

    assert out.startswith("resuming at 10")
    assert db.query(PAPER_ROWS) == expected
    assert db.query("SELECT COUNT(*), COUNT(DISTINCT arxiv_id) FROM papers_paper") == [("30", "30")]
    assert arxiv.starts()[-2:] == [10, 20]


@pytest.mark.django_db
def test_command_refuses_a_page_size_past_arxivs_cap(arxiv):
    with pytest.raises(CommandError, match="at most 2000 per call") as raised:
        ingest("--query", "all:testing", "--page-size", "2001")

    assert raised.value.returncode == 2 and arxiv.requests == []


def test_an_empty_page_before_the_total_is_asked_again_then_reported(arxiv):
    empty = fixture("query_s10_m10.xml").split("  <entry>")[0] + "</feed>\n"
    arxiv.answer("all:testing", 10, Response(empty), Response(empty))

    items = list(arxiv_api.read_query("all:testing", page_size=10))

    assert arxiv.starts() == [0, 10, 10]
    assert len(records(items)) == 10
    assert skips(items) == [
        "arxiv start=10: arXiv returned no readable entries at start=10 of 30; paging stopped"
    ]
