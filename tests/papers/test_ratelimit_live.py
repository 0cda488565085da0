"""The issue's test: 16 clients at once through a live server (`dailypapers serve`, 2 worker
processes with 4 threads each) get exactly the limit through, no more, counted in the
database (the default) and in Redis (REDIS_URL). The server shares the test's database (a
SQLite file, or the PostgreSQL test database) so the test's members and tokens are its own."""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from huggingface_hub.utils import parse_ratelimit_headers

from dailypapers.accounts.tokens import create_token
from tests.factories import make_member, make_paper
from tests.papers.shared_db import shared_database  # noqa: F401
from tests.papers.test_votes_live import BIN, session_cookie
from tests.test_serve import free_port

pytestmark = pytest.mark.django_db(transaction=True)

# Database 5: other tests and people's servers use the others (tests/test_cache.py: 0).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
CLIENTS = 16
LIMIT = 20  # and 80, 150 or 80 requests of each kind: four times the limit or more
ARXIV_ID = "2503.00001"
# Small per-member limits, per-IP ones out of the way (every client here is 127.0.0.1).
RATE_LIMITS = f"api={LIMIT}/100000,vote={LIMIT}/100000"
# A burst takes a few seconds; one that began near the end of a minute would be counted in two
# windows (twice the limit, rightly). Such a burst waits for the next minute instead.
BURST_SECONDS = 15
Job = Callable[[], requests.Response]


@pytest.fixture(params=["database", "redis"])
def redis_url(request) -> str:
    if request.param == "database":
        return ""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis answers at {REDIS_URL} (set TEST_REDIS_URL; CI always runs this)")
    # A counter left by an earlier run this minute (the same member id) would count on.
    for key in client.scan_iter("dailypapers:*ratelimit:*"):
        client.delete(key)
    return REDIS_URL


@pytest.fixture
def server(
    shared_database,  # noqa: F811  (the imported fixture)
    redis_url: str,
    tmp_path: Path,
) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.pop("REDIS_URL", None)
    env |= {
        "DATABASE_URL": shared_database,
        "DAILYPAPERS_DATA_DIR": str(tmp_path),
        "DAILYPAPERS_SECRET_KEY": settings.SECRET_KEY,  # the test's sessions are valid there
        "DAILYPAPERS_RATE_LIMITS": RATE_LIMITS,
        "DAILYPAPERS_ARXIV_EVERY_HOURS": "0",
    } | ({"REDIS_URL": redis_url} if redis_url else {})
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [BIN / "dailypapers", "serve", "--port", str(port), "--workers", "2", "--no-worker"],
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, time.monotonic() + 90)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def wait_until_up(base: str, process: subprocess.Popen, deadline: float) -> None:
    while True:
        assert process.poll() is None, "the server exited"
        try:
            if requests.get(f"{base}/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, "the server never answered"
        time.sleep(0.2)


def burst(jobs: list[tuple[str, Job]]) -> dict[str, list[requests.Response]]:
    """Every job, spread over CLIENTS threads released together, inside one rate window;
    the answers by the jobs' kinds."""
    if time.time() % 60 > 60 - BURST_SECONDS:
        time.sleep(60 - time.time() % 60)
    window = time.time() // 60
    barrier = threading.Barrier(CLIENTS)
    answers: dict[str, list[requests.Response]] = {kind: [] for kind, _ in jobs}

    def client(share: list[tuple[str, Job]]) -> None:
        barrier.wait()
        for kind, job in share:
            answers[kind].append(job())

    threads = [threading.Thread(target=client, args=(jobs[n::CLIENTS],)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(map(len, answers.values())) == len(jobs)
    assert time.time() // 60 == window, f"the burst took longer than {BURST_SECONDS} s"
    return answers


def statuses(answers: list[requests.Response]) -> dict[int, int]:
    return dict(Counter(answer.status_code for answer in answers))


def test_16_parallel_clients_get_exactly_each_limit_through(server):
    make_paper(ARXIV_ID)
    paper_url = f"{server}/api/v1/papers/{ARXIV_ID}"
    _, token = create_token(make_member("ada"), "script")
    voter = VoteSession(server, make_member("grace"))

    def with_token() -> requests.Response:
        return requests.get(paper_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    def with_a_made_up_token() -> requests.Response:
        made_up = f"dp_{secrets.token_urlsafe(32)}"
        return requests.get(paper_url, headers={"Authorization": f"Bearer {made_up}"}, timeout=60)

    jobs = [("token", with_token)] * 80 + [("made-up", with_a_made_up_token)] * 150
    jobs += [("vote", voter.vote)] * 80
    random.Random(21).shuffle(jobs)

    answers = burst(jobs)

    # One token: its 20. 150 tokens of nobody's from one address: 20 between them, not
    # 20 each. One member's votes: 20, whichever worker and thread counted them.
    assert statuses(answers["token"]) == {200: LIMIT, 429: 80 - LIMIT}
    assert statuses(answers["made-up"]) == {200: LIMIT, 429: 150 - LIMIT}
    assert statuses(answers["vote"]) == {200: LIMIT, 429: 80 - LIMIT}
    assert_readable_by_huggingface_hub(answers["token"], "api")
    assert_readable_by_huggingface_hub(answers["vote"], "vote")


def assert_readable_by_huggingface_hub(answers: list[requests.Response], policy: str) -> None:
    """A 429's RateLimit fields, read by huggingface_hub's own parser, say the policy and
    when its window ends, as Retry-After does."""
    refused = next(answer for answer in answers if answer.status_code == 429)
    info = parse_ratelimit_headers(refused.headers)
    assert info is not None and info.resource_type == policy
    assert (info.remaining, info.limit, info.window_seconds) == (0, LIMIT, 60)
    assert 1 <= info.reset_in_seconds <= 60
    assert refused.headers["Retry-After"] == str(info.reset_in_seconds)


class VoteSession:
    """A member signed in on the server, upvoting the paper (idempotent: every request counts
    against the vote limit, the vote stays one)."""

    def __init__(self, server: str, member) -> None:
        csrf = secrets.token_hex(16)  # any well-formed CSRF secret, sent as cookie and header
        session = session_cookie(member)
        self.url = f"{server}/papers/{ARXIV_ID}/upvote"
        self.cookies = {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: csrf}
        self.headers = {"X-CSRFToken": csrf, "Accept": "application/json"}

    def vote(self) -> requests.Response:
        return requests.post(
            self.url, data={"upvoted": "1"}, headers=self.headers, cookies=self.cookies, timeout=60
        )
