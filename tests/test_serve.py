"""`dailypapers serve` is a real production server: start it, fetch a page and a static file."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, deadline: float, until_down: bool = False) -> tuple[int, bytes]:
    """The page once it answers (retrying until `deadline`); with `until_down`, keep asking
    while it still answers, and raise once it no longer does."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                answer = response.status, response.read()
        except OSError:
            if until_down or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            continue
        if not until_down or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_serve_answers_pages_and_static_files(tmp_path):
    # Its own SQLite data dir: the server must never touch the database the suite runs on.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DAILYPAPERS_DATA_DIR"] = str(tmp_path)
    subprocess.run([BIN / "dailypapers", "migrate", "-v0"], env=env, check=True)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [BIN / "dailypapers", "serve", "--port", str(port), "--workers", "1", "--no-worker"],
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        status, body = fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 30)
        css_status, css = fetch(
            f"http://127.0.0.1:{port}/static/vendor/katex/katex.min.css", time.monotonic() + 5
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        log.close()
    assert status == 200 and b"Daily Papers" in body
    assert css_status == 200 and b".katex" in css
    assert (tmp_path / "static" / "dailypapers" / "app.css").exists()


def start_serve_with_worker(tmp_path: Path) -> tuple[subprocess.Popen, int, int]:
    """`dailypapers serve` with its job worker; returns the server, its port, the worker's pid."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    # No scheduled arXiv import at start: tests never reach the network.
    env |= {"DAILYPAPERS_DATA_DIR": str(tmp_path), "DAILYPAPERS_ARXIV_EVERY_HOURS": "0"}
    subprocess.run([BIN / "dailypapers", "migrate", "-v0"], env=env, check=True)
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        serve = subprocess.Popen(
            [BIN / "dailypapers", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    status, _ = fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 30)
    assert status == 200
    started = re.search(r"Job worker started \(pid (\d+)\)", log_path.read_text())
    assert started, log_path.read_text()
    return serve, port, int(started.group(1))


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for its parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def wait_until_gone(pid: int, deadline: float) -> bool:
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not alive(pid)


def test_serve_runs_a_job_worker_and_stops_it_when_stopped(tmp_path):
    serve, port, worker = start_serve_with_worker(tmp_path)
    try:
        assert alive(worker)
        assert b"worker" in Path(f"/proc/{worker}/cmdline").read_bytes()

        serve.send_signal(signal.SIGTERM)  # the supervisor alone, as a service manager would
        assert serve.wait(timeout=15) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)
    assert wait_until_gone(worker, time.monotonic() + 5)
    with pytest.raises(OSError):
        fetch(f"http://127.0.0.1:{port}/", time.monotonic())


def test_serve_restarts_a_job_worker_that_dies(tmp_path):
    serve, port, worker = start_serve_with_worker(tmp_path)
    try:
        os.kill(worker, signal.SIGKILL)
        restarted = wait_for_worker_other_than(worker, tmp_path / "serve.log", deadline=15)

        assert restarted is not None and alive(restarted)
        assert "Job worker exited with status -9" in (tmp_path / "serve.log").read_text()
        assert fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 5)[0] == 200
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)


def wait_for_worker_other_than(pid: int, log: Path, deadline: float) -> int | None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        pids = [int(p) for p in re.findall(r"Job worker started \(pid (\d+)\)", log.read_text())]
        if pids[-1] != pid:
            return pids[-1]
        time.sleep(0.2)
    return None


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signals are Linux-only")
def test_serve_killed_outright_takes_its_worker_and_server_with_it(tmp_path):
    serve, port, worker = start_serve_with_worker(tmp_path)
    try:
        serve.kill()
        serve.wait(timeout=5)
        assert wait_until_gone(worker, time.monotonic() + 10)
        with pytest.raises(OSError):
            fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 10, until_down=True)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)


def test_granian_is_found_on_path_when_not_beside_python(monkeypatch):
    from dailypapers.papers.management.commands.serve import granian_executable

    monkeypatch.setattr(sys, "executable", "/nonexistent/bin/python")
    monkeypatch.setenv("PATH", f"/nonexistent/bin{os.pathsep}{BIN}")

    found = granian_executable()

    assert os.path.isabs(found) and Path(found) == BIN / "granian"


def test_serve_without_granian_says_how_to_install_it(monkeypatch):
    from django.core.management import CommandError

    from dailypapers.papers.management.commands.serve import granian_executable

    monkeypatch.setattr(sys, "executable", "/nonexistent/bin/python")
    monkeypatch.setenv("PATH", "/nonexistent/bin")

    with pytest.raises(CommandError, match="pip install granian"):
        granian_executable()
