"""Pieces of bench/feed_latency.py: fill, serve, load and report on a synthetic database.

env      data dirs, environment, `dailypapers` commands
db       reset, migrate and (re)use a fill
fill     synthetic organizations, authors, papers and submissions
targets  the pages to load
server   `dailypapers serve` in its own process group
load     wrk or the Python load generator, per-page results
machine  how busy the CPU is, the machine label
report   Markdown table, engine label, query profile
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
ROOT = BENCH_DIR.parent

sys.path.insert(0, str(ROOT))  # `python bench/feed_latency.py` puts bench/, not the root, first
