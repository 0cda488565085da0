"""`dailypapers serve`: the production server (granian, WSGI) with static files via whitenoise."""

from __future__ import annotations

import os
import shutil
import sys

from django.core.management import BaseCommand, CommandError, call_command

from dailypapers import env


class Command(BaseCommand):
    help = "Serve the site with granian (a production WSGI server), after collecting static files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=env.get_int("PORT", 8000))
        parser.add_argument(
            "--workers",
            type=int,
            default=env.get_int("DAILYPAPERS_WORKERS", 2),
            help="worker processes (default: DAILYPAPERS_WORKERS or 2)",
        )

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
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
        sys.stdout.flush()
        os.execv(granian, argv)


def granian_executable() -> str:
    """The absolute path of granian's script: os.execv does not search PATH. The script sits
    beside this Python's (the venv's bin/), else wherever PATH finds it."""
    found = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which("granian")
    if found is None:
        raise CommandError("granian is not installed: `pip install granian` (see pyproject.toml)")
    return os.path.abspath(found)
