"""The machine under test: how busy its cores already are, and a label for the report.

Server, database and load generator share these cores, so anything else running skews
every number: the benchmark measures that before and after each page.
"""

from __future__ import annotations

import os
import platform
import time
from contextlib import suppress
from pathlib import Path

BUSY_LIMIT = 0.15  # share of all cores used by others above which results are suspect


def cpu_busy(seconds: float = 2.0) -> float | None:
    """Share of all cores busy over the next few seconds (from /proc/stat), None if unknown."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_for_quiet(max_wait: float) -> None:
    """Print how busy the cores already are; wait up to max_wait s for them to calm down."""
    # Server, database and wrk share these cores: anything else running skews every number.
    started = time.monotonic()
    busy = cpu_busy()
    while busy is not None and busy > BUSY_LIMIT and time.monotonic() - started < max_wait:
        busy = cpu_busy(5)
    if busy is None:
        return
    waited = f" (after waiting {time.monotonic() - started:.0f} s)" if max_wait else ""
    print(
        f"\nCPU busy before the load (other processes): {busy:.0%} of {os.cpu_count()} cores"
        f"{waited}"
    )
    if busy > BUSY_LIMIT:
        print("  warning: something else is running; expect lower req/s, noisier percentiles")


def machine_label() -> str:
    model = ""
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model or platform.processor() or platform.machine()})"
