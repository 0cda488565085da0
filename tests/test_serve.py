"""`dailypapers serve` is a real production server: start it, fetch a page and a static file."""

import os
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


def fetch(url: str, deadline: float) -> tuple[int, bytes]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_answers_pages_and_static_files(tmp_path):
    # Its own SQLite data dir: the server must never touch the database the suite runs on.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DAILYPAPERS_DATA_DIR"] = str(tmp_path)
    subprocess.run([BIN / "dailypapers", "migrate", "-v0"], env=env, check=True)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [BIN / "dailypapers", "serve", "--port", str(port), "--workers", "1"],
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
