"""The issue's test: 200 concurrent vote/unvote requests from 100 members at one paper, on a
live server (`dailypapers serve`: granian, 2 worker processes with 4 threads each) over the
same database as the test (a SQLite file, or the PostgreSQL test database); afterwards the
paper's counter equals its vote rows."""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from dailypapers.papers import services
from dailypapers.papers.models import Paper, Upvote
from tests.factories import make_paper
from tests.papers.shared_db import shared_database  # noqa: F401
from tests.test_serve import free_port

pytestmark = pytest.mark.django_db(transaction=True)
BIN = Path(sys.executable).parent
MEMBERS = 100
ARXIV_ID = "2401.01234"


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def start_server(database_url: str, data_dir: Path) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.pop("REDIS_URL", None)
    env |= {
        "DATABASE_URL": database_url,
        "DAILYPAPERS_DATA_DIR": str(data_dir),
        # The test's key: the sessions it created must be valid on the server.
        "DAILYPAPERS_SECRET_KEY": settings.SECRET_KEY,
        # No limits: 200 votes from one address in a few seconds is the point here.
        "DAILYPAPERS_RATE_LIMITS": "vote=0/0",
        "DAILYPAPERS_ARXIV_EVERY_HOURS": "0",
    }
    port = free_port()
    data_dir.mkdir(exist_ok=True)
    with (data_dir / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [BIN / "dailypapers", "serve", "--port", str(port), "--workers", "2", "--no-worker"],
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return server, f"http://127.0.0.1:{port}"


def wait_until_up(base: str, server: subprocess.Popen, deadline: float) -> None:
    while True:
        assert server.poll() is None, "the server exited"
        try:
            if requests.get(f"{base}/papers/{ARXIV_ID}", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, "the server never answered"
        time.sleep(0.2)


def plan(cookies: list[str]) -> list[tuple[str, str, dict]]:
    """Two requests per member, of every kind (toggle or set; JSON, htmx or a plain form),
    shuffled: (session, kind, form data)."""
    kinds = [
        [("json", {}), ("json", {})],
        [("json", {"upvoted": "1"}), ("json", {"upvoted": "0"})],
        [("htmx", {}), ("form", {"upvoted": "1", "next": "/"})],
        [("json", {"upvoted": "0"}), ("json", {})],
    ]
    requests_ = [
        (cookie, kind, data) for n, cookie in enumerate(cookies) for kind, data in kinds[n % 4]
    ]
    random.Random(14).shuffle(requests_)
    return requests_


class InFlight:
    """How many requests were under way at once, at most: the test must overlap them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc) -> None:
        with self.lock:
            self.now -= 1


def send(base: str, session: str, kind: str, data: dict) -> tuple[str, int, str]:
    token = secrets.token_hex(16)  # any well-formed CSRF secret, sent as cookie and header
    headers = {"X-CSRFToken": token}
    if kind == "json":
        headers["Accept"] = "application/json"
    elif kind == "htmx":
        headers["HX-Request"] = "true"
    answer = requests.post(
        f"{base}/papers/{ARXIV_ID}/upvote",
        data=data,
        headers=headers,
        cookies={settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: token},
        allow_redirects=False,
        timeout=60,
    )
    return kind, answer.status_code, answer.text


def test_200_concurrent_votes_from_100_members_leave_the_count_equal_to_the_rows(
    shared_database,  # noqa: F811  (the imported fixture)
    tmp_path,
):
    paper = make_paper(ARXIV_ID, imported_upvotes=7)
    members = [User.objects.create(username=f"member{n:03d}") for n in range(MEMBERS)]
    for member in members[::2]:  # half have voted already: the first requests unvote
        services.set_upvote(member, paper, True)
    cookies = [session_cookie(member) for member in members]
    server, base = start_server(shared_database, tmp_path / "server")
    try:
        wait_until_up(base, server, time.monotonic() + 90)
        in_flight = InFlight()

        def one(job: tuple[str, str, dict]) -> tuple[str, int, str]:
            with in_flight:
                return send(base, *job)

        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(one, plan(cookies)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    expected = {"json": 200, "htmx": 200, "form": 302}
    wrong = [(kind, code, text[:200]) for kind, code, text in answers if code != expected[kind]]
    assert not wrong, wrong
    assert len(answers) == 2 * MEMBERS
    paper = Paper.objects.get(pk=paper.pk)
    assert paper.upvotes == Upvote.objects.filter(paper=paper).count()
    assert paper.upvotes <= MEMBERS
    totals = [json.loads(text)["upvotes"] for kind, _, text in answers if kind == "json"]
    assert all(7 <= total <= 7 + MEMBERS for total in totals)
    assert in_flight.most >= 8, "the requests never overlapped"
