"""A polite HTTP client for the sources that fetch (arXiv's API, Hugging Face's daily papers).

- waits `min_interval` seconds between two calls (arXiv asks for 3 s);
- retries 429 and 5xx answers and connection errors with exponential backoff and full jitter,
  honouring `Retry-After` (seconds or an HTTP date) up to `max_wait`;
- raises `FetchError` with a message a person can act on when it gives up.

`sleep` and `clock` are parameters so a test can record the waits instead of spending them;
everything else (requests, sockets, the server) is real.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

log = logging.getLogger("dailypapers.ingest")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "dailypapers/0.1 (self-hosted research-paper discovery)"


class FetchError(RuntimeError):
    """A source could not be fetched; the message says what was asked and what happened."""


class PoliteClient:
    def __init__(
        self,
        *,
        min_interval: float = 0.0,
        retries: int = 5,
        backoff: float = 2.0,
        max_wait: float = 300.0,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.min_interval = min_interval
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._last_call: float | None = None

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """The response of the first attempt that is not retryable (a 4xx is returned, not
        raised: arXiv explains a bad query in a 400's body). FetchError after the last retry."""
        for attempt in range(self.retries + 1):
            self._wait_turn()
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.RequestException as exc:
                problem, retry_after = _describe(exc), None
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"HTTP {response.status_code}"
                retry_after = _retry_after(response.headers.get("Retry-After"))
            if attempt == self.retries:
                break
            wait = self._backoff(attempt, retry_after)
            log.warning("%s: %s; retry %d in %.1fs", url, problem, attempt + 1, wait)
            self.sleep(wait)
        raise FetchError(f"{url} failed after {self.retries + 1} attempts: {problem}")

    def _wait_turn(self) -> None:
        now = self.clock()
        if self._last_call is not None and (gap := now - self._last_call) < self.min_interval:
            self.sleep(self.min_interval - gap)
        self._last_call = self.clock()

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_wait)
        # Full jitter: many clients retrying at once spread out instead of colliding again.
        ceiling = min(self.backoff * 2**attempt, self.max_wait)
        return random.uniform(ceiling / 2, ceiling)


def _describe(exc: requests.RequestException) -> str:
    """A network failure in a few words: requests' own messages run to several hundred
    characters (the whole URL, the pool, the resolver's errno), once per retry."""
    if isinstance(exc, requests.Timeout):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, requests.ConnectionError):
        return f"could not connect ({type(exc).__name__})"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a `Retry-After` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
