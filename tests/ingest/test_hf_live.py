"""`dailypapers ingest hf --date/--since`: Hugging Face's live API against a local server
serving recorded day responses (tests/fixtures/hf_live); days without a file answer `[]`."""

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
from dailypapers.ingest.sources import hf_daily, hf_live
from dailypapers.papers.models import Paper, Submission
from tests.ingest.subprocess_db import BIN, SubprocessDatabase, wait_for
from tests.ingest.support import Waits
from tests.ingest.test_arxiv_api import PAPER_ROWS, SUMMARY, records, resume, skips

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hf_live"
FRIDAY, MONDAY, TUESDAY = dt.date(2026, 6, 26), dt.date(2026, 6, 29), dt.date(2026, 6, 30)


class FakeHub:
    """`/api/daily_papers?date=` answering from the day files; `answer` overrides one day."""

    def __init__(self, httpserver) -> None:
        self.dates: list[str] = []
        self.overrides: dict[str, list[Response]] = {}
        self.hold: threading.Event | None = None
        self.held = threading.Event()
        httpserver.expect_request("/api/daily_papers").respond_with_handler(self.handle)
        self.endpoint = httpserver.url_for("/").rstrip("/")

    def answer(self, date: str, *responses: Response) -> None:
        self.overrides.setdefault(date, []).extend(responses)

    def handle(self, request: Request) -> Response:
        date = request.args.get("date", "")
        self.dates.append(date)
        if self.hold is not None and date == TUESDAY.isoformat():
            self.held.set()
            self.hold.wait(30)
        if answers := self.overrides.get(date):
            return answers.pop(0)
        day = FIXTURES / f"{date}.json"
        body = day.read_bytes() if day.exists() else b"[]"
        return Response(body, content_type="application/json")


@pytest.fixture
def hub(httpserver, settings) -> FakeHub:
    fake = FakeHub(httpserver)
    settings.HF_ENDPOINT = fake.endpoint
    return fake


def fast() -> PoliteClient:
    return PoliteClient(min_interval=0)


def ingest(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest", "hf", *args, "--delay", "0", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_live_day_gives_the_records_of_the_same_day_saved(hub):
    live = list(hf_live.read_days([MONDAY], client=fast()))
    saved = list(hf_daily.read_file(FIXTURES / "2026-06-29.json"))

    assert records(live) == records(saved) and len(records(live)) == 3
    assert {r.as_of for r in records(live)} == {dt.datetime(2026, 6, 29, tzinfo=dt.UTC)}
    assert hub.dates == ["2026-06-29"]
    assert [p.cursor for p, _ in live] == ["", "", "2026-06-29"]
    assert str(live[0][0]) == f"{hub.endpoint}/api/daily_papers?date=2026-06-29:item 0"


def test_days_between_includes_both_ends():
    assert hf_live.days_between(FRIDAY, MONDAY) == [
        FRIDAY,
        dt.date(2026, 6, 27),
        dt.date(2026, 6, 28),
        MONDAY,
    ]


def test_a_503_with_retry_after_is_waited_out_then_the_day_is_read(hub):
    hub.answer("2026-06-29", Response("busy", 503, {"Retry-After": "5"}))
    waits = Waits()
    client = PoliteClient(sleep=waits.sleep, clock=waits.clock)

    items = list(hf_live.read_days([MONDAY], client=client))

    assert len(records(items)) == 3
    assert waits.waits == [5.0]
    assert hub.dates == ["2026-06-29", "2026-06-29"]


def test_days_are_spaced_by_the_polite_interval(hub):
    waits = Waits()
    client = PoliteClient(min_interval=1.0, sleep=waits.sleep, clock=waits.clock)

    list(hf_live.read_days([FRIDAY, MONDAY, TUESDAY], client=client))

    assert waits.waits == [1.0, 1.0]


def test_a_response_that_is_not_json_is_one_skip_at_its_day(hub):
    hub.answer("2026-06-29", Response("<html>oops</html>", content_type="text/html"))

    items = list(hf_live.read_days([MONDAY, TUESDAY], client=fast()))

    [reason] = skips(items)
    assert reason.startswith(f"{hub.endpoint}/api/daily_papers?date=2026-06-29: unreadable")
    assert len(records(items)) == 3


@pytest.mark.django_db
def test_command_date_imports_one_day_and_a_rerun_changes_nothing(hub):
    first = ingest("--date", "2026-06-29")
    second = ingest("--date", "2026-06-29")

    assert SUMMARY.match(first).groups() == ("1", "3", "3", "0", "0", "0")
    assert SUMMARY.match(second).groups() == ("1", "3", "0", "0", "3", "0")
    assert set(Submission.objects.values_list("feed_date", flat=True)) == {MONDAY}
    run = IngestRun.objects.latest("pk")
    assert (run.source, run.arguments, run.cursor) == ("hf", "--date 2026-06-29", "2026-06-29")


@pytest.mark.django_db
def test_command_since_until_fetches_every_day_once_in_order(hub):
    out = ingest("--since", "2026-06-26", "--until", "2026-06-30")

    assert hub.dates == ["2026-06-26", "2026-06-27", "2026-06-28", "2026-06-29", "2026-06-30"]
    assert SUMMARY.match(out).groups() == ("5", "9", "9", "0", "0", "0")
    assert Paper.objects.count() == 9


@pytest.mark.django_db
def test_command_since_runs_until_today_by_default(hub):
    today = dt.datetime.now(dt.UTC).date()

    ingest("--since", (today - dt.timedelta(days=2)).isoformat())

    assert hub.dates[-1] == today.isoformat() and len(hub.dates) == 3


@pytest.mark.django_db
def test_resume_starts_after_the_last_day_of_the_unfinished_run(hub):
    arguments = "--since 2026-06-26 --until 2026-06-30"
    IngestRun.objects.create(source="hf", arguments=arguments, cursor="2026-06-28", status="failed")

    out = ingest("--since", "2026-06-26", "--until", "2026-06-30", "--resume")

    assert out.splitlines()[0] == "resuming after 2026-06-28"
    assert hub.dates == ["2026-06-29", "2026-06-30"]


@pytest.mark.django_db
def test_command_exits_3_when_the_hub_answers_an_error(hub):
    hub.answer("2026-06-29", Response("not found", 404))

    with pytest.raises(CommandError) as raised:
        ingest("--date", "2026-06-29")

    assert raised.value.returncode == 3
    assert str(raised.value).endswith("/api/daily_papers?date=2026-06-29: HTTP 404")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x.json", "--date", "2026-06-29"], "give PATH… or --date/--since, not both"),
        (["--date", "2026-06-29", "--since", "2026-06-01"], "give --date or --since"),
        (["--until", "2026-06-29"], "--until needs --since"),
        (["x.json", "--delay", "0"], "no such file or folder: x.json"),
        (["--since", "2026-06-30", "--until", "2026-06-29"], "is before --since"),
        ([], "give PATH… (saved files) or --date/--since (live)"),
    ],
)
def test_command_refuses_mixed_or_incomplete_day_options_with_exit_2(hub, args, message):
    with pytest.raises(CommandError, match=re.escape(message)) as raised:
        ingest(*args)

    assert raised.value.returncode == 2
    assert hub.dates == []


@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_since_then_resume_gives_the_database_of_an_uninterrupted_run(hub, tmp_path):
    db = SubprocessDatabase(tmp_path)
    db.env["HF_ENDPOINT"] = hub.endpoint
    args = ["ingest", "hf", "--since", "2026-06-26", "--until", "2026-06-30", "--batch-size", "4"]
    args += ["--delay", "0"]
    clean = subprocess.run([BIN / "dailypapers", *args], env=db.env, capture_output=True)
    assert clean.returncode == 0, clean.stderr.decode()
    expected = db.query(PAPER_ROWS)
    db.empty()
    hold = hub.hold = threading.Event()
    try:
        db.kill_when(args, lambda: wait_for(hub.held.is_set))
    finally:
        hub.hold = None
        hold.set()
    # Killed while it waited for Tuesday: Friday and Monday read, one batch of 4 committed
    assert db.query("SELECT status, cursor FROM ingest_ingestrun") == [("running", "2026-06-26")]
    assert len({row[0] for row in db.query(PAPER_ROWS)}) == 4

    out = resume(db, args)

    assert out.startswith("resuming after 2026-06-26")
    assert db.query(PAPER_ROWS) == expected
    assert db.query("SELECT COUNT(*), COUNT(DISTINCT arxiv_id) FROM papers_paper") == [("9", "9")]
