"""Snapshot import benchmark: records/s and peak memory of `dailypapers ingest snapshot`.

Generates N realistic records in the Kaggle `arxiv-metadata-oai-snapshot.json` format (title,
abstract and author-list lengths, version counts, categories and licences drawn from the real
sample in /work/shared/data/arxiv_snapshot_sample or tests/fixtures/snapshot; fixed seed),
imports them with the real command into a fresh database, and prints records/s and the
command's peak RSS. Several sizes show whether memory stays flat in N. It asserts nothing.

    .venv/bin/python bench/snapshot_import.py                        # SQLite: 25K, 50K, 100K
    .venv/bin/python bench/snapshot_import.py --sizes 100000 --gzip
    .venv/bin/python bench/snapshot_import.py --sizes 100000 --without-keyword-index
    .venv/bin/python bench/snapshot_import.py --database-url postgres://postgres@127.0.0.1:5432/dp_bench
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchkit import ROOT
from benchkit.db import recreate_postgres
from benchkit.env import BENCH_ROOT, manage

SEED = 20261126
SAMPLES = [
    Path("/work/shared/data/arxiv_snapshot_sample/arxiv-metadata-oai-snapshot.first200.jsonl"),
    ROOT / "tests" / "fixtures" / "snapshot" / "sample.jsonl",
]
SUMMARY = re.compile(r"items (\d+), .*, ([0-9.]+)s, (\d+) records/s$")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[25_000, 50_000, 100_000],
        help="comma-separated record counts (default 25000,50000,100000)",
    )
    parser.add_argument("--batch-size", type=int, default=0, help="default: the command's")
    parser.add_argument("--gzip", action="store_true", help="import a .gz of the same records")
    parser.add_argument(
        "--without-keyword-index",
        action="store_true",
        help="unapply the search keyword index (FTS5 triggers / tsvector column) first: the "
        "import's own cost, apart from indexing each title and abstract",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL URL (database name must contain 'bench': it is dropped)",
    )
    return parser.parse_args(argv)


class Generator:
    """Records shaped like the real sample: its lengths, author counts, versions, fields."""

    def __init__(self, seed: int = SEED) -> None:
        sample = next(p for p in SAMPLES if p.exists())
        self.templates = [json.loads(line) for line in sample.read_text().splitlines() if line]
        self.random = random.Random(seed)
        words = " ".join(t["abstract"] + " " + t["title"] for t in self.templates).split()
        self.words = sorted(set(words))
        names = [a for t in self.templates for a in t["authors_parsed"]]
        self.keynames = sorted({a[0] for a in names})
        self.forenames = sorted({a[1] for a in names if a[1]})

    def text(self, length: int) -> str:
        """Random sample words, wrapped like arXiv's hard line breaks, about `length` long."""
        out, size = [], 0
        while size < length:
            word = self.random.choice(self.words)
            out.append(word)
            size += len(word) + 1
        lines = [" ".join(out[i : i + 12]) for i in range(0, len(out), 12)]
        return "\n".join(lines)

    def author(self) -> list[str]:
        # A pool the size of arXiv's ratio (about one author per 1.5 papers, many repeats).
        rnd = self.random
        key = f"{rnd.choice(self.keynames)}{rnd.randrange(20_000) or ''}"
        return [key, rnd.choice(self.forenames), ""]

    def record(self, number: int) -> dict[str, Any]:
        template = self.random.choice(self.templates)
        authors = [self.author() for _ in template["authors_parsed"]]
        month = 701 + number // 90_000
        return {
            **template,
            "id": f"{month // 100:02d}{month % 100:02d}.{number % 90_000 + 10_000:05d}",
            "title": self.text(len(template["title"])),
            "abstract": self.text(len(template["abstract"])),
            "authors": ", ".join(f"{a[1]} {a[0]}" for a in authors),
            "authors_parsed": authors,
        }

    def write(self, path: Path, count: int) -> None:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "wt", encoding="utf-8") as out:
            for number in range(count):
                out.write(json.dumps(self.record(number)) + "\n")


def prepare(args: argparse.Namespace, data_dir: Path) -> dict[str, str]:
    """A fresh, migrated database; the environment the command runs in."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    env = {**os.environ, "DAILYPAPERS_DATA_DIR": str(data_dir), "DAILYPAPERS_DEBUG": "false"}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        recreate_postgres(args.database_url)
        env["DATABASE_URL"] = args.database_url
    subprocess.run(manage("migrate", "--no-input", "-v", "0"), check=True, cwd=ROOT, env=env)
    if args.without_keyword_index:
        unapply = manage("migrate", "search", "0001", "--no-input", "-v", "0")
        subprocess.run(unapply, check=True, cwd=ROOT, env=env)
    return env


def import_file(args: argparse.Namespace, path: Path, env: dict[str, str]) -> dict[str, float]:
    """Run the real command; its own records/s, the wall time and its peak RSS (os.wait4)."""
    command = manage("ingest", "snapshot", str(path))
    if args.batch_size:
        command += ["--batch-size", str(args.batch_size)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    match = SUMMARY.search(output.strip())
    if child.returncode or not match:
        sys.exit(f"import failed ({child.returncode}): {output}")
    return {
        "items": int(match.group(1)),
        "seconds": float(match.group(2)),
        "rate": int(match.group(3)),
        "wall": wall,
        "rss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        # The command's own CPU time, whole process (Django start-up included): the figure
        # that other work on the machine does not move (PostgreSQL's own CPU is not in it).
        "cpu": usage.ru_utime + usage.ru_stime,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    engine = "PostgreSQL" if args.database_url else "SQLite"
    if args.without_keyword_index:
        engine += " (no keyword index)"
    data_dir = BENCH_ROOT / ("snapshot-pg" if args.database_url else "snapshot-sqlite")
    rows = []
    with tempfile.TemporaryDirectory(prefix="snapshot-bench-") as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"snapshot-{size}.json{'.gz' if args.gzip else ''}"
            Generator().write(path, size)
            env = prepare(args, data_dir)
            result = import_file(args, path, env)
            rows.append((size, result))
            print(
                f"{engine} {size:>7,} records: {result['rate']:>6,} records/s "
                f"({result['seconds']:.1f} s in the command, {result['wall']:.1f} s wall), "
                f"peak RSS {result['rss_mb']:.0f} MB, "
                f"{size / result['cpu']:,.0f} records per CPU second",
                flush=True,
            )
    print(f"\n| {engine} | records | records/s | peak RSS |\n|---|---:|---:|---:|")
    for size, result in rows:
        print(f"| | {size:,} | {result['rate']:,} | {result['rss_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
