"""The benchmark database: drop and recreate it, migrate, fill it or reuse the last fill."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from . import ROOT
from .env import manage
from .fill import SEED, fill

MARKER = "bench-fill.json"  # what the data dir was filled with, so --keep can trust it


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    # Refuse to drop anything that does not look like a throwaway database.
    if "bench" not in name or not re.fullmatch(r"\w+", name):
        sys.exit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def reset_storage(args: argparse.Namespace, data_dir: Path) -> None:
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    if args.database_url:
        recreate_postgres(args.database_url)


def fill_signature(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "papers": args.papers,
        "days": args.days,
        "authors": args.authors,
        "seed": SEED,
        "database_url": args.database_url,
    }


def can_reuse(args: argparse.Namespace, data_dir: Path) -> bool:
    marker = data_dir / MARKER
    if not args.keep or not marker.exists():
        return False
    return json.loads(marker.read_text()) == fill_signature(args)


def prepare_database(args: argparse.Namespace, data_dir: Path) -> None:
    """Migrate, then fill unless --keep found this very fill already in place."""
    reuse = can_reuse(args, data_dir)
    if not reuse:
        reset_storage(args, data_dir)
    started = time.perf_counter()
    subprocess.run(manage("migrate", "--no-input", "-v", "0"), check=True, cwd=ROOT)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    import django

    django.setup()
    from dailypapers.papers.models import Paper

    if reuse:
        count = Paper.objects.count()
        if count != args.papers:
            raise SystemExit(
                f"--keep: found {count:,} papers, expected {args.papers:,}; run without --keep"
            )
        print(f"fill: reusing {count:,} papers in {data_dir}")
        return
    print(f"fill: {args.papers:,} papers over {args.days:,} days, {args.authors:,} authors")
    for stage, seconds in fill(args).items():
        print(f"  {stage:<36} {seconds:7.1f} s")
    (data_dir / MARKER).write_text(json.dumps(fill_signature(args)))
