"""Finding a Chromium for the browser tests, on a fresh machine as in CI.

Tried in order: Debian's `/usr/bin/chromium`, a Chromium that Playwright already installed,
then `playwright install chromium` (works where the internet is reachable). When none can be
had the browser tests are skipped with one line saying how to enable them, except where
`DAILYPAPERS_REQUIRE_BROWSER` is set (CI): there a missing browser fails the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
INSTALL_SECONDS = 600
HOW_TO_ENABLE = (
    "browser tests skipped: no Chromium found; install one with `apt-get install chromium` "
    "(Debian) or `.venv/bin/playwright install chromium`, then run `make test` again"
)


def browser_required() -> bool:
    return os.environ.get("DAILYPAPERS_REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}


@cache
def find_chromium() -> str | None:
    """The path of a Chromium to drive, or None when none can be had here."""
    if DEBIAN_CHROMIUM.is_file():
        return str(DEBIAN_CHROMIUM)
    if path := _playwright_chromium():
        return path
    if _install_playwright_chromium():
        return _playwright_chromium()
    return None


def _playwright_chromium() -> str | None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        path = Path(playwright.chromium.executable_path)
    return str(path) if path.is_file() else None


def _install_playwright_chromium() -> bool:
    command = [sys.executable, "-m", "playwright", "install", "chromium"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=INSTALL_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
