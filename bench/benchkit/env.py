"""Where a fill lives, the environment every process gets, and how to run `dailypapers`."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from . import ROOT

BENCH_ROOT = ROOT / "var" / "bench"


def data_dir_for(args: argparse.Namespace) -> Path:
    # One dir per engine/database, so a PostgreSQL run never wipes the SQLite fill.
    root = Path(args.data_root) if getattr(args, "data_root", "") else BENCH_ROOT
    if not args.database_url:
        return root / "sqlite"
    return root / f"pg-{urlsplit(args.database_url).path.lstrip('/')}"


def configure_env(args: argparse.Namespace, data_dir: Path) -> None:
    """Set the env for this process (django.setup) and every child (migrate, serve)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "dailypapers.settings"
    os.environ["DAILYPAPERS_DATA_DIR"] = str(data_dir)
    os.environ["DAILYPAPERS_DEBUG"] = "false"  # a stray DEBUG=true would skew every number
    # Every voter comes from 127.0.0.1: like a lab behind one address, but 20 votes/s is
    # 1,200 a minute, over the default per-IP limit. Per member the default (60) stays. The
    # API pages are loaded from one address too: their per-IP limit is lifted likewise.
    os.environ.setdefault("DAILYPAPERS_RATE_LIMITS", "vote=60/0,api=0/0")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    if getattr(args, "redis_url", None):
        os.environ["REDIS_URL"] = args.redis_url
    elif hasattr(args, "redis_url"):  # asked for no Redis: the database's cache table
        os.environ.pop("REDIS_URL", None)


def manage(*command: str) -> list[str]:
    script = shutil.which("dailypapers", path=str(Path(sys.executable).parent))
    return [script, *command] if script else [sys.executable, str(ROOT / "manage.py"), *command]
