"""A day of arXiv through the export API path: `dailypapers ingest arxiv --category … --days 1`.

Synthesizes N new papers (default 1,000, about one announcement day of all arXiv) as Atom
pages of 100 entries shaped like the recorded ones in tests/fixtures/arxiv_api (their titles,
abstracts, author lists, categories, comments, journal refs and DOIs, cycled under fresh ids
submitted within the last day, newest first), serves them from a local HTTP server that pages
like arXiv (`start`, `max_results`, `opensearch:totalResults`), and runs the real command with
DAILYPAPERS_ARXIV_DELAY_SECONDS=0 against a fresh database. Prints the command's wall time
(process start included) and papers/s, then a second run over the same day (all unchanged).
Asserts nothing. Goal: under a minute for 1,000 papers, polite waits excluded.

    .venv/bin/python bench/arxiv_day.py                       # SQLite
    .venv/bin/python bench/arxiv_day.py --papers 2000
    .venv/bin/python bench/arxiv_day.py --database-url postgres://postgres@127.0.0.1:5432/dp_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from benchkit import ROOT
from benchkit.db import reset_storage
from benchkit.env import BENCH_ROOT, manage

FIXTURES = ROOT / "tests" / "fixtures" / "arxiv_api"
ENTRY = re.compile(r"  <entry>\n.*?\n  </entry>\n", re.S)
SUMMARY = re.compile(r"items (\d+), created (\d+), updated (\d+), unchanged (\d+)")
HEAD = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" \
xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/bench</id>
  <title>arXiv Query: bench</title>
  <updated>{now}</updated>
  <opensearch:itemsPerPage>{size}</opensearch:itemsPerPage>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL URL (database name must contain 'bench': it is dropped)",
    )
    return parser.parse_args()


def templates() -> list[str]:
    """The recorded entries: real lengths, author counts, optional fields."""
    names = sorted(FIXTURES.glob("query_s*_m10.xml"))
    return [entry for path in names for entry in ENTRY.findall(path.read_text("utf-8"))]


def synthesize(count: int) -> list[str]:
    """`count` entries, newest first, submitted within the last 20 hours, fresh ids."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    shapes = templates()
    entries = []
    for n in range(count):
        entry = shapes[n % len(shapes)]
        arxiv_id = f"2699.{n + 1:05d}v1"
        stamp = (now - dt.timedelta(seconds=60 * n * 1200 // count)).strftime("%Y-%m-%dT%H:%M:%SZ")
        # The entry id and its abs/pdf links: every arXiv id of the entry becomes the new one.
        entry = re.sub(r"(abs|pdf)/[0-9.]+v\d+", rf"\g<1>/{arxiv_id}", entry)
        entry = re.sub(r"<(published|updated)>[^<]+<", rf"<\g<1>>{stamp}<", entry)
        entries.append(entry)
    return entries


def serve(entries: list[str]) -> ThreadingHTTPServer:
    """A local arXiv answering any start/max_results from `entries`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the http.server interface names it
            args = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            start, size = int(args.get("start", 0)), int(args.get("max_results", 10))
            now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            head = HEAD.format(now=now, size=size, total=len(entries), start=start)
            body = (head + "".join(entries[start : start + size]) + "</feed>\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def timed_ingest(args: argparse.Namespace, env: dict[str, str]) -> tuple[float, str]:
    command = manage(
        "ingest", "arxiv", "--category", "cs.LG", "cs.CL", "--days", "1",
        "--page-size", str(args.page_size),
    )  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout.strip()


def main() -> None:
    args = parse_args()
    data_dir = BENCH_ROOT / ("arxiv-day-pg" if args.database_url else "arxiv-day-sqlite")
    reset_storage(args, data_dir)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DAILYPAPERS_DATA_DIR=str(data_dir), DAILYPAPERS_DEBUG="false")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    subprocess.run(manage("migrate", "--no-input", "-v", "0"), env=env, cwd=ROOT, check=True)
    server = serve(synthesize(args.papers))
    env["DAILYPAPERS_ARXIV_API_URL"] = f"http://127.0.0.1:{server.server_port}/api/query"
    env["DAILYPAPERS_ARXIV_DELAY_SECONDS"] = "0"
    engine = "PostgreSQL" if args.database_url else "SQLite"
    for label in ("first run (all new)", "second run (all unchanged)"):
        seconds, summary = timed_ingest(args, env)
        items = int(SUMMARY.search(summary).group(1))
        print(
            f"{engine}, {label}: {items} papers in {seconds:.1f} s, {items / seconds:,.0f} papers/s"
        )
        print(f"  {summary}")
    server.shutdown()


if __name__ == "__main__":
    main()
