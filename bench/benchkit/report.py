"""What gets printed: the README table, the engine label and the per-page query profile."""

from __future__ import annotations

import argparse
import sqlite3
import time

from .load import PageResult
from .machine import machine_label
from .targets import Target


def markdown_table(
    args: argparse.Namespace, results: list[PageResult], engine: str, loadgen: str
) -> str:
    tool = f"wrk, {args.threads} thread" if loadgen == "wrk" else "Python load generator"
    lines = [
        f"{args.papers:,} papers · {engine} · {args.workers} granian worker"
        f"{'s' if args.workers != 1 else ''} · {args.connections} connections ({tool}) · "
        f"{machine_label()} · {args.duration} s per page",
        "",
        "| Page | p50 (ms) | p95 (ms) | req/s | p50 at 1 connection (ms) | votes/s meanwhile "
        "| a vote shows after (max) |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        votes = r.votes
        rate = f"{votes.rate:.0f} ({votes.ok} ok)" if votes and votes.sent else "–"
        shown = f"{max(votes.visible_ms):.0f} ms" if votes and votes.visible_ms else "–"
        if votes and votes.never_visible:
            shown += f", {votes.never_visible} never"
        lines.append(
            f"| {r.target.name} (`{r.target.path}`) | {r.loaded.p50:.1f} | "
            f"{r.loaded.p95:.1f} | {r.loaded.rps:.0f} | {r.single.p50:.1f} | {rate} | {shown} |"
        )
    return "\n".join(lines)


def engine_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


# ------------------------------------------------------------------------ query profile


def explain_pages(targets: list[Target]) -> None:
    """Render each page in-process and show its queries and the slowest one's plan."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")  # an ALLOWED_HOSTS name
    for target in targets:
        client.get(target.path)  # warm: template compilation, connection setup
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            status = client.get(target.path).status_code
        total_ms = (time.perf_counter() - started) * 1000
        queries = captured.captured_queries
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        print(
            f"\n[explain] {target.name} {target.path}: HTTP {status}, {total_ms:.1f} ms, "
            f"{len(queries)} queries, {sql_ms:.1f} ms in SQL"
        )
        for query in queries:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
        slowest = max(queries, key=lambda q: float(q["time"]))
        print(f"  plan of the slowest ({float(slowest['time']) * 1000:.1f} ms):")
        for line in query_plan(slowest["sql"]):
            print(f"    {line}")


def query_plan(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [f"{row[0]:>3} {row[1]:>3}  {row[3]}" for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]
