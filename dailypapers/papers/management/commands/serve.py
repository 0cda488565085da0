"""`dailypapers serve`: the production server (granian, WSGI) with static files via whitenoise,
and beside it the job queue's consumer (`dailypapers worker`) as a child process it watches:
restarted if it dies, stopped with the server."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time

from django.core.management import BaseCommand, CommandError, call_command

from dailypapers import env

# A worker that dies this soon after starting is restarted after a pause, not at once.
RESTART_PAUSE = 5.0
STOP_TIMEOUT = 10.0
PR_SET_PDEATHSIG = 1


class Command(BaseCommand):
    help = (
        "Serve the site with granian (a production WSGI server), after collecting static files, "
        "with the job worker beside it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=env.get_int("PORT", 8000))
        parser.add_argument(
            "--workers",
            type=int,
            default=env.get_int("DAILYPAPERS_WORKERS", 2),
            help="worker processes (default: DAILYPAPERS_WORKERS or 2)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the job worker (run `dailypapers worker` elsewhere)",
        )

    def handle(self, *args, host: str, port: int, workers: int, no_worker: bool, **options) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        granian = granian_executable()
        argv = [
            granian,
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            "4",
            "--no-ws",
            "dailypapers.wsgi:application",
        ]
        self.stdout.write(f"Serving on http://{host}:{port} with {workers} granian workers")
        self.stdout.flush()
        if no_worker:
            os.execv(granian, argv)
        code = Supervisor(self, argv).run()
        if code:
            raise CommandError(f"granian exited with status {code}", returncode=code)


class Supervisor:
    """Runs granian and the job worker as children; restarts the worker when it dies; on
    SIGTERM or SIGINT, or when granian ends, stops both and returns granian's exit status."""

    def __init__(self, command: BaseCommand, server_argv: list[str]) -> None:
        self.command = command
        self.server_argv = server_argv
        self.worker: subprocess.Popen | None = None
        self.worker_started = 0.0

    def run(self) -> int:
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        server = _spawn(self.server_argv)
        try:
            self.start_worker()
            while server.poll() is None:
                self.watch_worker()
                time.sleep(0.2)
        except KeyboardInterrupt:
            return 0  # asked to stop: the finally clause stops both
        finally:
            signal.signal(signal.SIGTERM, previous)
            _stop([server, self.worker])
        # granian ended by itself: its status, or 1 when a signal killed it.
        return server.returncode if server.returncode >= 0 else 1

    def start_worker(self) -> None:
        self.worker = _spawn(worker_argv())
        self.worker_started = time.monotonic()
        self.command.stdout.write(f"Job worker started (pid {self.worker.pid})")
        self.command.stdout.flush()

    def watch_worker(self) -> None:
        if self.worker is None or self.worker.poll() is None:
            return
        self.command.stderr.write(f"Job worker exited with status {self.worker.returncode}")
        if time.monotonic() - self.worker_started < RESTART_PAUSE:
            time.sleep(RESTART_PAUSE)  # crashing at start: don't spin
        self.start_worker()


def worker_argv() -> list[str]:
    """`dailypapers worker` with this Python, whether we run as the console script, as
    manage.py, or under a test runner."""
    return [sys.executable, "-c", "from dailypapers.cli import main; main()", "worker"]


def _spawn(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen(argv, preexec_fn=_die_with_parent if sys.platform == "linux" else None)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if `serve` itself is killed (even by SIGKILL), so no
    orphaned server or worker keeps running without its supervisor."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop(children: list[subprocess.Popen | None]) -> None:
    running = [child for child in children if child is not None and child.poll() is None]
    for child in running:
        child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in running:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def granian_executable() -> str:
    """The absolute path of granian's script: os.execv does not search PATH. The script sits
    beside this Python's (the venv's bin/), else wherever PATH finds it."""
    found = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which("granian")
    if found is None:
        raise CommandError("granian is not installed: `pip install granian` (see pyproject.toml)")
    return os.path.abspath(found)
