import os

import pytest

from tests.browser import HOW_TO_ENABLE, browser_required, find_chromium

# Fixtures every test may use: `smtp_server` (a real SMTP server on loopback).
pytest_plugins = ["tests.smtp", "tests.csp"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium floods the closed network with refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = find_chromium()
    if executable is None:
        if browser_required():
            pytest.fail(HOW_TO_ENABLE.replace("skipped", "required (DAILYPAPERS_REQUIRE_BROWSER)"))
        pytest.skip(HOW_TO_ENABLE)
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


def pytest_terminal_summary(terminalreporter):
    """Say once, at the end, why the browser tests did not run (not once per test)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if any(HOW_TO_ENABLE in str(report.longrepr) for report in skipped):
        terminalreporter.write_line(HOW_TO_ENABLE, yellow=True)


@pytest.fixture(autouse=True, scope="session")
def _allow_sync_db_in_browser_tests():
    # Playwright runs an event loop in the test thread; Django's ORM would refuse to run there.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(autouse=True)
def _feed_pages_rendered_per_request(settings):
    """Feed pages are shared between readers for FEED_CACHE_SECONDS: a test that changes
    something and loads the page again would see the copy. Off here, so such tests see their
    change; tests/papers/test_feed_cache.py turns it on and moves the cache's clock."""
    settings.FEED_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Cached pages (trending) must not leak from one test into the next. The cache is a
    database table: a test without database access cannot reach it, so has nothing to clear."""
    from django.core.cache import cache

    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if not uses_db:
        yield
        return
    cache.clear()
    yield
    cache.clear()
