"""Loading one page: wrk (with report.lua) or a threaded Python client, and the results."""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import BENCH_DIR
from .machine import BUSY_LIMIT, cpu_busy
from .members import Crowd
from .targets import Target
from .voting import VoteReport, VoteTraffic

LUA_SCRIPT = BENCH_DIR / "report.lua"


@dataclass(frozen=True)
class Result:
    p50: float
    p95: float
    p99: float
    rps: float
    requests: int
    non2xx: int
    errors: int


def run_wrk(url: str, duration: float, connections: int, threads: int, cookie: str = "") -> Result:
    command = [
        "wrk",
        *(["-H", f"Cookie: {cookie}"] if cookie else []),
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH (.*)$", output, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk printed no BENCH line:\n{output}")
    fields = dict(item.split("=") for item in match.group(1).split())
    return Result(
        float(fields["p50_ms"]),
        float(fields["p95_ms"]),
        float(fields["p99_ms"]),
        float(fields["rps"]),
        int(fields["requests"]),
        int(fields["non2xx"]),
        int(fields["errors"]),
    )


def run_python(
    url: str, duration: float, connections: int, threads: int = 0, cookie: str = ""
) -> Result:
    """Fallback closed-loop generator: one keep-alive connection per thread.

    `threads` is ignored (same signature as run_wrk): each connection gets its own thread.
    The GIL caps it near a few thousand req/s, well above what a Django page serves here.
    """
    parts = urlsplit(url)
    latencies: list[float] = []
    counts = {"non2xx": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, bad, errors = [], 0, 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", parts.path or "/", headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                continue
            mine.append((time.perf_counter() - started) * 1000)
            bad += not 200 <= response.status < 300
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["non2xx"] += bad
            counts["errors"] += errors

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return Result(
        pct(0.50),
        pct(0.95),
        pct(0.99),
        len(latencies) / elapsed,
        len(latencies),
        counts["non2xx"],
        counts["errors"],
    )


def pick_loadgen(choice: str) -> str:
    if choice == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if choice == "wrk" and not shutil.which("wrk"):
        raise SystemExit("--loadgen wrk: wrk is not on PATH")
    return choice


def check_page(url: str, cookie: str = "") -> str:
    """One plain GET before loading it: a 404 or 500 measured fast is no result, nor a
    member page that shows no member."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url} answered {error.code}; not benchmarking it") from None
    cards = body.count(b'<article class="card"')
    pressed = body.count(b'aria-pressed="true"')
    if cookie and not pressed:
        raise SystemExit(f"{url} with the member's cookie shows no upvoted paper: not logged in?")
    return (
        f"{len(body) / 1024:.0f} KiB"
        + (f", {cards} cards" if cards else "")
        + (f", {pressed} upvoted by this member" if cookie else "")
    )


@dataclass(frozen=True)
class PageResult:
    target: Target
    loaded: Result
    single: Result
    votes: VoteReport | None = None


def benchmark(
    args: argparse.Namespace,
    targets: list[Target],
    loadgen: str,
    base: str,
    crowd: Crowd | None = None,
    day_path: str = "",
) -> list[PageResult]:
    """Each page: warm, 1 connection, then --connections with votes cast meanwhile."""
    run = run_wrk if loadgen == "wrk" else run_python
    results = []
    for target in targets:
        url = base + target.path

        def load(duration: float, connections: int, threads: int, target=target) -> Result:
            return run(base + target.path, duration, connections, threads, target.cookie)

        print(f"\n{target.name}: {target.path} ({check_page(url, target.cookie)})")
        # Every worker process compiles templates and opens its DB connection on first use.
        load(3, args.connections, args.threads)
        # wrk stops with up to --connections requests still queued in the server; without
        # this pause the 1-connection run below would wait behind them (a fake p95).
        time.sleep(2)
        # One connection: the page's own service time, with no queueing behind other requests.
        single = load(min(5, args.duration), 1, 1)
        votes = None
        if crowd is not None:
            # The probe reads the day page: only under that page's load does it say how
            # stale a busy page can be (an idle page is rebuilt on each probe, so shows at once).
            probe = target.path == day_path
            with VoteTraffic(base, day_path, crowd, args.votes_per_second, probe) as votes:
                loaded = load(args.duration, args.connections, args.threads)
        else:
            loaded = load(args.duration, args.connections, args.threads)
        print(
            f"  1 connection : p50 {single.p50:7.1f} ms  p95 {single.p95:7.1f} ms  "
            f"{single.rps:7.1f} req/s"
        )
        print(
            f"  {args.connections:>2} connections: p50 {loaded.p50:7.1f} ms  "
            f"p95 {loaded.p95:7.1f} ms  p99 {loaded.p99:7.1f} ms  {loaded.rps:7.1f} req/s  "
            f"requests {loaded.requests:,}  non-2xx {loaded.non2xx}  "
            f"socket errors {loaded.errors}"
        )
        if votes is not None:
            print(f"  meanwhile, {votes.summary()}")
        results.append(PageResult(target, loaded, single, votes))
        # Let the server finish the requests wrk left queued (16 x ~50 ms at most); after
        # that it is idle, so whatever keeps the cores busy is someone else.
        time.sleep(2)
        busy = cpu_busy(1)
        if busy is not None and busy > BUSY_LIMIT:
            print(f"  warning: other processes used {busy:.0%} of the CPU right after this page")
    return results
