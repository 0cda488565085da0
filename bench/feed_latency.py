"""Feed latency benchmark: synthetic papers, the production server, loopback load.

Fills a throwaway database with N synthetic papers (SQLite under var/bench, or PostgreSQL
with --database-url) and a few members, serves it with `dailypapers serve` (granian +
whitenoise), loads a day feed (as a visitor and as a logged-in member), the home page and a
paper page with wrk over 127.0.0.1 while members cast votes, and prints median/p95/p99
latency, requests/s, the votes and how soon one shows on a visitor's page, then a Markdown
table for the README. It measures; it asserts nothing.

    .venv/bin/python bench/feed_latency.py                      # SQLite, 100,000 papers
    .venv/bin/python bench/feed_latency.py --database-url postgres://postgres@127.0.0.1:5432/dp_bench
    .venv/bin/python bench/feed_latency.py --keep --workers 1   # reuse the filled database
"""

from __future__ import annotations

import argparse
import signal
import sys

from benchkit.db import prepare_database
from benchkit.env import configure_env, data_dir_for
from benchkit.load import benchmark, pick_loadgen
from benchkit.machine import wait_for_quiet
from benchkit.members import prepare_members
from benchkit.report import engine_label, explain_pages, markdown_table
from benchkit.server import serving
from benchkit.targets import PAGES, day_path, pick_targets


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=1_000, help="feed days the papers span")
    parser.add_argument("--authors", type=int, default=30_000, help="size of the author pool")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="wrk threads (default 1: leave the cores to the server)",
    )
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL URL (database name must contain 'bench': it is dropped)",
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help="the shared cache in Redis (as REDIS_URL), not the database's cache table",
    )
    parser.add_argument(
        "--data-root",
        default="",
        help="where the fills live (default var/bench; one subfolder per database)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database if it already holds this fill"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print each page's queries and the plan of the slowest one",
    )
    parser.add_argument(
        "--pages",
        type=lambda text: text.split(","),
        default=["day", "day-member", "home", "paper", "paper-member"],
        help=f"comma-separated, from {','.join(PAGES)} (default: day,day-member,home,paper,"
        "paper-member)",
    )
    parser.add_argument(
        "--votes-per-second",
        type=float,
        default=20,
        help="upvotes toggled by 40 members during each loaded run (0: none)",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        help="wait up to this many seconds for other CPU load to stop before measuring",
    )
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.pages) - set(PAGES))
    if unknown:  # checked now, not after a minute of filling
        parser.error(f"--pages: unknown {unknown}; choose from {','.join(PAGES)}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # SIGTERM becomes SystemExit, so the finally blocks still stop the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    data_dir = data_dir_for(args)
    configure_env(args, data_dir)
    prepare_database(args, data_dir)
    from django.db import connections

    day = day_path()
    crowd = prepare_members(day)
    targets = pick_targets(args.pages, crowd.reader_cookie)
    engine = engine_label() + (", Redis cache" if args.redis_url else "")
    if args.explain:
        explain_pages(targets)
    connections.close_all()  # the server gets the database to itself
    loadgen = pick_loadgen(args.loadgen)
    wait_for_quiet(args.wait_idle)
    print(
        f"\nserving with {args.workers} worker(s); load: {loadgen}, "
        f"{args.connections} connections, {args.duration} s per page, "
        f"{args.votes_per_second:g} votes/s meanwhile"
    )
    with serving(args.workers, data_dir / "serve.log") as base:
        results = benchmark(args, targets, loadgen, base, crowd, day)
    print("\n" + markdown_table(args, results, engine, loadgen))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the server was already stopped by serving()'s finally
        sys.exit("\ninterrupted")
