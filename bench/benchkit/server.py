"""`dailypapers serve` on a free loopback port, in its own process group, always stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from . import ROOT
from .env import manage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(workers: int, log: Path) -> Iterator[str]:
    """Run `dailypapers serve` in its own process group; always stop the whole group."""
    port = free_port()
    with log.open("w") as out:
        # Own session: Ctrl-C reaches only us, and killpg reaches granian and its workers.
        # --no-worker: the job worker's start-up sweep embeds every paper without a vector
        # (all 100,000 synthetic ones, minutes of both cores) and its schedule fetches
        # arXiv: it would measure that, not the pages.
        server = subprocess.Popen(
            manage("serve", "--port", str(port), "--workers", str(workers), "--no-worker"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server, log)
        yield base
    finally:
        stop(server)


def wait_until_up(base: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}:\n{log.read_text()}")
        # URLError is an OSError: the port is not listening yet.
        with suppress(OSError), urllib.request.urlopen(base + "/", timeout=5) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"server did not answer within {timeout:.0f} s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return  # the whole group is gone
        try:
            server.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; give stragglers (workers) a moment before checking again.
        time.sleep(0.5)
