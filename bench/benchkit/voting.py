"""Votes cast while a page is loaded, and how soon a vote shows on a visitor's page.

`VoteTraffic` runs beside wrk: voters toggle upvotes on the measured day's papers at a
fixed rate (open loop: a slow answer does not slow the schedule), each with a logged-in
session, through the real endpoint (`POST /papers/<id>/upvote`, JSON). A probe member
toggles their vote on the day's top paper every few seconds and times how long until an
anonymous GET of the day page shows the new count (polled every 25 ms): when the first
GET that shows it was sent (what `FEED_CACHE_SECONDS` promises: a page requested that long
after a vote shows it) and when its answer came back (that, plus the page's own latency).
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .members import Crowd, csrf_of

VOTER_THREADS = 16  # 20 votes/s even when answers wait ~0.5 s behind 16 connections
PROBE_EVERY = 2.0  # seconds between visibility probes
POLL_EVERY = 0.025
PROBE_GIVE_UP = 10.0


@dataclass
class VoteReport:
    sent: int = 0
    ok: int = 0
    refused: dict[int, int] = field(default_factory=dict)  # status -> count
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    # Probe: from the vote's answer to the first page GET that showed it, when that GET was
    # sent (what "visible within FEED_CACHE_SECONDS" promises) and when its answer came.
    visible_ms: list[float] = field(default_factory=list)
    answered_ms: list[float] = field(default_factory=list)
    never_visible: int = 0

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        if not self.sent and not self.visible_ms:
            return "no votes cast"
        p50 = statistics.median(self.latencies_ms) if self.latencies_ms else 0.0
        refused = ", ".join(f"{n} x {status}" for status, n in sorted(self.refused.items()))
        text = (
            f"votes: {self.sent} at {self.rate:.1f}/s, {self.ok} ok"
            f"{', refused ' + refused if refused else ''}, {self.errors} errors, "
            f"answer p50 {p50:.0f} ms"
        )
        return text + "; " + self.visibility()

    def visibility(self) -> str:
        if not self.visible_ms and not self.never_visible:
            return "no visibility probe"
        worst = max(self.visible_ms, default=0.0)
        p50 = statistics.median(self.visible_ms or [0])
        text = (
            f"a vote shows on a visitor's page requested p50 {p50:.0f} ms, max {worst:.0f} ms "
            f"after it (page answered max {max(self.answered_ms, default=0.0):.0f} ms after; "
            f"{len(self.visible_ms)} probes"
        )
        if self.never_visible:
            text += f", {self.never_visible} NOT visible within {PROBE_GIVE_UP:.0f} s"
        return text + ")"


class VoteTraffic:
    """A context manager: votes and probes run while the block runs."""

    def __init__(self, base: str, day_path: str, crowd: Crowd, rate: float, probe: bool = True):
        self.base, self.day_path, self.crowd, self.rate = base, day_path, crowd, rate
        self.probe = probe
        self.report = VoteReport()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        # The probe's paper (the day's top) is left to the probe: its count is then exact.
        self._targets = crowd.day_papers[1:]
        self._voters = itertools.cycle(crowd.voter_cookies)

    def __enter__(self) -> VoteReport:
        self._started = time.perf_counter()
        if self.rate > 0:
            for index in range(VOTER_THREADS):
                self._spawn(self._vote_loop, index)
        if self.probe:
            self._spawn(self._probe_loop)
        return self.report

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self.report.seconds = time.perf_counter() - self._started

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    # ------------------------------------------------------------------------- voters

    def _vote_loop(self, index: int) -> None:
        """This thread's share of an open-loop schedule: vote k at start + k / rate."""
        rng = random.Random(index)
        conn = self._connection()
        for k in itertools.count(index, VOTER_THREADS):
            due = self._started + k / self.rate
            if self._stop.wait(max(0.0, due - time.perf_counter())):
                break
            with self._lock:
                cookie = next(self._voters)
            status, ms, _ = self._post_vote(conn, cookie, rng.choice(self._targets))
            self._count(status, ms)
        conn.close()

    def _count(self, status: int | None, ms: float) -> None:
        with self._lock:
            report = self.report
            report.sent += 1
            if status is None:
                report.errors += 1
            elif status == 200:
                report.ok += 1
                report.latencies_ms.append(ms)
            else:
                report.refused[status] = report.refused.get(status, 0) + 1

    def _post_vote(
        self, conn: http.client.HTTPConnection, cookie: str, arxiv_id: str
    ) -> tuple[int | None, float, dict]:
        headers = {
            "Cookie": cookie,
            "X-CSRFToken": csrf_of(cookie),
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        started = time.perf_counter()
        try:
            conn.request("POST", f"/papers/{arxiv_id}/upvote", body="", headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()  # reconnects on the next request
            return None, 0.0, {}
        ms = (time.perf_counter() - started) * 1000
        data = json.loads(body) if response.status == 200 else {}
        return response.status, ms, data

    def _connection(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.base)
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    # -------------------------------------------------------------------------- probe

    def _probe_loop(self) -> None:
        paper = self.crowd.day_papers[0]
        votes, page = self._connection(), self._connection()
        while not self._stop.wait(PROBE_EVERY):
            status, _, data = self._post_vote(votes, self.crowd.probe_cookie, paper)
            if status != 200:
                continue
            answered = time.perf_counter()
            seen = self._wait_until_shown(page, paper, data["upvotes"])
            with self._lock:
                if seen is None:
                    self.report.never_visible += 1
                else:
                    sent, received = seen
                    self.report.visible_ms.append(max(0.0, sent - answered) * 1000)
                    self.report.answered_ms.append((received - answered) * 1000)
        votes.close()
        page.close()

    def _wait_until_shown(self, conn, arxiv_id: str, count: int) -> tuple[float, float] | None:
        """When the first GET that shows `count` was sent and answered."""
        deadline = time.perf_counter() + PROBE_GIVE_UP
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                conn.request("GET", self.day_path)  # no cookie: a visitor
                html = conn.getresponse().read().decode()
            except (OSError, http.client.HTTPException):
                conn.close()
                continue
            if shown_count(html, arxiv_id) == count:
                return sent, time.perf_counter()
            time.sleep(POLL_EVERY)
        return None


def shown_count(html: str, arxiv_id: str) -> int | None:
    """The upvote count on the card of `arxiv_id`, None when the page has no such card."""
    for card in html.split('<article class="card"')[1:]:
        if f'href="/papers/{arxiv_id}"' in card:
            found = re.search(r"<strong>([\d,]+)</strong>", card)
            return int(found.group(1).replace(",", "")) if found else None
    return None
